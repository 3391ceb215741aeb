/**
 * `export const config = { api: {...}, runtime, maxDuration, regions }` → route segment config exports.
 * Route files may export only known names, so the `config` export itself always goes.
 */
import { unwrap, stringValue, type Node, type Snippets, END } from './ast.js';

export interface SegmentConfig {
  /** Statements to emit in place of the config export. */
  exports: Node[];
  rawBody: boolean;
  /** `api.bodyParser.sizeLimit`, as code: the body reader answers 413 over it, as Pages did. */
  bodyLimit?: string;
  isEdge: boolean;
  /** Options dropped because the App Router has no equivalent (report notes). */
  dropped: string[];
  /** Keys the tool does not know: kept out of the route, flagged for review. */
  unknown: string[];
  hasDynamic: boolean;
}

function keyName(prop: Node): string | null {
  if (prop.type !== 'ObjectProperty' || prop.computed) return null;
  return prop.key.type === 'Identifier' ? prop.key.name : stringValue(prop.key);
}

/** The segment options a route file exports (`export const dynamic = …`): a route may export only these and its methods. */
export const SEGMENT_EXPORTS = ['runtime', 'maxDuration', 'preferredRegion', 'dynamic', 'revalidate', 'fetchCache', 'dynamicParams'];

/** Whether `stmt` is `export const <segment option> = …` (every declarator one): what a route repeats or keeps. */
export function isSegmentExport(stmt: Node): boolean {
  const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : null;
  return decl?.type === 'VariableDeclaration' && decl.declarations.every((d: Node) => SEGMENT_EXPORTS.includes(d.id?.name));
}

/**
 * Pages reads the runtime of an API route from a segment export too (`export const runtime = 'edge'`), before the
 * config's (Next's get-page-static-info: `runtime || config.runtime`). Where there is one, the config's runtime is
 * dropped (the route keeps the export, `experimental-edge` written as `edge`), and the route is an Edge one or not by it.
 */
export function applyRuntimeExport(snip: Snippets, program: Node, config: SegmentConfig | null): SegmentConfig | null | 'unreadable' {
  const own = program.body.find((s: Node) => isSegmentExport(s) && !config?.exports.includes(s) && s.declaration.declarations.some((d: Node) => d.id.name === 'runtime'));
  const declarator = own?.declaration.declarations.find((d: Node) => d.id.name === 'runtime');
  if (!declarator) return config;
  // One the tool cannot read (`process.env.RUNTIME`): which runtime Pages used is not known.
  const runtime = stringValue(declarator.init);
  if (runtime === null) return 'unreadable';
  if (runtime === 'experimental-edge') declarator.init = snip.expression(snip.str('edge'));
  const isEdge = runtime === 'edge' || runtime === 'experimental-edge';
  // The config's own runtime, already written in its place (extractConfig): it goes, its comments to the config's
  // next export, or to the file's runtime export when none follows.
  const exports = config?.exports ?? [];
  const configRuntime = exports.find((s: Node) => s.declaration.declarations[0].id.name === 'runtime');
  let kept = exports;
  if (configRuntime) {
    const next = exports[exports.indexOf(configRuntime) + 1] ?? own;
    const commented = snip.withCommentsOf(configRuntime, next);
    program.body.splice(program.body.indexOf(next), 1, commented);
    program.body.splice(program.body.indexOf(configRuntime), 1);
    kept = exports.filter((s: Node) => s !== configRuntime).map((s: Node) => (s === next ? commented : s));
  }
  return { rawBody: false, dropped: [], unknown: [], hasDynamic: false, ...config, exports: kept, isEdge };
}

/** Whether `stmt` is `export const config = …` (with other declarators or not). */
export function isConfigExport(stmt: Node): boolean {
  return stmt.type === 'ExportNamedDeclaration' && stmt.declaration?.type === 'VariableDeclaration' && stmt.declaration.declarations.some((d: Node) => d.id.type === 'Identifier' && d.id.name === 'config');
}

/** The report note for options dropped from the config, if any. */
export function droppedConfigNotes(config: SegmentConfig | null): string[] {
  return config?.dropped.length ? [`config dropped (no App Router equivalent): ${config.dropped.join(', ')}`] : [];
}

/** Finds and removes `export const config`; returns null when there is none, 'unreadable' when it is not a literal. */
export function extractConfig(snip: Snippets, program: Node): SegmentConfig | null | 'unreadable' {
  const index = program.body.findIndex(isConfigExport);
  if (index < 0) return null;
  const statement = program.body[index];
  if (statement.declaration.declarations.length !== 1) return 'unreadable';
  const init = unwrap(statement.declaration.declarations[0].init);
  if (init?.type !== 'ObjectExpression') return 'unreadable';
  const result: SegmentConfig = { exports: [], rawBody: false, isEdge: false, dropped: [], unknown: [], hasDynamic: false };
  const exportConst = (name: string, value: Node | string) => snip.statements(`export const ${name} = ${typeof value === 'string' ? value : snip.src(value)}${END}`)[0];
  for (const prop of init.properties) {
    const key = keyName(prop);
    if (key === null) return 'unreadable';
    const value = prop.value;
    switch (key) {
      case 'api':
        if (unwrap(value).type !== 'ObjectExpression') return 'unreadable';
        for (const apiProp of unwrap(value).properties) {
          const apiKey = keyName(apiProp);
          if (apiKey === 'bodyParser') {
            const v = unwrap(apiProp.value);
            if (v.type === 'BooleanLiteral' && v.value === false) result.rawBody = true;
            else if (v.type === 'ObjectExpression') {
              for (const option of v.properties) {
                if (keyName(option) === 'sizeLimit') result.bodyLimit = snip.src(option.value);
                else result.dropped.push(`api.bodyParser.${keyName(option) ?? '?'}`);
              }
            }
          } else if (apiKey === 'responseLimit' || apiKey === 'externalResolver') result.dropped.push(`api.${apiKey}`);
          else result.unknown.push(`api.${apiKey ?? '?'}`);
        }
        break;
      case 'runtime': {
        const runtime = stringValue(value);
        result.isEdge = runtime === 'edge' || runtime === 'experimental-edge';
        result.exports.push(exportConst('runtime', runtime === 'experimental-edge' ? snip.str('edge') : value));
        break;
      }
      case 'maxDuration':
        result.exports.push(exportConst('maxDuration', value));
        break;
      case 'regions':
        result.exports.push(exportConst('preferredRegion', value));
        break;
      case 'dynamic':
      case 'revalidate':
      case 'fetchCache':
      case 'preferredRegion':
      case 'dynamicParams':
        if (key === 'dynamic') result.hasDynamic = true;
        result.exports.push(exportConst(key, value));
        break;
      // Vercel's switch for streaming Pages API responses: route handlers always stream, so nothing is lost.
      case 'supportsResponseStreaming':
        result.dropped.push(key);
        break;
      default:
        result.unknown.push(key);
    }
  }
  // A segment export given twice (a key repeated, or regions beside preferredRegion) would not compile; JavaScript
  // keeps the last key, but a repeated key is usually a merge mistake worth a human look (found by the fuzz test).
  const names = result.exports.map((e: Node) => e.declaration.declarations[0].id.name);
  if (new Set(names).size !== names.length) return 'unreadable';
  if (result.exports.length) result.exports[0] = snip.withCommentsOf(statement, result.exports[0]);
  program.body.splice(index, 1, ...result.exports);
  return result;
}
