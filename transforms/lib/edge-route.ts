/**
 * Edge API routes (`export const config = { runtime: 'edge' }`): the handler already takes Next's request (a
 * NextRequest) and returns a Response, as a route handler does. The route keeps the file as it is: the handler is
 * exported for every method (Pages called it for any), and the config's runtime became `export const runtime =
 * 'edge'` (config.ts).
 *
 * A route with dynamic segments too: `next start` gives an App Router Edge route the segments' values in the URL's
 * search params, as it gave a Pages one (both go through runEdgeFunction, which merges the params into the search;
 * checked on 14.2, 15.5 and 16.4, and by the e2e suite), so `req.nextUrl.searchParams.get('id')` reads the same.
 *
 * Left where the App Router would hand the handler something else: a handler that reads its second parameter (Pages'
 * NextFetchEvent, for waitUntil; a route handler's second argument is its context).
 */
import { freshName, type Node, type Snippets, END } from './ast.js';
import { referencesTo } from './scope.js';
import type { Handler } from './find-handler.js';

/** What Pages called an Edge API route for and the route exports it as: HEAD and OPTIONS are Next's own, as for every route. */
export const EDGE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export type EdgeRoute = { methods: string[] } | { left: string; line?: number };

/** Rewrites `program` into the route of its Edge handler, or says why not (the detail of EDGE_RUNTIME). */
export function toEdgeRoute(snip: Snippets, program: Node, handler: Handler, taken: Set<string>): EdgeRoute {
  const { fn } = handler;
  const line = fn.loc?.start.line;
  if (handler.wrappers.length) return { left: `the handler is wrapped by ${handler.wrappers[0].local}(…)`, line };
  if (fn.params.length > 2 || fn.params.some((p: Node) => p.type === 'RestElement')) return { left: 'the handler takes more than a request and an event', line };
  const event = fn.params[1];
  if (event) {
    // The body's statements as the roots: a `var event` there is the parameter itself, not a scope of its own.
    const roots = fn.body.type === 'BlockStatement' ? fn.body.body : [fn.body];
    if (event.type !== 'Identifier' || referencesTo(roots, event.name).length) return { left: "the handler reads its NextFetchEvent (waitUntil), which a route handler does not get (Next's after() runs work after the answer)", line };
    // Unread: a route handler's second argument is its context, which the event's type would not describe.
    fn.params.splice(1, 1);
  }
  const statement = program.body[handler.declarationIndex];
  let name = handler.name;
  if (handler.exportIndex < 0) {
    // `export default async function handler(req) {…}` or an anonymous one: a declaration of its own, then the exports.
    const declaration = statement.declaration;
    let replacement: Node;
    if (declaration.type === 'FunctionDeclaration') {
      // `export default function (req) {…}` is named first.
      declaration.id ??= { type: 'Identifier', name: freshName('handler', taken) };
      replacement = declaration;
      name = declaration.id.name;
    } else {
      name = freshName('handler', taken);
      replacement = snip.statements(`const ${name} = placeholder${END}`)[0];
      replacement.declarations[0].init = declaration;
    }
    program.body.splice(handler.declarationIndex, 1, snip.withCommentsOf(statement, replacement), exportsOf(snip, name!));
  } else {
    // The comments of `export default handle` go with the exports (moved as they are: the list alone would not parse).
    const exported = exportsOf(snip, name!);
    exported.comments = program.body[handler.exportIndex].comments;
    program.body.splice(handler.exportIndex, 1, exported);
  }
  return { methods: EDGE_METHODS };
}

/** `export { handler as GET, … }`, parsed beside a declaration of the name (the parser rejects an export of none). */
function exportsOf(snip: Snippets, name: string): Node {
  return snip.statements(`function ${name}() {}\nexport { ${EDGE_METHODS.map((m) => `${name} as ${m}`).join(', ')} }${END}`)[1];
}
