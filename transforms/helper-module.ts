/**
 * A module outside pages/api whose exported helpers take `res` (`export function errorhandler(err, res) {…}`),
 * imported by handlers. For each helper that answers on every path, a route-handler twin is written right after it
 * (`errorhandlerResponse(err)`, returning the Response instead of sending it). The original stays as it was, for
 * any Pages code that still imports it. Pure: module text in, module text and twin descriptions out.
 */
import { posix } from 'node:path';
import { apiFor, cloneNode, isIdent, namesIn, freshName, styleOf, unwrap, Snippets, END, type Node } from './lib/ast.js';
import { toResponseFunction } from './lib/res-helpers.js';
import { addImport } from './lib/imports.js';
import { printProgram } from './lib/print.js';
import { normalizeSource } from './lib/source-text.js';
import { versionAtLeast } from './lib/version.js';

export interface HelperModuleContext {
  /** Posix path of the module relative to the app root. */
  modulePath: string;
  /** Posix path of the compat module relative to the app root. */
  compatPath: string;
  nextVersion: string;
}

export interface HelperTwin {
  /** The export handlers import. */
  name: string;
  /** The twin's export name. */
  twin: string;
  /** Position of the `res` parameter in the original. */
  resIndex: number;
  /** Statuses the helper answers with (null where not a literal). */
  statuses: Array<number | null>;
}

export interface HelperModuleResult {
  /** The module with the twins added; undefined when no helper could be twinned. */
  output?: string;
  twins: HelperTwin[];
}

/** The exported function called `name`: `export function name` or `export const name = (…) => …`. */
function exportedFunction(program: Node, name: string): { index: number; fn: Node; isConst: boolean } | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (stmt.type !== 'ExportNamedDeclaration' || !stmt.declaration) continue;
    const decl = stmt.declaration;
    if (decl.type === 'FunctionDeclaration' && decl.id?.name === name) return { index, fn: decl, isConst: false };
    if (decl.type === 'VariableDeclaration' && decl.declarations.length === 1) {
      const d = decl.declarations[0];
      const init = d.init && unwrap(d.init);
      if (isIdent(d.id, name) && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) return { index, fn: init, isConst: true };
    }
  }
  return null;
}

export function twinResponseHelpers(rawSource: string, ctx: HelperModuleContext, names: string[]): HelperModuleResult {
  const source = normalizeSource(rawSource);
  const j = apiFor(ctx.modulePath);
  const snip = new Snippets(ctx.modulePath, styleOf(source.text));
  let program: Node;
  try {
    program = j(source.text).get().node.program;
  } catch {
    return { twins: [] };
  }
  const taken = namesIn(program);
  const hasAfter = versionAtLeast(ctx.nextVersion, 15, 1);
  const uses = new Set<string>();
  const twins: HelperTwin[] = [];
  const inserts: Array<{ after: Node; statement: Node }> = [];
  for (const name of [...new Set(names)].sort()) {
    const found = exportedFunction(program, name);
    if (!found) continue;
    // The twin is a rewritten copy: the original keeps serving Pages code.
    const fn = cloneNode(found.fn);
    const rewritten = toResponseFunction(j, snip, fn, hasAfter, taken);
    if (!rewritten) continue;
    const twin = freshName(`${name}Response`, taken);
    let statement: Node;
    if (found.isConst) {
      [statement] = snip.statements(`export const ${twin} = 0${END}`);
      statement.declaration.declarations[0].init = fn;
    } else {
      fn.id = j.identifier(twin);
      [statement] = snip.statements('export function placeholder() {}');
      statement.declaration = fn;
    }
    const comment = `// Route-handler version of ${name}: returns the Response instead of sending it (next-pages-api-migrate).`;
    inserts.push({ after: program.body[found.index], statement: snip.withCommentsOf(statement, statement, [comment]) });
    rewritten.uses.forEach((u) => uses.add(u));
    twins.push({ name, twin, resIndex: rewritten.resIndex, statuses: rewritten.statuses });
  }
  if (!twins.length) return { twins };
  for (const { after, statement } of inserts) program.body.splice(program.body.indexOf(after) + 1, 0, statement);
  const typescript = /\.(ts|tsx|mts|cts)$/.test(ctx.modulePath);
  // A module that already imports one of these names keeps its own import.
  const server = [...uses].filter((u) => (u === 'NextResponse' || u === 'after') && !taken.has(u)).sort();
  addImport(snip, program, 'next/server', { values: server, types: [] }, typescript);
  const compat = [...uses].filter((u) => u !== 'NextResponse' && u !== 'after' && !taken.has(u)).sort();
  if (compat.length) {
    let specifier = posix.relative(posix.dirname(ctx.modulePath), ctx.compatPath.replace(/\.(ts|js)$/, ''));
    if (!specifier.startsWith('.')) specifier = `./${specifier}`;
    addImport(snip, program, specifier, { values: compat, types: [] }, typescript);
  }
  return { output: source.restore(printProgram(j, program, source.text, ctx.modulePath)), twins };
}
