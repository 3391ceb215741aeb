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
import { isIdent, unwrap, type Node, type Snippets } from './ast.js';
import { ownThisOrArguments, referencesOutside, resolveFunction } from './dispatch.js';
import { declaredNames } from './free-names.js';
import { onlyCallOf } from './reexport-shape.js';
import { referencesTo } from './scope.js';
import type { ImportedHelper } from '../types.js';

/**
 * `function name(req, res, handlers, …rest) { body }` read as the factory `function name(handlers, …rest) { return
 * async (req, res) => { body } }`, for route-wrapper.ts to turn into a route-handler version; null when the function
 * does not take the request and the response first, plain, and a third parameter.
 */
export function asDispatcherFactory(snip: Snippets, fn: Node, name: string): Node | null {
  const [req, res, ...rest] = fn.params;
  if (rest.length === 0 || !isIdent(req) || !isIdent(res) || !isIdent(rest[0]) || ownThisOrArguments(fn)) return null;
  // The factory's parameters are evaluated without a request: a default that reads req or res has nothing to read.
  const readsReqRes = (p: Node) => [req.name, res.name].some((name) => referencesTo([{ type: 'ExpressionStatement', expression: p }], name).length > 0);
  if (rest.some((p: Node) => p.type === 'RestElement' || readsReqRes(p))) return null;
  const body = fn.body.type === 'BlockStatement' ? snip.src(fn.body) : `{\nreturn ${snip.src(fn.body)}\n}`;
  const [factory] = snip.statements(`function ${name}${fn.typeParameters ? snip.src(fn.typeParameters) : ''}(${rest.map((p: Node) => snip.src(p)).join(', ')}) {\nreturn async (${snip.src(req)}, ${snip.src(res)}) => ${body}\n}`);
  return factory;
}

/** The function the default export holds or names (a declaration or a `const` arrow), with its declaration's index. */
function defaultExportFunction(program: Node): { fn: Node; index: number; exportIndex: number } | null {
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  if (exportIndex < 0) return null;
  const declaration = unwrap(program.body[exportIndex].declaration);
  if (declaration?.type === 'FunctionDeclaration') return { fn: declaration, index: -1, exportIndex };
  const ref = resolveFunction(program, declaration);
  return ref ? { fn: ref.fn, index: ref.index, exportIndex } : null;
}

/**
 * An argument the reshaped call may evaluate once, when the route module loads, where Pages evaluated it per request,
 * before the handler's name was even bound: a literal, or a name an import binds.
 */
function isLoadTimeSafe(program: Node, arg: Node): boolean {
  const a = unwrap(arg);
  if (['StringLiteral', 'NumericLiteral', 'BooleanLiteral', 'NullLiteral'].includes(a?.type)) return true;
  return isIdent(a) && program.body.some((s: Node) => s.type === 'ImportDeclaration' && s.importKind !== 'type' && s.specifiers?.some((x: Node) => x.local.name === a.name));
}

/**
 * Rewrites a default export that only calls a called-form dispatcher into `export default D(…other arguments)`; true
 * when it did. The handler goes, with its declaration; nothing else may use its name or its parameters. The call must
 * be awaited or returned (a bare call's rejection went unhandled, a route's would answer 500), and the arguments after
 * the map are evaluated once instead of per request, so only literals and imports are taken there.
 */
export function reshapeCalledDispatch(snip: Snippets, program: Node, dispatchers: Map<string, ImportedHelper>): boolean {
  const found = defaultExportFunction(program);
  const only = found ? onlyCallOf(found.fn) : null;
  if (!found || !only?.awaitedOrReturned || !dispatchers.get(only.call.callee.name)?.called) return false;
  const { call } = only;
  const [req, res] = found.fn.params.map((p: Node) => p.name as string);
  const [first, second, map, ...rest] = call.arguments;
  if (!isIdent(first, req) || !isIdent(second, res) || !map || !rest.every((a: Node) => isLoadTimeSafe(program, a))) return false;
  // The map's functions are the file's own (imported-dispatch.ts checks each): the map itself may not use req or res.
  const statement = { type: 'ExpressionStatement', expression: map };
  if (map.type === 'SpreadElement' || referencesTo([statement], req).length || referencesTo([statement], res).length) return false;
  const { index, exportIndex } = found;
  if (index >= 0) {
    const name = declaredNames(program.body[index])[0];
    if (referencesOutside(program, name, new Set([index, exportIndex])) > 0) return false;
  }
  const [reshaped] = snip.statements(`export default ${call.callee.name}()`);
  reshaped.declaration.arguments = [map, ...rest];
  // The handler's comments stay with the export that replaces it.
  const from = index >= 0 ? program.body[index] : program.body[exportIndex];
  program.body[exportIndex] = snip.withCommentsOf(from, reshaped);
  if (index >= 0) program.body.splice(index, 1);
  return true;
}
