/**
 * Recognises the pieces of the "run a connect middleware in a Pages handler" pattern that Next.js's docs showed for
 * the `cors` package, in a module's syntax tree (the handler's own file, or a project module it imports):
 *  - the runner: `function runMiddleware(req, res, fn) { return new Promise((resolve, reject) => { fn(req, res,
 *    (result) => result instanceof Error ? reject(result) : resolve(result)) }) }` (also as an arrow, with types, with
 *    `if (result instanceof Error) return reject(result); return resolve(result)`);
 *  - the middleware: `const cors = Cors({ …options })` at module scope, `Cors` the default export of `cors`, its
 *    options absent or an object literal (what cors reads from the request then is only the method and headers;
 *    an options function `Cors((req, callback) => …)` may read anything of req, and is not followed).
 * Pure: syntax trees in, names out.
 */
import { apiFor, isFunction, isIdent, unwrap, type Node } from './ast.js';

/** The connect middlewares whose run the transform can reproduce on a Request: header-only ones. */
export type MiddlewareKind = 'run-middleware' | 'cors';

function params(fn: Node): string[] | null {
  const names = fn.params.map((p: Node) => (isIdent(p) ? p.name : null));
  return names.every(Boolean) ? names : null;
}

/** A function's single returned expression: `{ return x }` or an arrow's expression body. */
function returned(fn: Node): Node | null {
  if (fn.body.type !== 'BlockStatement') return unwrap(fn.body);
  const [only] = fn.body.body;
  return fn.body.body.length === 1 && only.type === 'ReturnStatement' ? unwrap(only.argument) : null;
}

/** The statements of a function body, an expression body as one statement. */
function statementsOf(fn: Node): Node[] {
  return fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ExpressionStatement', expression: fn.body }];
}

function isCallOf(node: Node, callee: string, arg: string): boolean {
  const n = unwrap(node);
  return n?.type === 'CallExpression' && isIdent(n.callee, callee) && n.arguments.length === 1 && isIdent(n.arguments[0], arg);
}

/** `reject(r)` or `return reject(r)`, also alone in a block. */
function settles(stmt: Node, callee: string, arg: string): boolean {
  if (stmt?.type === 'BlockStatement') return stmt.body.length === 1 && settles(stmt.body[0], callee, arg);
  if (stmt?.type === 'ExpressionStatement') return isCallOf(stmt.expression, callee, arg);
  return stmt?.type === 'ReturnStatement' && isCallOf(stmt.argument, callee, arg);
}

function isErrorTest(node: Node, arg: string): boolean {
  const n = unwrap(node);
  return n?.type === 'BinaryExpression' && n.operator === 'instanceof' && isIdent(n.left, arg) && isIdent(n.right, 'Error');
}

/** The callback `(result) => result instanceof Error ? reject(result) : resolve(result)`, in its usual spellings. */
function isSettlingCallback(cb: Node, resolve: string, reject: string): boolean {
  if (!isFunction(cb) || cb.params.length !== 1 || !isIdent(cb.params[0])) return false;
  const r = cb.params[0].name;
  const body = statementsOf(cb);
  const single = body.length === 1 ? body[0] : null;
  const expr = single?.type === 'ExpressionStatement' ? unwrap(single.expression) : single?.type === 'ReturnStatement' ? unwrap(single.argument) : null;
  if (expr?.type === 'ConditionalExpression') return isErrorTest(expr.test, r) && isCallOf(expr.consequent, reject, r) && isCallOf(expr.alternate, resolve, r);
  const [test, rest] = body;
  if (test?.type !== 'IfStatement' || !isErrorTest(test.test, r) || !settles(test.consequent, reject, r)) return false;
  if (test.alternate) return body.length === 1 && settles(test.alternate, resolve, r);
  // Without an else, the reject must return, or resolve would run after it (harmless for a promise, but not the shape).
  return body.length === 2 && settles(rest, resolve, r);
}

/** Whether `fn` is the runner: `(req, res, fn) => new Promise((resolve, reject) => fn(req, res, settle))`. */
export function isRunMiddlewareFunction(fn: Node): boolean {
  if (!isFunction(fn) || fn.params.length !== 3) return false;
  const names = params(fn);
  const promise = returned(fn);
  if (!names || promise?.type !== 'NewExpression' || !isIdent(promise.callee, 'Promise') || promise.arguments.length !== 1) return false;
  const executor = promise.arguments[0];
  if (!isFunction(executor) || executor.params.length !== 2) return false;
  const [resolve, reject] = params(executor) ?? [];
  const body = statementsOf(executor);
  const call = body.length === 1 && body[0].type === 'ExpressionStatement' ? unwrap(body[0].expression) : null;
  if (!resolve || call?.type !== 'CallExpression' || !isIdent(call.callee, names[2]) || call.arguments.length !== 3) return false;
  return isIdent(call.arguments[0], names[0]) && isIdent(call.arguments[1], names[1]) && isSettlingCallback(call.arguments[2], resolve, reject);
}

/** Local names of the `cors` package's default export (`import Cors from 'cors'`). */
function corsFactories(program: Node): Set<string> {
  const names = new Set<string>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.source.value !== 'cors' || stmt.importKind === 'type') continue;
    for (const s of stmt.specifiers ?? []) if (s.type === 'ImportDefaultSpecifier') names.add(s.local.name);
  }
  return names;
}

/** A module-scope `const x = Cors(options)`: null when it is not one, else why it cannot be followed (or ''). */
function corsInstanceProblem(init: Node, factories: Set<string>): string | null {
  const call = unwrap(init);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee) || !factories.has(call.callee.name)) return null;
  if (call.arguments.length > 1) return 'cors is called with more than one argument';
  const options = call.arguments[0] && unwrap(call.arguments[0]);
  if (!options) return '';
  if (isFunction(options)) return 'the cors options are a function of the request ((req, callback) => …), which may read anything of req';
  if (options.type !== 'ObjectExpression') return 'the cors options are not an object literal';
  if (options.properties.some((p: Node) => p.type === 'SpreadElement' || p.computed)) return 'the cors options spread or compute a key';
  return '';
}

export interface ModuleMiddleware {
  /** Module-scope names of the recognised runner and cors middlewares. */
  names: Map<string, MiddlewareKind>;
  /** Module-scope names created with cors that cannot be followed, and why. */
  problems: Map<string, string>;
  /** Declaration statements by name, for removing a runner nothing calls any more. */
  declarations: Map<string, Node>;
  /** Names exported, and under which export name (`export { x as y }`, `export function x`). */
  exported: Map<string, string>;
}

/** The runners and cors middlewares declared at the top of `program`. */
export function moduleMiddleware(program: Node): ModuleMiddleware {
  const out: ModuleMiddleware = { names: new Map(), problems: new Map(), declarations: new Map(), exported: new Map() };
  const factories = corsFactories(program);
  for (const top of program.body) {
    const isExport = top.type === 'ExportNamedDeclaration' && top.declaration;
    const stmt = isExport ? top.declaration : top;
    if (top.type === 'ExportNamedDeclaration' && !top.declaration && !top.source) {
      for (const s of top.specifiers ?? []) if (s.exportKind !== 'type') out.exported.set(s.local.name, s.exported.name);
    }
    if (top.type === 'ExportDefaultDeclaration' && top.declaration?.type === 'FunctionDeclaration' && top.declaration.id && isRunMiddlewareFunction(top.declaration)) {
      out.names.set(top.declaration.id.name, 'run-middleware');
      out.exported.set(top.declaration.id.name, 'default');
    }
    if (stmt.type === 'FunctionDeclaration' && stmt.id) {
      if (isExport) out.exported.set(stmt.id.name, stmt.id.name);
      if (isRunMiddlewareFunction(stmt)) out.names.set(stmt.id.name, 'run-middleware'), out.declarations.set(stmt.id.name, top);
      continue;
    }
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    for (const d of stmt.declarations) {
      if (!isIdent(d.id) || !d.init) continue;
      if (isExport) out.exported.set(d.id.name, d.id.name);
      if (isRunMiddlewareFunction(unwrap(d.init))) {
        out.names.set(d.id.name, 'run-middleware');
        if (stmt.declarations.length === 1) out.declarations.set(d.id.name, top);
        continue;
      }
      const problem = corsInstanceProblem(d.init, factories);
      if (problem === '') out.names.set(d.id.name, 'cors');
      else if (problem !== null) out.problems.set(d.id.name, problem);
    }
  }
  return out;
}

/**
 * For the cross-file pass: which of `names` (export names of the module at `modulePath`) are a recognised runner or
 * cors middleware. A module that does not parse has none.
 */
export function middlewareExports(text: string, modulePath: string, names: string[]): Array<{ imported: string; kind: MiddlewareKind }> {
  let program: Node;
  try {
    program = apiFor(modulePath)(text).get().node.program;
  } catch {
    return [];
  }
  const found = moduleMiddleware(program);
  const out: Array<{ imported: string; kind: MiddlewareKind }> = [];
  for (const [local, exported] of found.exported) {
    const kind = found.names.get(local);
    if (kind && names.includes(exported)) out.push({ imported: exported, kind });
  }
  return out;
}
