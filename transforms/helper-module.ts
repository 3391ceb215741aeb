/**
 * A module outside pages/api whose exported helpers take `res` (`export function errorhandler(err, res) {…}`),
 * imported by handlers. For each helper that answers on every path, a route-handler twin is written right after it
 * (`errorhandlerResponse(err)`, returning the Response instead of sending it). The original stays as it was, for
 * any Pages code that still imports it. Pure: module text in, module text and twin descriptions out.
 */
import { apiFor, cloneNode, isIdent, isTypeScriptPath, namesIn, freshName, styleOf, unwrap, Snippets, END, type Node } from './lib/ast.js';
import { toHeaderFunction, toResponseFunction } from './lib/res-helpers.js';
import { toRouteWrapper } from './lib/route-wrapper.js';
import { toRequestFunction } from './lib/request-helper.js';
import { asDispatcherFactory } from './lib/called-dispatcher.js';
import { addImport, compatSpecifier } from './lib/imports.js';
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
  /**
   * A helper that takes res, a wrapper around handlers (transforms/lib/route-wrapper.ts), a dispatcher of a map of
   * handlers by method (the same file), or a helper that takes the request (transforms/lib/request-helper.ts).
   */
  kind: 'helper' | 'wrapper' | 'dispatcher' | 'request';
  /** The export handlers import (`default` for a default export). */
  name: string;
  /** The twin's export name. */
  twin: string;
  /** Position of the `res` parameter in the original (of the handler for a wrapper, of `req` for a request helper). */
  resIndex: number;
  /** Statuses the helper answers with (null where not a literal). */
  statuses: Array<number | null>;
  /** For a wrapper: the HTTP methods it tests for itself. */
  methods?: string[];
  /** A dispatcher called as `name(req, res, handlers)` (transforms/lib/called-dispatcher.ts). */
  called?: boolean;
  /** A helper that only sets headers: its twin takes the route's Headers in res's place; the names it sets. */
  setsHeaders?: string[] | null;
  /** A request helper that reads the body: its twin takes the parsed body at this position (the last). */
  bodyIndex?: number;
}

export interface HelperModuleResult {
  /** The module with the twins added; undefined when no helper could be twinned. */
  output?: string;
  twins: HelperTwin[];
}

type FoundFunction = { index: number; fn: Node; isConst: boolean; ownName: string };

/** A top-level `function name` or `const name = (…) => …` at `index`, exported or not. */
function functionAt(program: Node, index: number, name: string | null): FoundFunction | null {
  let decl = program.body[index];
  if (decl.type === 'ExportNamedDeclaration' || decl.type === 'ExportDefaultDeclaration') decl = decl.declaration;
  if (decl?.type === 'FunctionDeclaration' && decl.id && (name === null || decl.id.name === name)) return { index, fn: decl, isConst: false, ownName: decl.id.name };
  if (decl?.type === 'VariableDeclaration' && decl.declarations.length === 1) {
    const d = decl.declarations[0];
    const init = d.init && unwrap(d.init);
    if (d.id.type === 'Identifier' && (name === null || d.id.name === name) && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) return { index, fn: init, isConst: true, ownName: d.id.name };
  }
  return null;
}

/**
 * The exported function called `name`: `export function name`, `export const name = (…) => …`; for `default`,
 * `export default function name` or `export default name` of a top-level function.
 */
function exportedFunction(program: Node, name: string): FoundFunction | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (name !== 'default' && stmt.type === 'ExportNamedDeclaration' && stmt.declaration) {
      const found = functionAt(program, index, name);
      if (found) return found;
    }
    if (name === 'default' && stmt.type === 'ExportDefaultDeclaration') {
      if (stmt.declaration.type === 'FunctionDeclaration') return stmt.declaration.id ? functionAt(program, index, null) : null;
      if (!isIdent(stmt.declaration)) return null;
      for (let at = 0; at < program.body.length; at++) {
        const found = functionAt(program, at, stmt.declaration.name);
        if (found) return found;
      }
      return null;
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
  const typescript = isTypeScriptPath(ctx.modulePath);
  const hasAfter = versionAtLeast(ctx.nextVersion, 15, 1);
  const uses = new Set<string>();
  let needsNextRequest = false;
  const twins: HelperTwin[] = [];
  const inserts: Array<{ after: Node; statement: Node }> = [];
  for (const name of [...new Set(names)].sort()) {
    const found = exportedFunction(program, name);
    if (!found) continue;
    // The twin is a rewritten copy: the original keeps serving Pages code.
    const fn = cloneNode(found.fn);
    let wrapperStatement: Node | null = null;
    let twinned: { kind: HelperTwin['kind']; resIndex: number; statuses: Array<number | null>; uses: Set<string>; methods?: string[]; called?: boolean; setsHeaders?: string[] | null; bodyIndex?: number } | null = null;
    let twin = freshName(`${found.ownName}Response`, taken);
    const helper = toResponseFunction(j, snip, fn, hasAfter, taken);
    const headerHelper = helper ? null : toHeaderFunction(j, snip, fn, typescript, taken);
    if (helper) twinned = { kind: 'helper', ...helper };
    else if (headerHelper) {
      twin = freshName(`${found.ownName}Headers`, taken);
      twinned = { kind: 'helper', ...headerHelper };
    } else {
      twin = freshName(`${found.ownName}Route`, taken);
      const wrapper = toRouteWrapper(j, snip, cloneNode(found.fn), ctx.modulePath, twin, hasAfter, taken);
      // Not a factory: maybe a dispatcher called with (req, res, handlers), read as one.
      const factory = wrapper ? null : asDispatcherFactory(snip, cloneNode(found.fn), found.ownName);
      const calledForm = factory ? toRouteWrapper(j, snip, factory, ctx.modulePath, twin, hasAfter, taken) : null;
      const routeWrapper = wrapper ?? (calledForm?.dispatcher ? calledForm : null);
      if (routeWrapper?.usesNextRequest) needsNextRequest = true;
      if (routeWrapper) {
        wrapperStatement = routeWrapper.statement;
        twinned = { kind: routeWrapper.dispatcher ? 'dispatcher' : 'wrapper', resIndex: routeWrapper.handlerIndex, statuses: [], uses: routeWrapper.uses, methods: routeWrapper.methods, ...(routeWrapper === calledForm ? { called: true } : {}) };
      } else {
        const request = toRequestFunction(j, snip, fn, typescript, taken, true);
        if (request?.usesNextRequest) needsNextRequest = true;
        if (request) {
          twin = freshName(`${found.ownName}ForRoute`, taken);
          twinned = { kind: 'request', resIndex: request.reqIndex, statuses: [], uses: request.uses, ...(request.bodyIndex !== undefined ? { bodyIndex: request.bodyIndex } : {}) };
        }
      }
    }
    if (!twinned) continue;
    taken.add(twin);
    let statement: Node;
    if (wrapperStatement) statement = wrapperStatement;
    else if (found.isConst) {
      [statement] = snip.statements(`export const ${twin} = 0${END}`);
      statement.declaration.declarations[0].init = fn;
    } else {
      fn.id = j.identifier(twin);
      [statement] = snip.statements('export function placeholder() {}');
      statement.declaration = fn;
    }
    const what = {
      helper: twinned.setsHeaders !== undefined ? 'sets the headers of the route\'s next answer' : 'returns the Response instead of sending it',
      wrapper: 'wraps App Router route handlers',
      dispatcher: 'dispatches to App Router route handlers by method',
      request: 'takes the App Router request',
    }[twinned.kind];
    const comment = `// Route-handler version of ${found.ownName}: ${what} (next-pages-api-migrate).`;
    inserts.push({ after: program.body[found.index], statement: snip.withCommentsOf(statement, statement, [comment]) });
    twinned.uses.forEach((u) => uses.add(u));
    twins.push({ kind: twinned.kind, name, twin, resIndex: twinned.resIndex, statuses: twinned.statuses, ...(twinned.methods ? { methods: twinned.methods } : {}), ...(twinned.called ? { called: true } : {}), ...(twinned.setsHeaders !== undefined ? { setsHeaders: twinned.setsHeaders } : {}), ...(twinned.bodyIndex !== undefined ? { bodyIndex: twinned.bodyIndex } : {}) });
  }
  if (!twins.length) return { twins };
  for (const { after, statement } of inserts) program.body.splice(program.body.indexOf(after) + 1, 0, statement);
  // A module that already imports one of these names keeps its own import.
  const server = [...uses].filter((u) => (u === 'NextResponse' || u === 'after') && !taken.has(u)).sort();
  const serverTypes = needsNextRequest && !taken.has('NextRequest') ? ['NextRequest'] : [];
  addImport(snip, program, 'next/server', { values: server, types: serverTypes }, typescript);
  const compat = [...uses].filter((u) => u !== 'NextResponse' && u !== 'after' && !taken.has(u)).sort();
  if (compat.length) {
    addImport(snip, program, compatSpecifier(ctx.modulePath, ctx.compatPath), { values: compat, types: [] }, typescript);
  }
  return { output: source.restore(printProgram(j, program, source.text, ctx.modulePath)), twins };
}
