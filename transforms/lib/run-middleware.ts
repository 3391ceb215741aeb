/**
 * Express/connect middleware run to completion inside a Pages handler, as apps write it, and what the transform can
 * tell about it from a module's syntax tree (the handler's own file, or a project module it imports):
 *  - the run: `await runMiddleware(req, res, middleware)`, where `runMiddleware` is the helper of the Next.js docs,
 *    `(req, res, fn) => new Promise((resolve, reject) => fn(req, res, (result) => result instanceof Error ?
 *    reject(result) : resolve(result)))` (also as a function, with types, with an if/else or an early `return
 *    reject(…)`); or inline, `await new Promise((resolve, reject) => middleware(req, res, (err) => err ? reject(err)
 *    : resolve()))`. Both settle when the middleware calls `next`: rejected with the error it passes, resolved
 *    otherwise. A recipe that knows what a middleware does (multer, cors) replaces the whole run.
 *  - the cors middleware: `const cors = Cors({ …options })` at module scope, `Cors` the default export of `cors`,
 *    its options absent or an object literal (what cors reads from the request then is only the method and headers;
 *    an options function `Cors((req, callback) => …)` may read anything of req, and is not followed).
 * Pure: syntax trees in, names out.
 */
import { apiFor, countIdentifiers, isFunction, isIdent, unwrap, type Node } from './ast.js';
import { valueImports } from './imports.js';
import { bufferReadersOf } from './body-readers.js';

/** The connect middlewares whose run the transform can reproduce on a Request: header-only ones. */
export type MiddlewareKind = 'run-middleware' | 'cors' | 'init-middleware';

/** Whether `fn` is the runner: `(req, res, fn) => new Promise((resolve, reject) => fn(req, res, settle))`. */
export function isRunMiddlewareFunction(fn: Node): boolean {
  if (!isFunction(fn) || fn.params.length !== 3 || !fn.params.every((p: Node) => p.type === 'Identifier')) return false;
  const [reqParam, resParam, fnParam] = fn.params.map((p: Node) => p.name);
  const returned = returnedExpression(fn);
  if (returned?.type !== 'NewExpression') return false;
  const called = promiseRun(returned, reqParam, resParam);
  return called !== null && isIdent(called, fnParam);
}

/**
 * Whether `fn` is the curried runner of the Next.js examples: `initMiddleware(middleware)` returns `(req, res) => new
 * Promise((resolve, reject) => middleware(req, res, settle))`, so `await cors(req, res)` on `const cors =
 * initMiddleware(Cors(options))` is the same run as `await runMiddleware(req, res, Cors(options))`.
 */
export function isInitMiddlewareFunction(fn: Node): boolean {
  if (!isFunction(fn) || fn.params.length !== 1 || fn.params[0].type !== 'Identifier') return false;
  const inner = returnedExpression(fn);
  if (!inner || !isFunction(inner) || inner.params.length !== 2 || !inner.params.every((p: Node) => p.type === 'Identifier')) return false;
  const [reqParam, resParam] = inner.params.map((p: Node) => p.name);
  const returned = returnedExpression(inner);
  if (returned?.type !== 'NewExpression') return false;
  const called = promiseRun(returned, reqParam, resParam);
  return called !== null && isIdent(called, fn.params[0].name);
}

/** The runner kind of a function: the three-argument runner, the curried one, or neither. */
function runnerKind(fn: Node): MiddlewareKind | null {
  return isRunMiddlewareFunction(fn) ? 'run-middleware' : isInitMiddlewareFunction(fn) ? 'init-middleware' : null;
}

/** Local names of the `cors` package's default export (`import Cors from 'cors'`). */
export function corsFactories(program: Node): Set<string> {
  return new Set(valueImports(program, 'cors').filter((i) => i.imported === 'default').map((i) => i.local));
}

/** A module-scope `const x = Cors(options)`: null when it is not one, else why it cannot be followed (or ''). */
export function corsInstanceProblem(init: Node, factories: Set<string>): string | null {
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
    const defaultFunction = top.type === 'ExportDefaultDeclaration' && top.declaration?.type === 'FunctionDeclaration' && top.declaration.id ? top.declaration : null;
    if (defaultFunction) out.exported.set(defaultFunction.id.name, 'default');
    const defaultKind = defaultFunction ? runnerKind(defaultFunction) : null;
    if (defaultKind) out.names.set(defaultFunction.id.name, defaultKind);
    // `const initMiddleware = (middleware) => …; export default initMiddleware`.
    if (top.type === 'ExportDefaultDeclaration' && top.declaration?.type === 'Identifier') out.exported.set(top.declaration.name, 'default');
    if (stmt.type === 'FunctionDeclaration' && stmt.id) {
      if (isExport) out.exported.set(stmt.id.name, stmt.id.name);
      const kind = runnerKind(stmt);
      if (kind) out.names.set(stmt.id.name, kind), out.declarations.set(stmt.id.name, top);
      continue;
    }
    if (stmt.type !== 'VariableDeclaration') continue;
    // Every exported variable is named (a body reader may be a `let`); only a `const` holds a runner or a cors middleware.
    if (isExport) for (const d of stmt.declarations) if (isIdent(d.id)) out.exported.set(d.id.name, d.id.name);
    if (stmt.kind !== 'const') continue;
    for (const d of stmt.declarations) {
      if (!isIdent(d.id) || !d.init) continue;
      const kind = runnerKind(unwrap(d.init));
      if (kind) {
        out.names.set(d.id.name, kind);
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
export function middlewareExports(text: string, modulePath: string, names: string[]): Array<{ imported: string; kind: MiddlewareKind | 'body-reader' }> {
  let program: Node;
  try {
    program = apiFor(modulePath)(text).get().node.program;
  } catch {
    return [];
  }
  const found = moduleMiddleware(program);
  const out: Array<{ imported: string; kind: MiddlewareKind | 'body-reader'; text?: string[] }> = [];
  for (const [local, exported] of found.exported) {
    const kind = found.names.get(local);
    if (kind && names.includes(exported)) out.push({ imported: exported, kind });
  }
  const readers = bufferReadersOf(program);
  for (const [local, exported] of found.exported) {
    const reader = readers.get(local);
    if (reader && names.includes(exported)) out.push({ imported: exported, kind: 'body-reader', ...(reader.text ? { text: reader.text } : {}) });
  }
  return out;
}

export interface MiddlewareRun {
  /** The middleware expression, as passed: `upload.single('file')`, `cors`. */
  middleware: Node;
  /** The same-file runner function it went through (`runMiddleware`), if any. */
  runner?: string;
}

/** What `stmt` awaits, when it is an `await …` statement. */
function awaitedBy(stmt: Node): Node | null {
  if (stmt?.type !== 'ExpressionStatement') return null;
  const awaited = unwrap(stmt.expression);
  return awaited?.type === 'AwaitExpression' ? unwrap(awaited.argument) : null;
}

/** `await run(req, res, middleware)` as a statement, whatever `run` is: the call, or null. */
export function awaitedRunCall(stmt: Node, reqName: string, resName: string): Node | null {
  const run = awaitedBy(stmt);
  if (run?.type !== 'CallExpression' || !isIdent(run.callee) || run.arguments.length !== 3) return null;
  const [req, res] = run.arguments;
  return isIdent(unwrap(req), reqName) && isIdent(unwrap(res), resName) ? run : null;
}

/** `await <run>` as a statement: the middleware it runs, or null for any other statement. */
export function awaitedMiddlewareRun(stmt: Node, program: Node, reqName: string, resName: string): MiddlewareRun | null {
  const awaited = awaitedBy(stmt);
  if (awaited?.type === 'NewExpression') {
    const middleware = promiseRun(awaited, reqName, resName);
    return middleware ? { middleware } : null;
  }
  const run = awaitedRunCall(stmt, reqName, resName);
  if (!run) return null;
  const runner = moduleMiddleware(program).names.get(run.callee.name) === 'run-middleware';
  return runner ? { middleware: run.arguments[2], runner: run.callee.name } : null;
}

/**
 * The statement declaring the same-file runner `name` when it can go: nothing but its declaration names it any more,
 * and the module does not export it.
 */
export function unusedRunner(program: Node, name: string): Node | null {
  const own = moduleMiddleware(program);
  const declaration = own.declarations.get(name);
  return declaration && !own.exported.has(name) && countIdentifiers(program, name) === 1 ? declaration : null;
}

function returnedExpression(fn: Node): Node | null {
  if (fn.body.type !== 'BlockStatement') return unwrap(fn.body);
  const [only] = fn.body.body;
  return fn.body.body.length === 1 && only.type === 'ReturnStatement' ? unwrap(only.argument) : null;
}

/** `new Promise((resolve, reject) => { mw(req, res, settle) })` → `mw`, when `settle` rejects with an error and resolves otherwise. */
function promiseRun(node: Node, reqName: string, resName: string): Node | null {
  if (!isIdent(node.callee, 'Promise') || node.arguments.length !== 1) return null;
  const executor = unwrap(node.arguments[0]);
  if (!isFunction(executor) || executor.params.length !== 2 || !executor.params.every((p: Node) => p.type === 'Identifier')) return null;
  const [resolve, reject] = executor.params.map((p: Node) => p.name);
  const body = executor.body.type === 'BlockStatement' ? executor.body.body : [{ type: 'ExpressionStatement', expression: executor.body }];
  if (body.length !== 1 || body[0].type !== 'ExpressionStatement') return null;
  const call = unwrap(body[0].expression);
  if (call?.type !== 'CallExpression' || call.arguments.length !== 3) return null;
  const [req, res, settle] = call.arguments;
  if (!isIdent(unwrap(req), reqName) || !isIdent(unwrap(res), resName) || !settles(unwrap(settle), resolve, reject)) return null;
  return call.callee;
}

/**
 * `(err) => err ? reject(err) : resolve()`, `(result) => { if (result instanceof Error) return reject(result); return
 * resolve(result) }` and the like: rejects with what `next` passed when it is an error (or truthy), resolves
 * otherwise. The two tests agree for middleware that passes either nothing or an Error.
 */
function settles(fn: Node, resolve: string, reject: string): boolean {
  if (!isFunction(fn) || fn.params.length !== 1 || fn.params[0].type !== 'Identifier') return false;
  const param = fn.params[0].name;
  const isTest = (t: Node) => isIdent(unwrap(t), param) || (t.type === 'BinaryExpression' && t.operator === 'instanceof' && isIdent(unwrap(t.left), param) && isIdent(t.right, 'Error'));
  const calls = (n: Node, name: string, withParam: boolean): boolean => {
    let s = unwrap(n);
    if (s?.type === 'BlockStatement' && s.body.length === 1) s = s.body[0];
    if (s?.type === 'ReturnStatement' || s?.type === 'ExpressionStatement') s = unwrap(s.type === 'ReturnStatement' ? s.argument : s.expression);
    return s?.type === 'CallExpression' && isIdent(s.callee, name) && s.arguments.length <= 1 && (!withParam || (s.arguments.length === 1 && isIdent(unwrap(s.arguments[0]), param)));
  };
  const body = fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ExpressionStatement', expression: fn.body }];
  if (body.length === 1 && body[0].type === 'ExpressionStatement' && unwrap(body[0].expression).type === 'ConditionalExpression') {
    const c = unwrap(body[0].expression);
    return isTest(c.test) && calls(c.consequent, reject, true) && calls(c.alternate, resolve, false);
  }
  if (body.length === 1 && body[0].type === 'IfStatement' && body[0].alternate) {
    return isTest(body[0].test) && calls(body[0].consequent, reject, true) && calls(body[0].alternate, resolve, false);
  }
  // `if (err) return reject(err)` then `resolve(…)`: the if must leave the callback.
  if (body.length === 2 && body[0].type === 'IfStatement' && !body[0].alternate) {
    const exits = (s: Node) => s.type === 'ReturnStatement' || (s.type === 'BlockStatement' && s.body.length === 1 && s.body[0].type === 'ReturnStatement');
    return isTest(body[0].test) && exits(body[0].consequent) && calls(body[0].consequent, reject, true) && calls(body[1], resolve, false);
  }
  return false;
}
