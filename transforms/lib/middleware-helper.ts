/**
 * A project helper that only runs the cors middleware on the request, the way the Next.js docs' runMiddleware does
 * (transforms/lib/run-middleware.ts):
 *
 *   const corsFunction = Cors({ methods: ['GET', 'HEAD'] })
 *   export async function cors(req, res) { return await runMiddleware(req, res, corsFunction) }
 *
 * Its route-handler version runs the same middleware on the App Router request, writing its headers into the route's
 * (recipes-cors.ts explains how): `export async function corsForRoute(request, headers) { return
 * runConnectMiddleware(request, corsFunction, headers) }`. A handler's `await cors(req, res)` then becomes the same
 * two lines as an inline run: `const corsAnswer = await corsForRoute(request, headers); if (corsAnswer) return
 * corsAnswer`. Any other body is not such a helper.
 */
import { END, isIdent, unwrap, type Node, type Snippets } from './ast.js';
import { moduleMiddleware } from './run-middleware.js';

/** `R(req, res, M)` as the function's only statement (`return [await] …`, `await …`) or expression body. */
function onlyRun(fn: Node): Node | null {
  let expression: Node | null = null;
  if (fn.body.type !== 'BlockStatement') expression = fn.body;
  else if (fn.body.body.length === 1) {
    const [only] = fn.body.body;
    expression = only.type === 'ReturnStatement' ? only.argument : only.type === 'ExpressionStatement' ? only.expression : null;
  }
  let call = unwrap(expression);
  if (call?.type === 'AwaitExpression') call = unwrap(call.argument);
  return call?.type === 'CallExpression' ? call : null;
}

/**
 * The twin statement of `fn` (named `ownName` in `program`), exported as `twinName`, when it is a cors-running helper;
 * null otherwise. The twin uses the compat module's runConnectMiddleware.
 */
export function toMiddlewareHelper(snip: Snippets, program: Node, fn: Node, twinName: string, typescript: boolean, unit = '  '): Node | null {
  const [req, res] = fn.params;
  if (fn.params.length !== 2 || !isIdent(req) || !isIdent(res)) return null;
  const call = onlyRun(fn);
  if (!call || !isIdent(call.callee) || call.arguments.length !== 3) return null;
  const [a, b, middleware] = call.arguments.map(unwrap);
  if (!isIdent(a, req.name) || !isIdent(b, res.name) || !isIdent(middleware)) return null;
  const known = moduleMiddleware(program).names;
  if (known.get(call.callee.name) !== 'run-middleware' || known.get(middleware.name) !== 'cors') return null;
  const params = typescript ? 'request: NextRequest, headers: Headers' : 'request, headers';
  const [statement] = snip.statements(`export async function ${twinName}(${params}) {\n${unit}return runConnectMiddleware(request, ${middleware.name}, headers)${END}\n}`);
  return statement;
}
