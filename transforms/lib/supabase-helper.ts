/**
 * A project helper that hands the Pages req and res to @supabase/auth-helpers-nextjs's Pages client and nothing else:
 *
 *   export async function getSessionUser(req: NextApiRequest, res: NextApiResponse) {
 *     const supabase = createPagesServerClient({ req, res })
 *     const { data } = await supabase.auth.getUser()
 *     …
 *   }
 *   export async function requireRole(req, res, roles) { const user = await getSessionUser(req, res); … }
 *
 * It has no version without req and res (the client reads the session cookie and writes a refreshed one), but the
 * route can call the helper itself with the compat module's Pages-like request and response, as the handler-level
 * recipe gives them to the client (recipes-supabase.ts): the cookies as Pages parsed them in, the client's Set-Cookie
 * out into the route's headers. So, like a session helper that also reads a header (session-helper.ts), it gets no
 * twin, and its routes call it with the stand-ins.
 *
 * Followed: req and res as two plain parameters, each used only as `{ req, res }` of the client's maker, or passed on
 * as the (req, res) of another such helper of the same module (`requireRole` above, which calls `getSessionUser`).
 *
 * The same goes for the factory Supabase's guide has Pages API routes write around @supabase/ssr's client:
 *
 *   export function createClient(req: NextApiRequest, res: NextApiResponse) {
 *     return createServerClient(url, key, { cookies: {
 *       getAll() { return Object.keys(req.cookies).map((name) => ({ name, value: req.cookies[name] ?? '' })) },
 *       setAll(cookies) { res.setHeader('Set-Cookie', cookies.map((c) => serializeCookieHeader(c.name, c.value, c.options))) },
 *     } })
 *   }
 *
 * where req is only read for its cookies and headers (`req.headers.authorization`), and res is only given headers
 * by statements of their own (`setHeader`, `appendHeader`), asked for its cookies to add to them
 * (`getHeader('Set-Cookie')`) or tested: the stand-ins have those as Pages had them, and the headers the client sets,
 * in its cookie methods or after, go out with the route's answer. The factory may take both in one parameter,
 * `createClient(context: { req; res })`, used only as `context.req` and `context.res` (its callers pass `{ req, res }`).
 */
import { isIdent, isMember, memberName, namesIn, unwrap, walk, type Node } from './ast.js';
import { carrierParam } from './carrier-param.js';
import { functionsByName, isHeaderUse, onlyReadFrom } from './stand-in-uses.js';
import { isRequestParam } from './request-helper.js';
import { isResponseParam } from './res-helpers.js';
import { isPagesClientCall, pagesClientMakers, ssrClientMakers } from './recipes-supabase.js';
import { referencesTo } from './scope.js';
import { takesNextAuthShims } from './shim-types.js';

const REQUEST_READS = new Set(['cookies', 'headers']);

type Args = { req: number; res: number };

/**
 * `({ req, res })`: a parameter that carries both, as an object pattern of exactly those two keys bound to plain names
 * (`supabaseApi({ req, res })`); its position and the names. Its callers pass `{ req, res }` there (session-helper.ts).
 */
function carriedPattern(fn: Node): { index: number; req: string; res: string } | null {
  const index = fn.params.findIndex((p: Node) => p.type === 'ObjectPattern');
  const pattern = fn.params[index];
  if (!pattern || pattern.properties.length !== 2) return null;
  const bound = (key: string) => pattern.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key) && p.value.type === 'Identifier')?.value.name;
  const [req, res] = [bound('req'), bound('res')];
  return req && res ? { index, req, res } : null;
}

/**
 * The names `fn` binds req and res to at `args`: its parameters', the carrying object pattern's, or the carrying
 * parameter's own name for both (`context` of `context.req`).
 */
function argNames(fn: Node, args: Args): [string, string] | null {
  if (args.req !== args.res) return [fn.params[args.req].name, fn.params[args.res].name];
  const carried = carriedPattern(fn);
  if (carried) return carried.index === args.req ? [carried.req, carried.res] : null;
  const param = fn.params[args.req];
  return isIdent(param) ? [param.name, param.name] : null;
}

/**
 * Where `fn` takes req and res when it is such a helper, or null. `known`: the answers so far, by function (null while
 * one is being looked at: a loop of calls is no such helper).
 */
function shimArgs(program: Node, fn: Node, makers: Set<string>, functions: Map<string, Node>, known: Map<Node, Args | null>, ssrMakers = new Set<string>()): Args | null {
  if (known.has(fn) || !fn.body) return known.get(fn) ?? null;
  known.set(fn, null);
  const found = callsAny(fn, ssrMakers) ? ssrFactoryArgs(fn) : ownShimArgs(program, fn, makers, functions, known, ssrMakers);
  // A parameter default that reads them (`key = req.query.key`) would read the stand-ins, which hold less.
  const names = found && argNames(fn, found);
  const args = names && !defaultsRead(fn, names) ? found : null;
  known.set(fn, args);
  return args;
}

/** Whether a default of `fn`'s parameters (also inside a pattern) reads one of `names`. */
function defaultsRead(fn: Node, names: string[]): boolean {
  let reads = false;
  walk({ type: 'Program', body: fn.params }, (node) => {
    if (node.type === 'AssignmentPattern' && names.some((name) => referencesTo([node.right], name).length)) reads = true;
  });
  return reads;
}

/** Whether `fn` calls one of `names` (`createServerClient(…)`), in its body or a function of it. */
function callsAny(fn: Node, names: Set<string>): boolean {
  let found = false;
  if (names.size)
    walk(fn.body, (node) => {
      if (node.type === 'CallExpression' && isIdent(node.callee) && names.has(node.callee.name)) found = true;
    });
  return found;
}

/**
 * A factory around @supabase/ssr's createServerClient: its Pages request (typed or named so) only read from, through
 * `.cookies` and `.headers` (see onlyReadFrom), its response only used for headers (isHeaderUse). The two may come as
 * two parameters, an object pattern `{ req, res }` or one parameter used as `context.req` and `context.res`.
 */
function ssrFactoryArgs(fn: Node): Args | null {
  // `arguments[0]` reaches req or res without their names.
  if (fn.type !== 'ArrowFunctionExpression' && namesIn(fn.body).has('arguments')) return null;
  const carried = carriedPattern(fn);
  const reqAt = carried?.index ?? fn.params.findIndex(isRequestParam);
  const resAt = carried?.index ?? fn.params.findIndex((p: Node, i: number) => i !== reqAt && isResponseParam(p));
  const positional = reqAt >= 0 && resAt >= 0 && (carried || (fn.params[reqAt].type === 'Identifier' && fn.params[resAt].type === 'Identifier'));
  const context = positional ? null : carrierParam(fn);
  if (!positional && !context) return null;
  const args = context ? { req: context.index, res: context.index } : { req: reqAt, res: resAt };
  const [body, reqName, resName] = context ? [context.body, context.req, context.res] : [fn.body, ...argNames(fn, args)!];
  const reads = referencesTo([body], reqName).every((ref) => {
    const member = ref.parent;
    if (!isMember(member) || ref.key !== 'object' || member.computed || !REQUEST_READS.has(memberName(member) ?? '')) return false;
    return onlyReadFrom(member, ref.ancestors.slice(0, -1));
  });
  return reads && referencesTo([body], resName).every(isHeaderUse) ? args : null;
}

function ownShimArgs(program: Node, fn: Node, makers: Set<string>, functions: Map<string, Node>, known: Map<Node, Args | null>, ssrMakers: Set<string>): Args | null {
  // The first client call, or the first call of another such helper, names req and res.
  let found = null as Args | null;
  const carried = carriedPattern(fn);
  const paramAt = (node: Node | undefined) => {
    const name = node && isIdent(unwrap(node)) ? unwrap(node).name : null;
    if (name !== null && carried && (name === carried.req || name === carried.res)) return carried.index;
    return name === null ? -1 : fn.params.findIndex((p: Node) => isIdent(p, name));
  };
  const accepted = new Set<Node>();
  walk(fn.body, (node) => {
    if (node.type !== 'CallExpression' || !isIdent(node.callee)) return;
    let at: Args | null = null;
    let passed: Node[] = [];
    if (makers.has(node.callee.name)) {
      const context = unwrap(node.arguments[0] ?? null);
      const prop = (key: string) => context?.type === 'ObjectExpression' ? context.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key)) : undefined;
      const [req, res] = [paramAt(prop('req')?.value), paramAt(prop('res')?.value)];
      if (req >= 0 && res >= 0 && isPagesClientCall(node, makers, unwrap(prop('req').value).name, unwrap(prop('res').value).name)) {
        at = { req, res };
        passed = [prop('req').value, prop('res').value];
      }
    } else if (functions.has(node.callee.name)) {
      const inner = shimArgs(program, functions.get(node.callee.name)!, makers, functions, known, ssrMakers);
      // A helper that takes them in one object is passed exactly `{ req, res }`.
      const object = inner && inner.req === inner.res ? unwrap(node.arguments[inner.req] ?? null) : null;
      const value = (key: string) => object?.type === 'ObjectExpression' && object.properties.length === 2 ? object.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key))?.value : undefined;
      const given = !inner ? [] : inner.req === inner.res ? [value('req'), value('res')] : [node.arguments[inner.req], node.arguments[inner.res]];
      const [req, res] = inner ? [paramAt(given[0]), paramAt(given[1])] : [-1, -1];
      if (inner && req >= 0 && res >= 0) {
        at = { req, res };
        passed = given;
      }
    }
    // Only where they go in the same places: a call passing them the other way round stays a use of its own.
    if (at && !found) found = at;
    if (at && found?.req === at.req && found.res === at.res) passed.forEach((n) => accepted.add(n));
  });
  if (!found) return null;
  const names = argNames(fn, found);
  if (!names) return null;
  // Every use of either is one of the accepted places.
  const only = names.every((name) => referencesTo([fn.body], name).every((ref) => accepted.has(ref.node) || accepted.has(ref.parent)));
  return only ? found : null;
}

/**
 * The helper's shape for its routes (session-helper.ts's shim-only form), or null when it is not such a helper.
 * Its parameters must take the compat module's request and response as typed (shim-types.ts).
 */
export function toSupabaseShimHelper(program: Node, fn: Node): { fn: null; args: { req: number; res: number }; shims: true; shimOnly: string } | null {
  const makers = pagesClientMakers(program);
  const ssrMakers = ssrClientMakers(program);
  if (!makers.size && !ssrMakers.size) return null;
  const args = shimArgs(program, fn, makers, functionsByName(program), new Map(), ssrMakers);
  if (!args || fn.params.some((p: Node) => p.type !== 'Identifier' && p.type !== 'AssignmentPattern' && p.type !== 'ObjectPattern')) return null;
  if (!takesNextAuthShims(program, fn, args)) return null;
  const [reqName, resName] = argNames(fn, args)!;
  // `context.req` for a parameter that carries both.
  const [req, res] = reqName === resName ? [`${reqName}.req`, `${reqName}.res`] : [reqName, resName];
  // Which client it reaches, maybe through another helper, is said by the module's imports.
  const client = makers.size && ssrMakers.size ? `Supabase's server client` : makers.size ? `@supabase/auth-helpers-nextjs's Pages client` : `the cookie methods of @supabase/ssr's createServerClient`;
  return { fn: null, args, shims: true, shimOnly: `it hands ${req} and ${res} to ${client}` };
}
