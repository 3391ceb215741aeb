/**
 * Express-style middleware run to completion inside a Pages handler, the two ways apps write it:
 *  - `await runMiddleware(req, res, middleware)`, where `runMiddleware` is a function of the same file that returns
 *    `new Promise((resolve, reject) => fn(req, res, (result) => result instanceof Error ? reject(result) :
 *    resolve(result)))` (the helper of the Next.js docs);
 *  - `await new Promise((resolve, reject) => middleware(req, res, (err) => err ? reject(err) : resolve()))` inline.
 * Both settle when the middleware calls `next`: rejected with the error it passes, resolved otherwise. A recipe
 * that knows what a middleware does to req (multer, cors) replaces the whole awaited run with its route-handler form.
 */
import { isFunction, isIdent, unwrap, walk, type Node } from './ast.js';

export interface MiddlewareRun {
  /** The middleware expression, as passed: `upload.single('file')`, `cors`. */
  middleware: Node;
  /** The same-file runner function it went through (`runMiddleware`), if any. */
  runner?: string;
}

/** `await <run>` as a statement: the middleware it runs, or null for any other statement. */
export function awaitedMiddlewareRun(stmt: Node, program: Node, reqName: string, resName: string): MiddlewareRun | null {
  if (stmt?.type !== 'ExpressionStatement') return null;
  const awaited = unwrap(stmt.expression);
  if (awaited?.type !== 'AwaitExpression') return null;
  const run = unwrap(awaited.argument);
  if (run?.type === 'NewExpression') {
    const middleware = promiseRun(run, reqName, resName);
    return middleware ? { middleware } : null;
  }
  if (run?.type !== 'CallExpression' || !isIdent(run.callee) || run.arguments.length !== 3) return null;
  const [req, res, middleware] = run.arguments;
  if (!isIdent(unwrap(req), reqName) || !isIdent(unwrap(res), resName)) return null;
  const runner = sameFileFunction(program, run.callee.name);
  if (!runner || runner.params.length !== 3 || !runner.params.every((p: Node) => p.type === 'Identifier')) return null;
  const [reqParam, resParam, fnParam] = runner.params.map((p: Node) => p.name);
  const returned = returnedExpression(runner);
  if (returned?.type !== 'NewExpression') return null;
  const called = promiseRun(returned, reqParam, resParam);
  return called && isIdent(called, fnParam) ? { middleware, runner: run.callee.name } : null;
}

/** The function a same-file `function name(…)` or `const name = (…) => …` declares. */
export function sameFileFunction(program: Node, name: string): Node | null {
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'FunctionDeclaration' && stmt.id?.name === name) return stmt;
    if (stmt?.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    const decl = stmt.declarations.find((d: Node) => isIdent(d.id, name));
    if (decl && isFunction(unwrap(decl.init))) return unwrap(decl.init);
  }
  return null;
}

/** The runner's statement in the module body when nothing else refers to it any more: it can go. */
export function unusedRunner(program: Node, name: string): Node | null {
  let uses = 0;
  walk(program, (n, parent, key) => {
    const property = (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed;
    if (n.type === 'Identifier' && n.name === name && !property) uses++;
  });
  if (uses !== 1) return null;
  return program.body.find((s: Node) => (s.type === 'FunctionDeclaration' && s.id?.name === name) || (s.type === 'VariableDeclaration' && s.declarations.length === 1 && isIdent(s.declarations[0].id, name))) ?? null;
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
