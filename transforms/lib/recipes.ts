/**
 * Library calls that take the Pages `req`/`res` and have an App Router form of their own. They are rewritten before
 * the request and response analysis, so that `req`/`res` no longer escape through them.
 *  - next-auth v4: `getServerSession(req, res, options)` in the handler itself →
 *    `getServerSession(nextAuthRequest(request), nextAuthResponse(res), options)`: the compat module hands it the
 *    request's headers and cookies, and a response that writes its cookies into the route's headers (the response
 *    rewrite turns `nextAuthResponse(res)` into `nextAuthResponse(headers)`), so that it answers and sets cookies as
 *    in Pages. Elsewhere (a callback, a helper's twin, which have no route headers to write into) →
 *    `getServerSession(options)`, which reads the current request itself but sets no cookies (SESSION_COOKIES_NOTE).
 *  - next-auth's `getToken({ req })` and `getSession({ req })`: see recipes-next-auth-req.ts.
 *  - iron-session v8: `getIronSession(req, res, options)` → `getIronSession(await cookies(), options)`.
 *  - `res.revalidate(path)` → `revalidatePath(path)` from next/cache, which marks the path instead of regenerating
 *    it at once (reported).
 *  - @supabase/auth-helpers-nextjs's `createPagesServerClient({ req, res })` in the handler itself: given stand-ins
 *    for req and res that read the route's request and write into its headers (recipes-supabase.ts).
 */
import { walk, isFunction, isIdent, memberName, replaceChild, unwrap, type Node, type Snippets } from './ast.js';
import { valueImports } from './imports.js';
import { isPagesClientCall, pagesClientMakers } from './recipes-supabase.js';

export interface RecipeResult {
  /** Imports the rewritten code needs: source → names. */
  imports: Map<string, Set<string>>;
  notes: string[];
  /** The compat module's helpers the rewritten code calls (nextAuthRequest). */
  compat: Set<string>;
}

/** The compat helpers getServerSession is given in a handler; the response rewrite knows the second by its name. */
export const NEXT_AUTH_REQUEST = 'nextAuthRequest';
export const NEXT_AUTH_RESPONSE = 'nextAuthResponse';
const NEXT_AUTH_HELPERS = [NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE];

/**
 * `nextAuthRequest(request)` and `nextAuthResponse(res)`: the stand-ins a call passes where the helper takes req and
 * res; `nextAuthRequest(request, req.query)` with `queryOf`, the handler's req.
 */
export function nextAuthShimCalls(request: string, res: string, queryOf?: string): { req: Node; res: Node } {
  const name = (n: string) => ({ type: 'Identifier', name: n });
  const call = (callee: string, args: Node[]) => ({ type: 'CallExpression', callee: name(callee), arguments: args });
  const query = queryOf ? [{ type: 'MemberExpression', object: name(queryOf), property: name('query'), computed: false }] : [];
  return { req: call(NEXT_AUTH_REQUEST, [name(request), ...query]), res: call(NEXT_AUTH_RESPONSE, [name(res)]) };
}
/** The same stand-ins under names of their own, for another library that reads a Pages request's cookies and sets Set-Cookie on its response. */
export const PAGES_REQUEST_SHIM = 'pagesRequestShim';
export const PAGES_RESPONSE_SHIM = 'pagesResponseShim';
const PAGES_SHIMS = [PAGES_REQUEST_SHIM, PAGES_RESPONSE_SHIM];
/** The compat helpers that write a library's cookies into the route's headers, given res (the response rewrite's sinks). */
export const ROUTE_HEADER_SINKS = [NEXT_AUTH_RESPONSE, PAGES_RESPONSE_SHIM];

/** Whether code using these compat helpers writes a library's cookies into the route's headers (ROUTE_HEADER_SINKS). */
export function writesRouteCookies(compat: Set<string> | undefined): boolean {
  return ROUTE_HEADER_SINKS.some((sink) => compat?.has(sink));
}

/**
 * Where getServerSession(req, res, options) keeps its request and response: the handler's own body, whose route has
 * headers to write cookies into. `request` is the route's request; `taken` the file's names (a name of the compat
 * helpers taken there keeps the one-argument form).
 */
export interface SessionShim {
  request: string;
  taken: Set<string>;
}

/**
 * Whether a module may call nextAuthRequest and nextAuthResponse: neither name is taken (`taken`: the module's names),
 * unless by an import of the compat module itself (an earlier run's, beside a twin).
 */
export function nextAuthHelpersFree(program: Node, taken: Set<string>): boolean {
  return compatNamesFree(program, taken, NEXT_AUTH_HELPERS);
}

/** Whether a module may call these compat helpers: none of the names taken (`taken`), but by an import of the compat module. */
export function compatNamesFree(program: Node, taken: Set<string>, names: string[]): boolean {
  const ours = compatImports(program);
  return names.every((name) => !taken.has(name) || ours.has(name));
}

/** The names a module imports, under their own names, from the compat module (`…/_migrate/pages-compat`). */
function compatImports(program: Node): Set<string> {
  const names = new Set<string>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || !/(^|\/)_migrate\/pages-compat(\.[jt]s)?$/.test(stmt.source.value)) continue;
    for (const spec of stmt.specifiers ?? []) if (spec.type === 'ImportSpecifier' && spec.imported.name === spec.local.name) names.add(spec.local.name);
  }
  return names;
}

/** Local names bound to `name` imported from one of `sources`. */
function importedAs(program: Node, sources: string[], name: string): Set<string> {
  return new Set(valueImports(program, sources).filter((i) => i.imported === name).map((i) => i.local));
}

export const REVALIDATE_NOTE = 'res.revalidate(path) became revalidatePath(path): the path is marked stale and regenerates on its next visit, not at once';

function isRevalidate(node: Node, resName: string): boolean {
  return node?.type === 'CallExpression' && memberName(node.callee) === 'revalidate' && isIdent(unwrap(node.callee.object), resName) && node.arguments.length === 1;
}

/**
 * What the route's getServerSession(options) does not do (next-auth 4.24: in the one-argument form it hands the session
 * action a response that drops every cookie, and deletes the session's `expires`). Checked on the e2e app's Pages
 * build, which sets those cookies.
 */
export const SESSION_COOKIES_NOTE =
  "getServerSession(options) in a route handler sets no cookies, and its session has no `expires`: Pages' call also renewed a JWT session cookie's expiry and set next-auth's CSRF and callback-URL cookies when they were missing";

/** Whether `root` (the whole `program` by default) calls next-auth's getServerSession with its options alone (the form that sets no cookies). */
export function callsSessionWithOptions(program: Node, root: Node = program): boolean {
  const names = sessionGetterNames(program);
  let found = false;
  if (names.size)
    walk(root, (node) => {
      if (node.type === 'CallExpression' && isIdent(node.callee) && names.has(node.callee.name) && node.arguments.length <= 1) found = true;
    });
  return found;
}

/** Local names of next-auth v4's getServerSession (and its unstable_ name), which the recipe below rewrites. */
export function sessionGetterNames(program: Node): Set<string> {
  return new Set([
    ...importedAs(program, ['next-auth', 'next-auth/next'], 'getServerSession'),
    ...importedAs(program, ['next-auth', 'next-auth/next'], 'unstable_getServerSession'),
  ]);
}

export function applyRecipes(snip: Snippets, program: Node, roots: Node[], reqName: string, resName: string, shim?: SessionShim): RecipeResult {
  const result: RecipeResult = { imports: new Map(), notes: [], compat: new Set() };
  const canShim = !!shim && nextAuthHelpersFree(program, shim.taken);
  const canShimPages = !!shim && compatNamesFree(program, shim.taken, PAGES_SHIMS);
  const supabaseMakers = pagesClientMakers(program);
  const need = (source: string, name: string) => {
    if (!result.imports.has(source)) result.imports.set(source, new Set());
    result.imports.get(source)!.add(name);
  };
  const sessionGetters = sessionGetterNames(program);
  const ironSession = importedAs(program, ['iron-session'], 'getIronSession');
  const takesReqRes = (call: Node) => call.arguments.length >= 2 && isIdent(unwrap(call.arguments[0]), reqName) && isIdent(unwrap(call.arguments[1]), resName);

  const replacements: Array<[Node, Node, Node]> = [];
  // `getIronSession<SessionData>(…)` keeps its type argument.
  const typeArgs = (call: Node) => {
    const args = call.typeParameters ?? call.typeArguments;
    return args ? snip.src(args) : '';
  };
  // `nested`: inside a function of the handler (a callback), which may run after the route has answered.
  const visit = (root: Node, nested: boolean) =>
    walk(root, (node, parent) => {
      if (node !== root && isFunction(node)) {
        visit(node, true);
        return false;
      }
      // revalidatePath returns nothing: `await res.revalidate(p)` loses its await.
      if (node.type === 'AwaitExpression' && parent && isRevalidate(node.argument, resName)) {
        need('next/cache', 'revalidatePath');
        result.notes.push(REVALIDATE_NOTE);
        replacements.push([parent, node, snip.expression(`revalidatePath(${snip.src(node.argument.arguments[0])})`)]);
        return false;
      }
      if (node.type !== 'CallExpression' || !parent) return;
      const callee = node.callee;
      if (isIdent(callee) && sessionGetters.has(callee.name) && takesReqRes(node)) {
        const rest = node.arguments.slice(2).map((a: Node) => snip.src(a));
        const args = canShim && !nested ? [`${NEXT_AUTH_REQUEST}(${shim!.request})`, `${NEXT_AUTH_RESPONSE}(${resName})`, ...rest] : rest;
        if (args !== rest) NEXT_AUTH_HELPERS.forEach((name) => result.compat.add(name));
        replacements.push([parent, node, snip.expression(`${callee.name}${typeArgs(node)}(${args.join(', ')})`)]);
        return false;
      }
      if (isIdent(callee) && ironSession.has(callee.name) && takesReqRes(node)) {
        const rest = node.arguments.slice(2).map((a: Node) => snip.src(a));
        need('next/headers', 'cookies');
        replacements.push([parent, node, snip.expression(`${callee.name}${typeArgs(node)}(${['await cookies()', ...rest].join(', ')})`)]);
        return false;
      }
      if (canShimPages && !nested && isPagesClientCall(node, supabaseMakers, reqName, resName)) {
        const settings = node.arguments.slice(1).map((a: Node) => snip.src(a));
        const context = `{ req: ${PAGES_REQUEST_SHIM}(${shim!.request}), res: ${PAGES_RESPONSE_SHIM}(${resName}) }`;
        PAGES_SHIMS.forEach((name) => result.compat.add(name));
        replacements.push([parent, node, snip.expression(`${callee.name}${typeArgs(node)}(${[context, ...settings].join(', ')})`)]);
        return false;
      }
      if (isRevalidate(node, resName)) {
        need('next/cache', 'revalidatePath');
        result.notes.push(REVALIDATE_NOTE);
        replacements.push([parent, node, snip.expression(`revalidatePath(${snip.src(node.arguments[0])})`)]);
        return false;
      }
    });
  for (const root of roots) visit(root, false);
  for (const [parent, child, replacement] of replacements) replaceChild(parent, child, replacement);
  return result;
}
