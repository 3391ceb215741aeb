/**
 * Clerk: `getAuth(req)` (also `getAuth(req, opts)`) from '@clerk/nextjs/server' is given the App Router request in
 * place of the Pages one. Rewritten before the request analysis, so that `req` no longer escapes through it.
 *
 * Why the answer stays the same: getAuth reads only what Clerk's middleware put on the request before the handler ran
 * (its `x-clerk-auth-*` headers, the session cookie or Authorization header), and reads headers and cookies of a
 * NextRequest as of a Pages request (`headers.get()` or the headers object; Clerk's own `auth()` for the App Router
 * calls it with a request built from the route's headers). Checked on 6.39 with Next.js 14, 15 and 16, signed in
 * and signed out (test/e2e).
 */
import { unwrap, walk, type Node } from './ast.js';
import { callees, calls } from './imports.js';
import { referencesTo } from './scope.js';

export const CLERK_NOTE = "getAuth is given the App Router request, which Clerk reads as it read the Pages one (the auth state its middleware put on the request)";

/** Rewrites the calls in `roots`; returns the notes the route's report gets. */
export function rewriteClerkAuthCalls(program: Node, roots: Node[], names: { req: string; request: string }): string[] {
  const via = callees(program, ['@clerk/nextjs/server'], 'getAuth');
  if (!via.direct.size && !via.namespaces.size) return [];
  let rewritten = false;
  // The Pages request itself, not another `req` of a callback (`items.map((req) => getAuth(req))`).
  const requests = new Set(referencesTo(roots, names.req).map((ref) => ref.node));
  for (const root of roots) {
    walk(root, (node) => {
      const arg = node.type === 'CallExpression' && calls(node.callee, via, 'getAuth') && node.arguments[0] ? unwrap(node.arguments[0]) : null;
      if (!arg || !requests.has(arg)) return;
      // Renamed in place: the statement around it keeps its own text (a new node would reprint it).
      arg.name = names.request;
      rewritten = true;
    });
  }
  return rewritten ? [CLERK_NOTE] : [];
}
