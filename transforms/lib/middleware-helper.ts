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
import { onlyCallOf } from './reexport-shape.js';

/**
 * The twin statement of `fn`, a function of `program`, exported as `twinName`, when it is a cors-running helper that
 * awaits or returns the run; null otherwise. The twin uses the compat module's runConnectMiddleware; `unit` is the
 * module's indentation.
 */
export function toMiddlewareHelper(snip: Snippets, program: Node, fn: Node, twinName: string, typescript: boolean, unit = '  '): Node | null {
  const [req, res] = fn.params;
  const only = onlyCallOf(fn);
  // A run neither awaited nor returned would not hold the handler's `await cors(req, res)` until cors is done.
  if (!only?.awaitedOrReturned || only.call.arguments.length !== 3) return null;
  const { call } = only;
  const [a, b, middleware] = call.arguments.map(unwrap);
  if (!isIdent(a, req.name) || !isIdent(b, res.name) || !isIdent(middleware)) return null;
  const known = moduleMiddleware(program).names;
  if (known.get(call.callee.name) !== 'run-middleware' || known.get(middleware.name) !== 'cors') return null;
  const params = typescript ? 'request: NextRequest, headers: Headers' : 'request, headers';
  const [statement] = snip.statements(`export async function ${twinName}(${params}) {\n${unit}return runConnectMiddleware(request, ${middleware.name}, headers)${END}\n}`);
  return statement;
}
