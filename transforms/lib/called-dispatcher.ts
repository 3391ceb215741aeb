/**
 * A dispatcher of another project module that the handler calls with the request, the response and a method map:
 *
 *   export default async function handler(req, res) {
 *     await defaultHandler(req, res, { GET: handleGET, POST: handlePOST })
 *   }
 *
 * The call does what `export default defaultHandler({ GET, POST })` would do with a dispatcher written as a factory,
 * so both sides are brought to that form, which imported-dispatch.ts and route-wrapper.ts already follow:
 * - in the module, `defaultHandler(req, res, handlers, …rest)` is read as `(handlers, …rest) => (req, res) => body`
 *   (asDispatcherFactory), and its route-handler version is that factory's, `defaultHandlerRoute(handlers, …rest)`;
 * - in the route, the handler that only makes the call becomes `export default defaultHandler({ GET, POST }, …rest)`
 *   (reshapeCalledDispatch).
 */
import { isFunction, isIdent, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { referencesOutside } from './dispatch.js';
import type { ImportedHelper } from '../types.js';

/** `this` or `arguments` in the function itself (not in a nested non-arrow function): they would change meaning. */
function usesOwnThisOrArguments(fn: Node): boolean {
  let found = false;
  walk(fn.body, (node) => {
    if (found) return false;
    if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ObjectMethod' || node.type === 'ClassMethod') return false;
    if (node.type === 'ThisExpression' || isIdent(node, 'arguments')) found = true;
    return undefined;
  });
  return found;
}

/**
 * `function name(req, res, handlers, …rest) { body }` read as the factory `function name(handlers, …rest) { return
 * async (req, res) => { body } }`, for route-wrapper.ts to turn into a route-handler version; null when the function
 * does not take the request and the response first, plain, and a third parameter.
 */
export function asDispatcherFactory(snip: Snippets, fn: Node, name: string): Node | null {
  const [req, res, ...rest] = fn.params;
  if (rest.length === 0 || !isIdent(req) || !isIdent(res) || !isIdent(rest[0]) || usesOwnThisOrArguments(fn)) return null;
  const body = fn.body.type === 'BlockStatement' ? snip.src(fn.body) : `{\nreturn ${snip.src(fn.body)}\n}`;
  const [factory] = snip.statements(`function ${name}${fn.typeParameters ? snip.src(fn.typeParameters) : ''}(${rest.map((p: Node) => snip.src(p)).join(', ')}) {\nreturn async (${snip.src(req)}, ${snip.src(res)}) => ${body}\n}`);
  return factory;
}

/** The function the default export names or holds, with the index of its declaration (-1 when it is the export). */
function defaultHandler(program: Node): { fn: Node; index: number; exportIndex: number } | null {
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  if (exportIndex < 0) return null;
  const declaration = unwrap(program.body[exportIndex].declaration);
  if (isFunction(declaration)) return { fn: declaration, index: -1, exportIndex };
  if (!isIdent(declaration)) return null;
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name === declaration.name) return { fn: stmt, index, exportIndex };
    if (stmt.type === 'VariableDeclaration' && stmt.kind === 'const' && stmt.declarations.length === 1 && isIdent(stmt.declarations[0].id, declaration.name)) {
      const init = unwrap(stmt.declarations[0].init);
      return isFunction(init) ? { fn: init, index, exportIndex } : null;
    }
  }
  return null;
}

/** `D(req, res, …)`, `await D(…)`, `return [await] D(…)` as the function's only statement, or its expression body. */
function onlyCall(fn: Node): Node | null {
  let expression: Node | null = null;
  if (fn.body.type !== 'BlockStatement') expression = fn.body;
  else if (fn.body.body.length === 1) {
    const [only] = fn.body.body;
    if (only.type === 'ExpressionStatement') expression = only.expression;
    if (only.type === 'ReturnStatement') expression = only.argument;
  }
  let call = unwrap(expression);
  if (call?.type === 'AwaitExpression') call = unwrap(call.argument);
  return call?.type === 'CallExpression' ? call : null;
}

/**
 * Rewrites a default export that only calls a called-form dispatcher into `export default D(…other arguments)`; true
 * when it did. The handler goes, with its declaration; nothing else may use its name or its parameters.
 */
export function reshapeCalledDispatch(snip: Snippets, program: Node, dispatchers: Map<string, ImportedHelper>): boolean {
  const found = defaultHandler(program);
  if (!found || found.fn.params.length !== 2 || !found.fn.params.every((p: Node) => p.type === 'Identifier')) return false;
  const call = onlyCall(found.fn);
  if (!call || !isIdent(call.callee) || !dispatchers.get(call.callee.name)?.called) return false;
  const [req, res] = found.fn.params.map((p: Node) => p.name as string);
  const [first, second, ...others] = call.arguments;
  if (!isIdent(first, req) || !isIdent(second, res) || others.some((a: Node) => a.type === 'SpreadElement' || namesIn(a).has(req) || namesIn(a).has(res))) return false;
  const { index, exportIndex } = found;
  if (index >= 0) {
    const name = program.body[index].type === 'FunctionDeclaration' ? program.body[index].id.name : program.body[index].declarations[0].id.name;
    if (referencesOutside(program, name, new Set([index, exportIndex])) > 0) return false;
  }
  const [reshaped] = snip.statements(`export default ${call.callee.name}()`);
  reshaped.declaration.arguments = others;
  // The handler's comments stay with the export that replaces it.
  const from = index >= 0 ? program.body[index] : program.body[exportIndex];
  program.body[exportIndex] = snip.withCommentsOf(from, reshaped);
  if (index >= 0) program.body.splice(index, 1);
  return true;
}
