/**
 * A project function that uses the Pages req and res only as the compat module's Pages-like stand-ins answer them,
 * when the request stand-in also carries the route's query and method (`nextAuthRequest(request, req.query)`):
 *
 *   export const getAuthOptions = (req: NextApiRequest, res: NextApiResponse) => {
 *     const dbCallback = req.query.nextauth?.includes('callback') && req.method === 'POST'
 *     return { …, callbacks: { async signIn({ user }) { if (dbCallback) setCookie(name, await token(user), { req, res }) } } }
 *   }
 *   export const getSession = (req: NextApiRequest, res: NextApiResponse) => getServerSession(req, res, getAuthOptions(req, res))
 *   export const throwIfNoTeamAccess = async (req: NextApiRequest, res: NextApiResponse) => {
 *     const session = await getSession(req, res)
 *     const { slug } = validateWithSchema(teamSlugSchema, req.query)
 *     …
 *   }
 *
 * boxyhq's saas-starter-kit, and the apps made from it, build next-auth's options from the request so. Such a function
 * has no version without req and res, but a route can call it itself with the stand-ins (session-helper.ts's
 * shim-only form), and its module stays as it is.
 *
 * Followed, in the function and in every function of it (callbacks run later read the same objects): req read for its
 * headers and cookies (supabase-helper.ts's onlyReadFrom), its query (any read: the stand-in's is the route's own
 * query object, as Pages shared req.query) and its method; res given headers (isHeaderUse); both handed to
 * next-auth's getServerSession, to cookies-next in `{ req, res }`, or to another such function, of this module or
 * imported (the plan tells of those: src/imported-helpers.ts), where it takes them. cookies-next's setCookie and
 * deleteCookie also write the cookie into `req.cookies` (and getCookies gives that object away): such a function says
 * so (`writesCookies`), for the route to check that the handler does not read them apart from the stand-in
 * (pages-api-to-route-handler.ts's standInClash).
 */
import { isIdent, isMember, memberName, namesIn, pastWrappers, unwrap, walk, type Node } from './ast.js';
import { valueImports } from './imports.js';
import { isRequestParam } from './request-helper.js';
import { isResponseParam } from './res-helpers.js';
import { referencesTo, type Reference } from './scope.js';
import { takesNextAuthShims } from './shim-types.js';
import { functionsByName, isHeaderUse, isWrittenAt, onlyReadFrom } from './stand-in-uses.js';

/** A function of another module that takes the stand-ins (src/imported-helpers.ts), by the local name imported. */
export interface ImportedStandIn {
  reqIndex: number;
  shimRes?: number;
  query?: boolean;
  writesCookies?: boolean;
}

/** Where such a function takes req and res, whether it reads the query or method, and whether it sets cookies on req. */
export interface StandInUse {
  args: { req: number; res: number };
  query: boolean;
  writesCookies: boolean;
  /** The first use that needs the stand-ins, for the report (`it passes req and res to getAuthOptions()`). */
  why: string;
}

const COOKIES_NEXT = ['cookies-next', 'cookies-next/server'];
const COOKIE_READS = new Set(['getCookie', 'hasCookie']);
// getCookies({ req }) gives back req.cookies itself, which its caller may change.
const COOKIE_WRITES = new Set(['setCookie', 'deleteCookie', 'getCookies']);

interface Scope {
  functions: Map<string, Node>;
  imported: Map<string, ImportedStandIn>;
  getters: Set<string>;
  /** cookies-next's functions by local name: whether each writes. */
  cookies: Map<string, boolean>;
  known: Map<Node, StandInUse | null>;
}

/**
 * The callee a call of `fn` passes req and res to where it takes them, if it is one: what it needs, and the arguments
 * that are req and res there (another argument that is req, `note(req, res, req)`, is not such a use).
 */
function calleeUse(scope: Scope, call: Node, req: string, res: string): { query: boolean; writesCookies: boolean; label: string; given: Node[]; nextAuth?: true } | null {
  if (call.type !== 'CallExpression' || !isIdent(call.callee) || call.arguments.some((a: Node) => a.type === 'SpreadElement')) return null;
  const name = call.callee.name;
  const at = (index: number | undefined, which: string) => index !== undefined && isIdent(unwrap(call.arguments[index] ?? null), which);
  if (scope.getters.has(name)) return at(0, req) && at(1, res) ? { query: false, writesCookies: false, label: `${name}()`, given: call.arguments.slice(0, 2), nextAuth: true } : null;
  const local = scope.functions.get(name);
  const inner = local ? standInOf(scope, local) : null;
  const imported = !local ? scope.imported.get(name) : undefined;
  const args = inner ? inner.args : imported?.shimRes !== undefined ? { req: imported.reqIndex, res: imported.shimRes } : null;
  if (!args || !at(args.req, req) || !at(args.res, res)) return null;
  return { query: inner?.query ?? !!imported?.query, writesCookies: inner?.writesCookies ?? !!imported?.writesCookies, label: `${name}()`, given: [call.arguments[args.req], call.arguments[args.res]] };
}

/** `{ req, res, …options }` given to cookies-next (`setCookie(name, value, { req, res })`), its other values reading neither. */
function cookieUse(scope: Scope, object: Node, holder: Node | undefined, req: string, res: string): { writesCookies: boolean; label: string } | null {
  if (object?.type !== 'ObjectExpression' || holder?.type !== 'CallExpression' || !holder.arguments.includes(object) || !isIdent(holder.callee)) return null;
  const writes = scope.cookies.get(holder.callee.name);
  if (writes === undefined) return null;
  const value = (key: string) => object.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key))?.value;
  if (!isIdent(value('req'), req) || (value('res') && !isIdent(value('res'), res))) return null;
  const others = object.properties.filter((p: Node) => !(p.type === 'ObjectProperty' && !p.computed && (isIdent(p.key, 'req') || isIdent(p.key, 'res'))));
  if (others.some((p: Node) => referencesTo([p], req).length || referencesTo([p], res).length)) return null;
  return { writesCookies: writes, label: `cookies-next's ${holder.callee.name}()` };
}

/** `req.query` / `req.method` (past a cast: `(req as NextApiRequest).query`), read and never written. */
function readsRouteData(ref: Reference): boolean {
  const { node, at } = pastWrappers(ref.node, ref.ancestors);
  const member = ref.ancestors[at];
  if (!isMember(member) || member.object !== node || member.computed) return false;
  const part = memberName(member);
  if (part !== 'query' && part !== 'method') return false;
  const [above, further] = [ref.ancestors[at - 1], ref.ancestors[at - 2]];
  if (isWrittenAt(member, above, further)) return false;
  // `req.query.page = '1'`, `delete req.query.token`: the route's query is the handler's too, but keep to reads.
  return part === 'method' || !(isMember(above) && above.object === member && isWrittenAt(above, further, ref.ancestors[at - 3]));
}

/** The Pages response as a parameter: res-helpers.ts's, also in a union (`NextApiResponse | ServerResponse`). */
function takesResponse(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  if (type?.type === 'TSUnionType') return type.types.some((member: Node) => member.type === 'TSTypeReference' && isIdent(member.typeName, 'NextApiResponse'));
  return isResponseParam(param);
}

function standInOf(scope: Scope, fn: Node): StandInUse | null {
  if (scope.known.has(fn)) return scope.known.get(fn)!;
  scope.known.set(fn, null);
  const found = analyse(scope, fn);
  scope.known.set(fn, found);
  return found;
}

function analyse(scope: Scope, fn: Node): StandInUse | null {
  if (!fn.body || (fn.type !== 'ArrowFunctionExpression' && namesIn(fn.body).has('arguments'))) return null;
  const reqAt = fn.params.findIndex(isRequestParam);
  const resAt = fn.params.findIndex((p: Node, i: number) => i !== reqAt && takesResponse(p));
  if (reqAt < 0 || resAt < 0 || !isIdent(fn.params[reqAt]) || !isIdent(fn.params[resAt])) return null;
  const [req, res] = [fn.params[reqAt].name, fn.params[resAt].name];
  // A default of another parameter that reads them (`id = req.query.id`) is not followed.
  const defaults: Node[] = [];
  walk({ type: 'Program', body: fn.params }, (node) => void (node.type === 'AssignmentPattern' && defaults.push(node.right)));
  if (referencesTo(defaults, req).length || referencesTo(defaults, res).length) return null;
  const use: StandInUse = { args: { req: reqAt, res: resAt }, query: false, writesCookies: false, why: '' };
  // The first use that needs the stand-ins, for the report; next-auth's own getServerSession only where nothing else does.
  let handsToNextAuth = '';
  const because = (text: string) => (use.why ||= text);
  const passed = (ref: Reference): boolean => {
    const call = ref.parent.type === 'CallExpression' && ref.key === 'arguments' ? ref.parent : null;
    const callee = call ? calleeUse(scope, call, req, res) : null;
    if (callee?.given.includes(ref.node)) {
      use.query ||= callee.query;
      use.writesCookies ||= callee.writesCookies;
      if (callee.nextAuth) handsToNextAuth ||= `it passes ${req} and ${res} to ${callee.label}`;
      else because(`it passes ${req} and ${res} to ${callee.label}`);
      return true;
    }
    const object = ref.parent.type === 'ObjectProperty' && ref.parent.value === ref.node ? ref.ancestors.at(-2) : null;
    const cookies = object ? cookieUse(scope, object, ref.ancestors.at(-3), req, res) : null;
    if (!cookies) return false;
    use.writesCookies ||= cookies.writesCookies;
    because(`it passes ${req} and ${res} to ${cookies.label}`);
    return true;
  };
  const reqOk = referencesTo([fn.body], req).every((ref) => {
    if (passed(ref)) return true;
    if (readsRouteData(ref)) {
      use.query = true;
      because(`it reads ${req}.${memberName(ref.ancestors[pastWrappers(ref.node, ref.ancestors).at])}`);
      return true;
    }
    const member = ref.parent;
    if (!isMember(member) || ref.key !== 'object' || member.computed || !['headers', 'cookies'].includes(memberName(member) ?? '')) return false;
    return onlyReadFrom(member, ref.ancestors.slice(0, -1));
  });
  if (!reqOk || !referencesTo([fn.body], res).every((ref) => passed(ref) || isHeaderUse(ref))) return null;
  // Nothing that needs more than what the request helpers twin already (those come first): not this kind.
  use.why ||= handsToNextAuth;
  return use.why ? use : null;
}

/**
 * `fn` of `program` as such a function, for its routes: where it takes req and res, typed so that the stand-ins fit
 * (shim-types.ts), or null. `imported`: the module's imports of such functions of other modules.
 */
export function standInUse(program: Node, fn: Node, imported: Map<string, ImportedStandIn>, getters: Set<string>): StandInUse | null {
  const cookies = new Map<string, boolean>();
  for (const { local, imported: name } of valueImports(program, COOKIES_NEXT)) {
    if (COOKIE_READS.has(name) || COOKIE_WRITES.has(name)) cookies.set(local, COOKIE_WRITES.has(name));
  }
  const scope: Scope = { functions: functionsByName(program), imported, getters, cookies, known: new Map() };
  const use = standInOf(scope, fn);
  return use && takesNextAuthShims(program, fn, use.args) ? use : null;
}

