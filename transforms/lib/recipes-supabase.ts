/**
 * @supabase/auth-helpers-nextjs: `createPagesServerClient({ req, res }, settings)` (and its older name,
 * createServerSupabaseClient) keeps its call and its settings, and is given the compat module's stand-ins for req and
 * res: `createPagesServerClient({ req: pagesRequestShim(request), res: pagesResponseShim(headers) }, settings)`.
 *
 * The client reads only the request's cookies and the response's Set-Cookie, and writes Set-Cookie on the response
 * (a refreshed session, a sign-out): the stand-ins give it the request's cookies as Pages parsed them and the route's
 * headers to write into, so that its cookies go out with the route's answer exactly as Pages sent them (the same code
 * serializes them). No import is added, and its module stays one that Pages code may import (next/headers, the App
 * Router's way to set cookies, may not be imported there).
 *
 * Followed where the route has headers to write into (the handler's own body, a guard's, not a callback), and only
 * for `{ req, res }` of the handler's own req and res.
 */
import { isIdent, unwrap, type Node } from './ast.js';
import { valueImports } from './imports.js';

export const SUPABASE_HELPERS = '@supabase/auth-helpers-nextjs';
export const SUPABASE_SSR = '@supabase/ssr';

/** Local names of the Pages server client's makers imported from the package. */
export function pagesClientMakers(program: Node): Set<string> {
  return new Set(valueImports(program, SUPABASE_HELPERS).filter((i) => i.imported === 'createPagesServerClient' || i.imported === 'createServerSupabaseClient').map((i) => i.local));
}

/** `createPagesServerClient({ req, res }, …)`: the first argument holds exactly the handler's req and res. */
export function isPagesClientCall(node: Node, makers: Set<string>, reqName: string, resName: string): boolean {
  if (node.type !== 'CallExpression' || !isIdent(node.callee) || !makers.has(node.callee.name)) return false;
  if (node.arguments.some((a: Node) => a.type === 'SpreadElement')) return false;
  const context = unwrap(node.arguments[0]);
  if (context?.type !== 'ObjectExpression' || context.properties.length !== 2) return false;
  const holds = (key: string, name: string) => context.properties.some((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key) && isIdent(unwrap(p.value), name));
  return holds('req', reqName) && holds('res', resName);
}

/** Local names of @supabase/ssr's createServerClient, whose cookie methods a project factory writes itself. */
export function ssrClientMakers(program: Node): Set<string> {
  return new Set(valueImports(program, SUPABASE_SSR).filter((i) => i.imported === 'createServerClient').map((i) => i.local));
}
