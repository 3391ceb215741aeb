/**
 * The route for a pages/api file whose handler lives in another module (see lib/reexport-shape.ts): it re-exports
 * the route-handler twin the plan adds to that module (transforms/handler-twin.ts), one name per method, and holds
 * the segment config itself (it must be literal in a route file). Pure, like the main transform.
 */
import { ALL_METHODS } from './lib/split-methods.js';
import { isSegmentExport } from './lib/config.js';
import { nodeText, Snippets, END, type Node } from './lib/ast.js';
import { fixRelativeImports, importWith, removeUnusedImports } from './lib/imports.js';
import { printProgram } from './lib/print.js';
import { reexportShapeOf } from './lib/reexport-shape.js';
import { prerendersGet } from './lib/prerendered-get.js';
import { parseSourceOrNull } from './lib/source-text.js';
import { markerDiagnostics, markerText, type Diagnostic } from '../src/diagnostics.js';
import type { HandlerModuleRef, TransformContext, TransformResult } from './types.js';


type TwinRef = Exclude<HandlerModuleRef, { left: Diagnostic }>;

/** `export { handleRoutePOST as POST, handleRouteRoute as GET } from '<specifier>'`, methods in the usual order. */
function reexportStatement(snip: Snippets, ref: TwinRef): string {
  const names = ref.exports.flatMap((e) => e.methods.map((m) => ({ m, text: e.twin === m ? m : `${e.twin} as ${m}` })));
  names.sort((a, b) => ALL_METHODS.indexOf(a.m) - ALL_METHODS.indexOf(b.m));
  return `export { ${names.map((n) => n.text).join(', ')} } from ${snip.str(ref.specifier)}${END}`;
}

/** A segment export printed in the module's style (`export const dynamic = 'force-dynamic'`) in the route's quotes and semicolons. */
function inRouteStyle(snip: Snippets, statement: string): string {
  const other = snip.style.quote === '"' ? "'" : '"';
  const requoted = statement.replace(new RegExp(`${other}([^'"\\\\\n]*)${other}`, 'g'), (_, text: string) => snip.str(text));
  return requoted.replace(/;?\s*$/, END);
}

/** The route, or null when the file is not a re-export after all (then the main transform runs). */
export function reexportRoute(rawSource: string, ctx: TransformContext): TransformResult | null {
  const ref = ctx.handlerModule;
  if (!ref) return null;
  if ('left' in ref) return { status: 'left', diagnostics: [ref.left], notes: [], usesCompat: false, methods: [] };
  const parsed = parseSourceOrNull(rawSource, ctx.sourcePath);
  if (!parsed) return null;
  const { source, j, snip, program } = parsed;
  const shape = reexportShapeOf(program);
  if (!shape) return null;

  const at = Math.min(...shape.drop);
  const markers = ref.markers.map((m) => `// ${markerText(m.reason, m.detail)}`);
  const statements = snip.statements([...ref.head.map((h) => inRouteStyle(snip, h)), reexportStatement(snip, ref)].join('\n'));
  statements[0] = snip.withCommentsOf(program.body[at], statements[0], markers);
  program.body = program.body.flatMap((stmt: Node, i: number) => {
    if (i === at) return statements;
    if (shape.drop.includes(i)) return [];
    if (stmt.type !== 'ImportDeclaration' || !shape.importLocal) return [stmt];
    const kept = stmt.specifiers.filter((s: Node) => s.local.name !== shape.importLocal);
    if (kept.length === stmt.specifiers.length) return [stmt];
    if (!kept.length) return [];
    return [importWith(snip, stmt, kept)];
  });
  fixRelativeImports(program, ctx.sourcePath, ctx.targetPath);
  removeUnusedImports(snip, program, (s) => s === 'next');

  const output = printProgram(j, program, source.text, ctx.sourcePath);
  const diagnostics = markerDiagnostics(output, ref.markers);
  return { status: diagnostics.length ? 'review' : 'migrated', output: source.restore(output), diagnostics, notes: ref.notes, usesCompat: false, methods: ref.methods };
}

/** The segment exports a route file declares (`export const dynamic = 'force-dynamic'`), as its text writes them. */
export function segmentExportsOf(routeText: string, routePath: string): string[] {
  const parsed = parseSourceOrNull(routeText, routePath);
  if (!parsed) return [];
  const text = parsed.source.text;
  return parsed.program.body.filter(isSegmentExport).map((s: Node) => nodeText(s, text));
}

/** The route that serves another route's handler under its own URL: see src/alias-routes.ts. */
export interface ServedRoute {
  /** The other route file as the pages file would import it (relative to the pages file). */
  specifier: string;
  methods: string[];
  /** Its segment exports, which this route repeats (a route file's config must be its own literal). */
  head: string[];
  note: string;
}

/** The route of a pages/api file that only serves another pages/api file's handler: it re-exports that file's route. */
export function servingRoute(rawSource: string, ctx: TransformContext, served: ServedRoute): TransformResult | null {
  const exports = served.methods.map((m) => ({ twin: m, methods: [m] }));
  // The served route's config, and the dynamic export that this URL needs of its own when Next would take it for a
  // metadata route (`/api/sitemap` serving `/api/sitemap-data`'s handler).
  const dynamic = served.methods.includes('GET') && prerendersGet(ctx) && !served.head.some((line) => /^export\s+const\s+dynamic\b/.test(line));
  const head = dynamic ? [...served.head, `export const dynamic = 'force-dynamic'${END}`] : served.head;
  return reexportRoute(rawSource, { ...ctx, handlerModule: { specifier: served.specifier, exports, head, markers: [], notes: [served.note], methods: served.methods } });
}
