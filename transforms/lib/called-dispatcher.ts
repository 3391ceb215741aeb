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
 * The same for a handler that builds a dispatcher of the factory form and calls it at once (`const handler =
 * createHandlers(handlers); return handler(req, res)`): it becomes `export default createHandlers(handlers)`.
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
 * Rewrites a default export that only calls a called-form dispatcher, or builds a factory-form one and calls it, into
 * `export default D(…other arguments)`; true when it did. The handler goes, with its declaration; nothing else may use
 * its name or its parameters. The call must be awaited or returned (a bare call's rejection went unhandled, a route's
 * would answer 500), and the arguments after the map are evaluated once instead of per request, so only literals and
 * imports are taken there.
 */
export function reshapeCalledDispatch(snip: Snippets, program: Node, dispatchers: Map<string, ImportedHelper>): boolean {
  const found = defaultExportFunction(program);
  if (!found) return false;
  const [req, res] = found.fn.params.map((p: Node) => p.name as string);
  const only = onlyCallOf(found.fn);
  let call: Node;
  let map: Node | undefined;
  let rest: Node[];
  if (only?.awaitedOrReturned && dispatchers.get(only.call.callee.name)?.called) {
    call = only.call;
    const [first, second, ...after] = call.arguments;
    if (!isIdent(first, req) || !isIdent(second, res)) return false;
    [map, ...rest] = after;
  } else {
    // `const handler = createHandlers(handlers); return handler(req, res)`: the factory form, built per request.
    const built = builtAndCalled(found.fn, req, res);
    const binding = built && dispatchers.get(built.callee.name);
    // The map first, as the reshaped export passes it (imported-dispatch.ts reads it at resIndex).
    if (!built || !binding || binding.called || binding.resIndex !== 0) return false;
    call = built;
    [map, ...rest] = call.arguments;
    // A map held in a module const stays a name: imported-dispatch.ts reads the const's object.
    if (isIdent(unwrap(map)) && !mapConst(program, unwrap(map).name)) return false;
  }
  if (!map || !rest.every((a: Node) => isLoadTimeSafe(program, a))) return false;
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

/**
 * The dispatcher call of a handler that builds it and calls it at once, and does nothing else: `const handler =
 * createHandlers(handlers); return handler(req, res)`, or `return createHandlers(handlers)(req, res)` (awaited or
 * returned, as a called dispatcher's). Built once instead, it does the same, its factory only returning its function
 * (route-wrapper.ts takes no other). Null for any other body.
 */
function builtAndCalled(fn: Node, req: string, res: string): Node | null {
  const body: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ReturnStatement', argument: fn.body }];
  const callOf = (stmt: Node | undefined): Node | null => {
    const expr = stmt?.type === 'ReturnStatement' ? stmt.argument : stmt?.type === 'ExpressionStatement' && unwrap(stmt.expression)?.type === 'AwaitExpression' ? stmt.expression : null;
    let call = unwrap(expr);
    if (call?.type === 'AwaitExpression') call = unwrap(call.argument);
    const args: Node[] = call?.type === 'CallExpression' ? call.arguments : [];
    return args.length === 2 && isIdent(args[0], req) && isIdent(args[1], res) ? call : null;
  };
  const isDispatcherCall = (node: Node | null | undefined) => node?.type === 'CallExpression' && isIdent(node.callee);
  if (body.length === 1) {
    const outer = callOf(body[0]);
    const inner = outer && unwrap(outer.callee);
    return isDispatcherCall(inner) ? inner : null;
  }
  if (body.length !== 2 || body[0].type !== 'VariableDeclaration' || body[0].declarations.length !== 1) return null;
  const [decl] = body[0].declarations;
  const outer = callOf(body[1]);
  const init = unwrap(decl.init);
  return isIdent(decl.id) && outer && isIdent(outer.callee, decl.id.name) && isDispatcherCall(init) ? init : null;
}

/** The object a module `const name = { … }` holds (through TypeScript casts), with its statement's index; else null. */
export function mapConst(program: Node, name: string): { object: Node; index: number } | null {
  for (const [index, stmt] of program.body.entries()) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const' || stmt.declarations.length !== 1) continue;
    const [decl] = stmt.declarations;
    const object = unwrap(decl.init);
    if (isIdent(decl.id, name) && object?.type === 'ObjectExpression') return { object, index };
  }
  return null;
}
