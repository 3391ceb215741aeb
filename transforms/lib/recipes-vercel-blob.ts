/**
 * Vercel Blob's client uploads: `handleUpload({ body, request: req, … })` (and `handleUploadPresigned`) from
 * '@vercel/blob/client' is given the App Router request in place of the Pages one, as Vercel's own App Router example
 * does. Rewritten before the request analysis, so that `req` no longer escapes through the option.
 *
 * Why the answer stays the same: the package reads the request in two places only, and handles both kinds of request
 * alike (checked on 0.14, 0.19, 0.27, 1.0 and 2.8):
 *  - the callback's signature header, `x-vercel-signature`: `headers.get()` on a Request (found by `'credentials' in
 *    request`), the headers object of an IncomingMessage otherwise;
 *  - the callback URL, when onUploadCompleted is given without one (2.x): `pathname + search` of `request.url` parsed
 *    against a dummy base, which is the same for Pages' path-only URL and the App Router's absolute one.
 * The `body` option is whatever the handler passes; a `req.body` there is then read as Pages parsed it, like any other.
 */
import { isIdent, unwrap, walk, type Node } from './ast.js';
import { callees, calls } from './imports.js';

const FUNCTIONS = ['handleUpload', 'handleUploadPresigned'];

/** The `request` property of the call's only argument, when it is the Pages request itself (also `{ request }`). */
function requestProperty(call: Node, reqName: string): Node | null {
  const [arg] = call.arguments;
  if (call.arguments.length !== 1 || arg?.type !== 'ObjectExpression') return null;
  const prop = arg.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, 'request'));
  return prop && isIdent(unwrap(prop.value), reqName) ? prop : null;
}

/** Rewrites the calls in `roots`; returns the notes the route's report gets. */
export function rewriteBlobUploadCalls(program: Node, roots: Node[], names: { req: string; request: string }): string[] {
  const found = FUNCTIONS.map((name) => ({ name, via: callees(program, ['@vercel/blob/client'], name) }));
  if (found.every(({ via }) => !via.direct.size && !via.namespaces.size)) return [];
  let rewritten = false;
  for (const root of roots) {
    walk(root, (node) => {
      if (node.type !== 'CallExpression' || !found.some(({ name, via }) => calls(node.callee, via, name))) return;
      const prop = requestProperty(node, names.req);
      if (!prop) return;
      prop.value = { type: 'Identifier', name: names.request };
      prop.shorthand = names.request === 'request';
      rewritten = true;
    });
  }
  return rewritten ? ['handleUpload is given the App Router request, which @vercel/blob reads as it read the Pages one (its signature header and URL path)'] : [];
}
