/**
 * A project helper that hands the Pages req and res to next-auth v4's getServerSession and nothing else:
 *
 *   export const getServerAuthSession = (ctx: { req: …; res: … }) => getServerSession(ctx.req, ctx.res, authOptions);
 *   export const getAuth = ({ req, res }: Ctx) => getServerSession(req, res, authOptions);
 *   export async function getSession(req: NextApiRequest, res: NextApiResponse) { return await getServerSession(req, res, authOptions) }
 *
 * Its route-handler version calls `getServerSession(authOptions)`, which reads the current request's headers and
 * cookies in the App Router (the handler-level recipe, transforms/lib/recipes.ts), and no longer takes the parameter
 * or parameters that carried req and res; the route's call leaves out those arguments (`getServerAuthSession({ req,
 * res })` → `getServerAuthSessionForRoute()`).
 *
 * A helper of that shape that cannot go this way is declined with why (the route keeps its REQ_ESCAPES, the reason
 * naming the helper): its getServerSession is not next-auth's, its options are built from req or res (boxyhq's
 * `getServerSession(req, res, getAuthOptions(req, res))`), or it uses req, res or the object that carries them in any
 * other way (`ctx.res.setHeader(…)`, `ctx.req.url`). res is checked with the rule that drops a same-file function's
 * res (transforms/lib/local-request-functions.ts).
 */
import { cloneNode, freshName, isIdent, memberName, namesIn, replaceChild, unwrap, walk, type Node, type Snippets } from './ast.js';
import { resUseProblem } from './local-request-functions.js';
import { applyRecipes, nextAuthShimCalls, sessionGetterNames } from './recipes.js';
import { referencesTo } from './scope.js';
import { takesNextAuthShims } from './shim-types.js';
import { standInUse, type ImportedStandIn } from './stand-in-helper.js';
import { toSupabaseShimHelper } from './supabase-helper.js';

/**
 * Where a call of the helper passes req and res: two arguments (`getSession(req, res)`), or one object `{ req, res }`
 * at the same position for both.
 */
export interface SessionArgs {
  req: number;
  res: number;
}

/**
 * `shims`: the helper's parameters take next-auth's request and response as they are typed (shim-types.ts).
 * `fn` null (`shimOnly` says why): a helper that also reads `req.headers` or `req.cookies` has no twin without req,
 * but the shims carry both as Pages did, so a route may call the helper itself with them.
 */
export type SessionHelperTwin = { fn: Node; args: SessionArgs; shims: boolean; shimOnly?: undefined; query?: undefined; writesCookies?: undefined } | ShimOnly | { why: string };

/**
 * No twin: routes call the helper itself with the stand-ins. `query`: the request stand-in must carry the route's query
 * and method too; `writesCookies`: the helper sets cookies on req, which the route's own reads would not see
 * (stand-in-helper.ts).
 */
type ShimOnly = { fn: null; args: SessionArgs; shims: true; shimOnly: string; query?: true; writesCookies?: true };

/** A function that takes req and res only as the stand-ins (with the query) answer them, as a shim-only helper. */
function standInShim(program: Node, fn: Node, imported: Map<string, ImportedStandIn>, getters: Set<string>): ShimOnly | null {
  const use = standInUse(program, fn, imported, getters);
  if (!use) return null;
  return { fn: null, args: use.args, shims: true, shimOnly: use.why, ...(use.query ? { query: true as const } : {}), ...(use.writesCookies ? { writesCookies: true as const } : {}) };
}

/** How the helper takes req and res, with the names its body reads them by (after the rewrite of `ctx.req`). */
interface Carrier {
  args: SessionArgs;
  req: string;
  res: string;
  /** How the report names them (`ctx.req` for an object parameter, else the names). */
  labels: { req: string; res: string };
  /** The names the parameters that go bind (`ctx`; `req` and `res`). */
  bound: string[];
}

const GETTER_NAMES = /^(unstable_)?getServerSession$/;

/**
 * Calls in `fn` of next-auth's getServerSession under any local name (`getServerSession as getNextAuthSession`), and
 * of any function named getServerSession (imported from anywhere: declined below when not next-auth's).
 */
function getterCalls(fn: Node, getters: Set<string>): Node[] {
  const calls: Node[] = [];
  walk(fn.body, (node) => {
    if (node.type === 'CallExpression' && isIdent(node.callee) && (getters.has(node.callee.name) || GETTER_NAMES.test(node.callee.name))) calls.push(node);
  });
  return calls;
}

/** The property `key` of an object pattern, when its value is a plain name. */
function patternName(pattern: Node, key: string): string | null {
  const prop = pattern.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key));
  return prop && prop.value.type === 'Identifier' ? prop.value.name : null;
}

/**
 * The parameter or parameters that the first getServerSession call reads req and res from, or null when it reads
 * them from elsewhere (the helper is not this shape). `ctx.req` and `ctx.res` are rewritten, in `fn` (a copy), as
 * two plain names, so that the body is read as the positional shape's; a use of `ctx` other than those is why not.
 */
function carrierOf(fn: Node, call: Node): Carrier | { why: string } | null {
  const [first, second] = call.arguments.map((a: Node) => unwrap(a));
  if (!first || !second) return null;
  const paramIndex = (name: string) => fn.params.findIndex((p: Node) => isIdent(p, name));
  if (isIdent(first) && isIdent(second)) {
    const [reqAt, resAt] = [paramIndex(first.name), paramIndex(second.name)];
    if (reqAt >= 0 && resAt >= 0 && reqAt !== resAt) return { args: { req: reqAt, res: resAt }, req: first.name, res: second.name, labels: { req: first.name, res: second.name }, bound: [first.name, second.name] };
    // `({ req, res }) => getServerSession(req, res, …)`.
    const at = fn.params.findIndex((p: Node) => p.type === 'ObjectPattern' && patternName(p, 'req') === first.name && patternName(p, 'res') === second.name);
    if (at < 0) return null;
    if (fn.params[at].properties.length !== 2) return { why: 'its parameter holds more than req and res' };
    return { args: { req: at, res: at }, req: first.name, res: second.name, labels: { req: first.name, res: second.name }, bound: [first.name, second.name] };
  }
  // `(ctx) => getServerSession(ctx.req, ctx.res, …)`.
  const isPart = (node: Node, key: string) => memberName(node) === key && !node.computed && isIdent(unwrap(node.object));
  if (!isPart(first, 'req') || !isPart(second, 'res') || unwrap(first.object).name !== unwrap(second.object).name) return null;
  const ctx = unwrap(first.object).name;
  const at = paramIndex(ctx);
  if (at < 0) return null;
  const taken = namesIn(fn);
  const req = freshName('req', taken);
  taken.add(req);
  const res = freshName('res', taken);
  for (const ref of referencesTo([fn.body], ctx)) {
    const part = ref.key === 'object' && !ref.parent.computed ? memberName(ref.parent) : null;
    if (part !== 'req' && part !== 'res') return { why: part ? `it uses ${ctx}.${part}` : `it uses ${ctx} other than through ${ctx}.req and ${ctx}.res` };
    replaceChild(ref.ancestors[ref.ancestors.length - 2], ref.parent, { type: 'Identifier', name: part === 'req' ? req : res });
  }
  return { args: { req: at, res: at }, req, res, labels: { req: `${ctx}.req`, res: `${ctx}.res` }, bound: [ctx] };
}

/** A report's text with the body's names for req and res put back as the helper writes them. */
function labelled(text: string, carrier: Carrier): string {
  return text.replace(/[\w$]+/g, (word) => (word === carrier.req ? carrier.labels.req : word === carrier.res ? carrier.labels.res : word));
}

/**
 * The route-handler version of `original` (which stays as it is), or why there is none; null when it is not a
 * helper that passes its req and res to getServerSession.
 */
export function toSessionHelper(snip: Snippets, program: Node, original: Node, imported: Map<string, ImportedStandIn> = new Map()): SessionHelperTwin | null {
  const fn = cloneNode(original);
  const getters = sessionGetterNames(program);
  const calls = getterCalls(fn, getters);
  // One that hands them to Supabase's Pages client instead: called with the same stand-ins (supabase-helper.ts).
  // Or one that builds on them with the query and method too (boxyhq's getAuthOptions(req, res), and its callers).
  if (!calls.length) return toSupabaseShimHelper(program, original) ?? standInShim(program, original, imported, getters);
  const carrier = carrierOf(fn, calls[0]);
  if (!carrier || 'why' in carrier) return carrier;
  if (calls.some((call) => !getters.has(call.callee.name))) return { why: `its ${calls[0].callee.name} is not imported from 'next-auth' or 'next-auth/next'` };
  const { req, res } = carrier;
  // Options from the request: `getServerSession(req, res, getAuthOptions(req, res))`, or through a const of the
  // helper (`const authOptions = getAuthOptions(req, res)`), have nothing to be built from in the twin.
  const readsRequest = (node: Node) => referencesTo([node], req).length > 0 || referencesTo([node], res).length > 0;
  const localInit = (name: string) => {
    let init: Node | null = null;
    walk(fn.body, (node) => {
      if (node.type === 'VariableDeclarator' && isIdent(node.id, name) && node.init) init = node.init;
    });
    return init;
  };
  const optionsReadRequest = calls.some((call) =>
    call.arguments.slice(2).some((a: Node) => {
      const init = isIdent(unwrap(a)) ? localInit(unwrap(a).name) : null;
      return readsRequest(a) || (init !== null && readsRequest(init));
    }),
  );
  if (optionsReadRequest) {
    // Built by a function that takes the stand-ins (`getServerSession(req, res, getAuthOptions(req, res))`): the
    // helper itself gets them.
    const shim = carrier.args.req !== carrier.args.res ? standInShim(program, original, imported, getters) : null;
    return shim && shim.args.req === carrier.args.req && shim.args.res === carrier.args.res ? shim : { why: `its getServerSession options are built from ${carrier.labels.req} or ${carrier.labels.res}` };
  }
  const problem = resUseProblem(fn, req, res, getters);
  if (problem) return { why: labelled(problem, carrier) };
  if (fn.type !== 'ArrowFunctionExpression' && namesIn(fn.body).has('arguments')) return { why: 'it reads arguments' };
  // The parameters that stay must not read the ones that go in their defaults.
  const kept = fn.params.filter((_: Node, i: number) => i !== carrier.args.req && i !== carrier.args.res);
  if (kept.some((p: Node) => carrier.bound.some((name) => referencesTo([p], name).length > 0))) return { why: 'a parameter default reads req or res' };
  // The whole function as the root: a concise body that is the call itself is replaced too.
  applyRecipes(snip, program, [fn], req, res);
  const shims = takesNextAuthShims(program, original, carrier.args);
  const left = referencesTo([fn.body], req)[0];
  if (left) {
    const member = left.key === 'object' ? memberName(left.parent) : null;
    const why = member !== null ? `it uses ${carrier.labels.req}.${member}` : `it uses ${carrier.labels.req} other than in getServerSession(${carrier.labels.req}, ${carrier.labels.res}, …)`;
    return shims && readsOnlyShimmedParts(fn, req) ? { fn: null, args: carrier.args, shims, shimOnly: why } : { why };
  }
  fn.params = kept;
  return { fn, args: carrier.args, shims };
}

/**
 * Whether every use of `req` left in `fn` reads one header or one cookie (`req.headers['x-api-key']`, `req.cookies.id`),
 * which next-auth's Pages-like request holds as Pages parsed them. A write, or `req.headers` itself handed on (which
 * could be changed for the handler to see), is not such a read.
 */
function readsOnlyShimmedParts(fn: Node, req: string): boolean {
  return referencesTo([fn.body], req).every(({ parent, key, ancestors }) => {
    const part = key === 'object' && !parent.computed ? memberName(parent) : null;
    if (part !== 'headers' && part !== 'cookies') return false;
    const outer = ancestors[ancestors.length - 2];
    if (!outer || (outer.type !== 'MemberExpression' && outer.type !== 'OptionalMemberExpression') || outer.object !== parent) return false;
    const above = ancestors[ancestors.length - 3];
    const written =
      (above?.type === 'AssignmentExpression' && above.left === outer) ||
      above?.type === 'UpdateExpression' ||
      (above?.type === 'UnaryExpression' && above.operator === 'delete') ||
      ((above?.type === 'CallExpression' || above?.type === 'OptionalCallExpression') && above.callee === outer) ||
      ((above?.type === 'ForInStatement' || above?.type === 'ForOfStatement') && above.left === outer);
    return !written;
  });
}

/**
 * Whether `call` passes the handler's own req and res where the helper takes them (`refs`: the handler's references
 * to each), and nothing else there: `getSession(req, res)`, `getServerAuthSession({ req, res })`.
 */
export function passesRequestAsTaken(call: Node, args: SessionArgs, names: { req: string; res: string }, refs: { req: Set<Node>; res: Set<Node> }): boolean {
  if (call.arguments.some((a: Node) => a.type === 'SpreadElement')) return false;
  const own = (node: Node, which: 'req' | 'res') => isIdent(node, names[which]) && refs[which].has(node);
  if (args.req !== args.res) return own(call.arguments[args.req], 'req') && own(call.arguments[args.res], 'res');
  const object = call.arguments[args.req];
  if (object?.type !== 'ObjectExpression' || object.properties.length !== 2) return false;
  const value = (key: string) => object.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key))?.value;
  return own(value('req'), 'req') && own(value('res'), 'res');
}

/**
 * The call with next-auth's Pages-like request and response where it passed req and res (recipes.ts): the original
 * helper hands them to getServerSession, which then sets its cookies into the route's headers as in Pages. `res`
 * stays inside `nextAuthResponse(res)` for the response rewrite to put the route's headers there. `queryOf`: the
 * handler's req, for a helper that reads the query and method too: `nextAuthRequest(request, req.query)`, whose
 * `req.query` the request rewrite then takes as any other read (the route's own query object).
 */
export function passNextAuthShims(call: Node, args: SessionArgs, names: { request: string; res: string }, queryOf?: string): void {
  const shims = () => nextAuthShimCalls(names.request, names.res, queryOf);
  if (args.req !== args.res) {
    call.arguments[args.req] = shims().req;
    call.arguments[args.res] = shims().res;
    return;
  }
  for (const property of call.arguments[args.req].properties) {
    property.value = isIdent(property.key, 'req') ? shims().req : shims().res;
    property.shorthand = false;
  }
}

/** The call without the arguments that carried req and res. */
export function dropRequestArgs(call: Node, args: SessionArgs): void {
  call.arguments = call.arguments.filter((_: Node, i: number) => i !== args.req && i !== args.res);
}
