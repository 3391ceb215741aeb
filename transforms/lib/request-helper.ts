/**
 * A project helper that takes the Pages request but not `res` (`getSession(req, linkId)`, reading a cookie and a
 * header): its route-handler version takes the App Router request in the same place, with the reads rewritten as in
 * a handler (`req.headers.cookie` → `request.headers.get('cookie')`, `req.cookies` → `pagesCookies(request)`).
 *
 * One that takes req in an object (`verifyToken({ req })`, request-carrier.ts) takes the request in its place; its
 * next-auth `getToken({ req })` gets next-auth's request, as in a handler.
 *
 * One that reads `req.body` (a request body can be read once, and the handler may read it too) or `req.query` (whose
 * route params differ per route) takes the route's parsed body or query as a last parameter instead, which each call
 * passes (toRequestFunction). Declined (null) when it uses `req` in any way a handler could not.
 */
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, freshName, freshNamerFor, isFunction, isIdent, memberName, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { rewriteRequest, typedAny, type RequestRewrite } from './request.js';
import { carriedArgs, flattenCarrier } from './request-carrier.js';
import { referencesTo } from './scope.js';
import { passesRequestAsTaken, passNextAuthShims } from './session-helper.js';
import { rewriteNextAuthRequestCalls } from './recipes-next-auth-req.js';
import { rewriteClerkAuthCalls } from './recipes-clerk.js';
import { NEXT_AUTH_REQUEST, nextAuthHelpersFree } from './recipes.js';

export function isRequestParam(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  // `req: any` says no more than an untyped `req` (`getIpAddress(req: any)`).
  if (type && type.type !== 'TSAnyKeyword') return namesApiRequest(type);
  return isIdent(param, 'req');
}

/**
 * `NextApiRequest`, also as a member of a union or an intersection: `NextApiRequest | (IncomingMessage & { cookies })`
 * types a helper that getServerSideProps calls too (which keeps the original), `NextApiRequest & { user?: User }` one
 * that reads a field a wrapper set. The twin takes the App Router request in its place either way.
 */
function namesApiRequest(type: Node): boolean {
  if (type.type === 'TSParenthesizedType') return namesApiRequest(type.typeAnnotation);
  if (type.type === 'TSUnionType' || type.type === 'TSIntersectionType') return type.types.some(namesApiRequest);
  return type.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiRequest');
}

/**
 * The request rewrite of code that serves many routes (a helper, a wrapper), or null when it reads what differs from
 * route to route (the query, with its route params) or the body (which can be read once, and the handler reads it).
 */
export function rewriteRequestForAnyRoute(body: Node[], snip: Snippets, reqName: string, request: string, fresh: (base: string) => string, options: AnyRouteOptions = {}): RequestRewrite | null {
  const rewrite = rewriteRequestOrWhy(body, snip, reqName, request, fresh, options);
  return 'why' in rewrite ? null : rewrite;
}

/**
 * `typescript` and `anyTyped` as RequestOptions has them; `extras`, fields a wrapper sets on the request; `params`, the
 * name of the route's params in a wrapper's twin, which has the route's context.
 */
export interface AnyRouteOptions {
  typescript?: boolean;
  anyTyped?: boolean;
  extras?: Set<string>;
  params?: string;
}

/** rewriteRequestForAnyRoute, with why not instead of null (a clause for a report's reason). */
export function rewriteRequestOrWhy(body: Node[], snip: Snippets, reqName: string, request: string, fresh: (base: string) => string, { typescript = false, anyTyped = false, extras, params }: AnyRouteOptions = {}): RequestRewrite | { why: string } {
  // With `params` (a wrapper's twin, which has the route's context), query reads go through pagesQuery with them.
  const rewrite = rewriteRequest(body, { snip, reqName, request, params: params ?? fresh('params'), routeParams: [], anyRouteParams: !!params, pathParams: [], rawBody: false, bodyReaders: new Set(), fresh, typescript, anyTyped, extras });
  if (rewrite.escape) return { why: rewrite.escape.detail };
  const routeBound = ['readPagesBody', ...(params ? [] : ['pagesQuery']), 'bodyChunks'].some((use) => rewrite.compat.has(use));
  return (rewrite.usesParams && !params) || routeBound ? { why: "it reads the route's params or the request body" } : rewrite;
}

export interface RequestHelper {
  /** Position of the request parameter. */
  reqIndex: number;
  /** Position of the parsed body's parameter, added last, when the helper reads `req.body`. */
  bodyIndex?: number;
  /** Position of the route's query parameter, added after the body's, when the helper reads `req.query`. */
  queryIndex?: number;
  /** Compat helpers the rewritten body imports. */
  uses: Set<string>;
  /** The rewritten parameter is typed `NextRequest`. */
  usesNextRequest: boolean;
  /** The same-module request helpers whose twins the rewritten body calls. */
  nestedCalled?: Set<string>;
  /** The helper took req in an object (`verifyToken({ req })`, request-carrier.ts): calls pass `{ req }` at reqIndex. */
  carried?: boolean;
  /** What the report of a route that calls it says of its rewrite (request.ts: the socket's address). */
  notes?: string[];
}

/** A request helper of the same module with a twin, as the functions that call it see it. */
export interface NestedRequestHelper {
  twin: string;
  reqIndex: number;
  /** Calls pass `{ req }` at reqIndex (request-carrier.ts). */
  carried?: boolean;
  /** Its twin takes the parsed body, or the route's query, at this position: calls pass their own `req.body` / `req.query`. */
  bodyIndex?: number;
  queryIndex?: number;
  /**
   * A helper with no twin that takes the compat module's Pages-like request and response (a Supabase session helper,
   * supabase-helper.ts): calls that pass req at reqIndex and res here (or `{ req, res }` at reqIndex, when the two are
   * the same) call it itself with those stand-ins.
   */
  shimRes?: number;
  /** A helper written for both routers (dual-request-helper.ts): calls keep its name and pass the request as it is. */
  asIs?: boolean;
  /**
   * With shimRes: the request stand-in must carry the route's query and method, or the helper sets cookies on req
   * (stand-in-helper.ts). A twin here has no route query to give, nor the route's reads of req to check: not followed.
   */
  query?: boolean;
  writesCookies?: boolean;
}

/**
 * `getSession(req, id)` or `verifyToken({ req })` of the same module, passed this function's own req: its twin's call
 * with the request in that place (before the request rewrite, which would take req passed to a function for an
 * escape). Returns the helpers called.
 */
export function redirectNestedRequestCalls(body: Node[], reqName: string, requestName: string, nested: Map<string, NestedRequestHelper>, shim?: { res: string; used: boolean }): Set<string> {
  const called = new Set<string>();
  if (!nested.size) return called;
  // The caller's own req and res, not a callback's parameter of the same name.
  const own = { req: new Set(referencesTo(body, reqName).map((r) => r.node)), res: new Set(shim ? referencesTo(body, shim.res).map((r) => r.node) : []) };
  walk({ type: 'BlockStatement', body }, (node) => {
    const helper = node.type === 'CallExpression' && isIdent(node.callee) ? nested.get(node.callee.name) : undefined;
    if (!helper || node.arguments.some((a: Node) => a.type === 'SpreadElement')) return;
    if (helper.shimRes !== undefined) {
      if (helper.query || helper.writesCookies) return;
      // Only where the caller has res to give (a wrapper): the stand-ins write the helper's cookies into its headers.
      // Its own req and res where the helper takes them (`createClient({ req, res })` for the same place), as a route's.
      const args = { req: helper.reqIndex, res: helper.shimRes };
      if (!shim || !passesRequestAsTaken(node, args, { req: reqName, res: shim.res }, own)) return;
      passNextAuthShims(node, args, { request: requestName, res: shim.res });
      shim.used = true;
      return;
    }
    const passed = helper.carried ? carriedArgs(node, helper.reqIndex, ['req'])?.req : node.arguments[helper.reqIndex];
    if (!own.req.has(passed)) return;
    if (helper.asIs) {
      // No twin and no import to add: the call stays under the name this module gives it.
      node.arguments[helper.reqIndex] = { type: 'Identifier', name: requestName };
      return;
    }
    called.add(node.callee.name);
    node.callee = { type: 'Identifier', name: helper.twin };
    node.arguments[helper.reqIndex] = { type: 'Identifier', name: requestName };
    // `req.body` / `req.query` of the caller's own req, which its rewrite then takes as it takes any other read.
    const routeData: Array<[number | undefined, string]> = [[helper.bodyIndex, 'body'], [helper.queryIndex, 'query']];
    for (const [index, member] of routeData) {
      if (index === undefined) continue;
      while (node.arguments.length < index) node.arguments.push({ type: 'Identifier', name: 'undefined' });
      node.arguments[index] = { type: 'MemberExpression', object: { type: 'Identifier', name: reqName }, property: { type: 'Identifier', name: member }, computed: false };
    }
  });
  return called;
}

/**
 * next-auth's `getToken({ req })` in a helper's body → `getToken({ req: nextAuthRequest(request) })`, as the route
 * rewrites it in a handler (recipes-next-auth-req.ts); the compat names it uses, or null when the module holds
 * another `nextAuthRequest` (the call is then left, and req escapes through it). Clerk's `getAuth(req)` gets the
 * request, as in a handler (recipes-clerk.ts).
 */
export function rewriteHelperTokenCalls(snip: Snippets, program: Node, body: Node[], reqName: string, requestName: string, taken: Set<string>): Set<string> | null {
  rewriteClerkAuthCalls(program, body, { req: reqName, request: requestName });
  if (!nextAuthHelpersFree(program, taken)) return null;
  const { usesNextAuthRequest } = rewriteNextAuthRequestCalls(snip, program, body, { req: reqName, res: '', request: requestName, nextAuthRequest: true, rawBody: false });
  return new Set(usesNextAuthRequest ? [NEXT_AUTH_REQUEST] : []);
}

/**
 * The `req.body` reads of `body` (`req.body`, `req.body.name`, `'x' in req.body`; or of `req.query`, with `member`),
 * replaced by `bodyName`; null, with nothing replaced, when one writes it (`req.body = …`, `delete req.body`): a
 * parameter would not carry that back.
 */
export function bodyReadsToParam(body: Node[], reqName: string, bodyName: string, member: 'body' | 'query' = 'body'): number | null {
  const reads: Array<{ parent: Node; key: string; node: Node }> = [];
  let writes = false;
  walk({ type: 'BlockStatement', body }, (node, parent, key) => {
    // A function of its own `req` (`const check = (req) => req.query.key`) reads another request.
    if (isFunction(node) && node.params.some((p: Node) => namesIn(p).has(reqName))) return false;
    if (memberName(node) !== member || !isIdent(unwrap(node.object), reqName) || !parent) return;
    const written = (parent.type === 'AssignmentExpression' && key === 'left') || parent.type === 'UpdateExpression' || (parent.type === 'UnaryExpression' && parent.operator === 'delete');
    if (written) writes = true;
    else reads.push({ parent, key, node });
  });
  if (writes) return null;
  for (const { parent, key, node } of reads) {
    const slot = parent[key];
    if (Array.isArray(slot)) slot[slot.indexOf(node)] = { type: 'Identifier', name: bodyName };
    else parent[key] = { type: 'Identifier', name: bodyName };
  }
  return reads.length;
}

/**
 * Optional parameters (`role?: string`) before the ones a twin adds last become required ones that take undefined
 * (`role: string | undefined`): TypeScript allows no required parameter after an optional one, and every call passes
 * `undefined` up to the added ones anyway (passPagesBody).
 */
export function requireOptionalParams(snip: Snippets, fn: Node): void {
  fn.params = fn.params.map((param: Node) => {
    if (param.type !== 'Identifier' || !param.optional) return param;
    const type = param.typeAnnotation?.typeAnnotation;
    return snip.statements(`function f(${param.name}${type ? `: ${snip.src(type)} | undefined` : ''}) {}`)[0].params[0];
  });
}

/**
 * A call of a request helper's twin that takes the parsed body last (`bodyIndex`): `undefined` up to there, then the
 * body as Pages parsed it, `req.body`, which the route's request rewrite reads once for the route.
 */
export function passPagesBody(j: JSCodeshift, call: Node, bodyIndex: number, reqName: string, member: 'body' | 'query' = 'body'): void {
  while (call.arguments.length < bodyIndex) call.arguments.push(j.identifier('undefined'));
  // Arguments past the function's parameters (which it never read) move after it.
  call.arguments.splice(bodyIndex, 0, j.memberExpression(j.identifier(reqName), j.identifier(member)));
}

/**
 * Rewrites `fn` (a copy: changed in place) to take the App Router request, or returns null. With `withBody`, a helper
 * that reads `req.body` takes the parsed body as a last parameter instead, which each call passes from the route's
 * one read of it (the body of a request can be read once).
 */
export function toRequestFunction(
  j: JSCodeshift,
  snip: Snippets,
  fn: Node,
  typescript: boolean,
  taken: Set<string>,
  withBody = false,
  /** Request helpers of the same module with their twins: calls of them with req call the twin with the request. */
  nested: Map<string, NestedRequestHelper> = new Map(),
  /** Where the request is, when the callers say so (a function of the route's own file); else found by its type or name. */
  knownReqIndex?: number,
  /**
   * A helper that reads `req.query` takes the route's query (its params merged in, which only the route knows) as a
   * last parameter, which each call passes as `req.query`: the route's own query then.
   */
  withQuery = false,
  /**
   * The module, for a helper of another module than the route: its `getToken({ req })` of next-auth is rewritten as
   * in a handler, and a helper that takes req in an object (`verifyToken({ req })`) has a twin too.
   */
  program?: Node,
  /** The route's own file, for a function of it: its Clerk `getAuth(req)` gets the request, as in the handler. */
  routeFile?: Node,
): RequestHelper | null {
  // `({ req })`, `(ctx)` read as `ctx.req`: the twin takes the request in the object's place.
  const carrier = program && knownReqIndex === undefined ? flattenCarrier(fn, 'req', isRequestParam) : null;
  if (carrier && carrier.keys.length !== 1) return null;
  const reqIndex = carrier?.at ?? knownReqIndex ?? fn.params.findIndex(isRequestParam);
  if (reqIndex < 0 || fn.params[reqIndex]?.type !== 'Identifier' || (knownReqIndex === undefined && fn.params.filter(isRequestParam).length > 1)) return null;
  // A helper that also takes res is the business of transforms/lib/res-helpers.ts (or is left).
  if (takesResponse(fn)) return null;
  const reqName = fn.params[reqIndex].name;
  const body: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [j.returnStatement(fn.body)];
  const fresh = freshNamerFor(fn, taken, reqName);
  const requestName = fresh('request');
  // `getSession(req, id)` of the same module: its twin takes the request in the same place.
  const nestedCalled = redirectNestedRequestCalls(body, reqName, requestName, nested);
  const tokenUses = program ? rewriteHelperTokenCalls(snip, program, body, reqName, requestName, taken) : new Set<string>();
  if (routeFile) rewriteClerkAuthCalls(routeFile, body, { req: reqName, request: requestName });
  // A rest parameter leaves no place after the others for the body.
  const bodyName = withBody && !fn.params.some((p: Node) => p.type === 'RestElement') ? fresh('body') : null;
  const bodyReads = bodyName ? bodyReadsToParam(body, reqName, bodyName) : 0;
  if (bodyReads === null) return null;
  const queryName = withQuery && !fn.params.some((p: Node) => p.type === 'RestElement') ? fresh('query') : null;
  const queryReads = queryName ? bodyReadsToParam(body, reqName, queryName, 'query') : 0;
  if (queryReads === null) return null;
  const rewrite = rewriteRequestForAnyRoute(body, snip, reqName, requestName, fresh, { typescript, anyTyped: typedAny(fn.params[reqIndex]) });
  if (!rewrite) return null;
  const [typed] = snip.statements(
    `function f(${requestName}${typescript ? ': NextRequest' : ''}, ${bodyName ?? 'body'}${typescript ? ': any' : ''}, ${queryName ?? 'query'}${typescript ? ': Partial<{ [key: string]: string | string[] }>' : ''}) {}`,
  );
  fn.params[reqIndex] = typed.params[0];
  if (bodyReads || queryReads) requireOptionalParams(snip, fn);
  if (bodyReads) fn.params.push(typed.params[1]);
  const bodyIndex = bodyReads ? fn.params.length - 1 : undefined;
  if (queryReads) fn.params.push(typed.params[2]);
  const queryIndex = queryReads ? fn.params.length - 1 : undefined;
  const statements = [...rewrite.prelude, ...body];
  if (fn.body.type === 'BlockStatement') fn.body.body = statements;
  else fn.body = j.blockStatement(statements);
  tokenUses?.forEach((use) => rewrite.compat.add(use));
  return { reqIndex, ...(bodyIndex !== undefined ? { bodyIndex } : {}), ...(queryIndex !== undefined ? { queryIndex } : {}), uses: rewrite.compat, usesNextRequest: typescript, nestedCalled, ...(carrier ? { carried: true } : {}), ...(rewrite.notes.length ? { notes: rewrite.notes } : {}) };
}

/** A parameter that is the Pages response by its name or its type. */
function takesResponse(fn: Node): boolean {
  return fn.params.some((p: Node) => isIdent(p, 'res') || p.typeAnnotation?.typeAnnotation?.typeName?.name === 'NextApiResponse');
}

/** The statements of a copy of `fn`, an expression body as its return: to try rewrites on without changing `fn`. */
function copiedBody(fn: Node): { copy: Node; body: Node[] } {
  const copy = cloneNode(fn);
  return { copy, body: copy.body.type === 'BlockStatement' ? copy.body.body : [{ type: 'ReturnStatement', argument: copy.body }] };
}

/** What the request rewrite stops at in `fn` (` (req.on)`), for the report; empty when it stops at nothing. */
export function requestEscape(snip: Snippets, fn: Node, reqName: string): string {
  const { copy, body } = copiedBody(fn);
  const taken = namesIn(copy);
  const rewrite = rewriteRequest(body, { snip, reqName, request: freshName('request', taken), params: freshName('params', taken), routeParams: [], pathParams: [], rawBody: false, bodyReaders: new Set(), fresh: (base) => freshName(base, taken) });
  return rewrite.escape ? ` (${rewrite.escape.detail})` : '';
}

/**
 * Why a helper of another module that takes the Pages request (and no response) has no request twin, for the report
 * of the routes that call it (`it uses req as a handler could not (req.socket)`); null for any other function.
 */
export function requestHelperWhy(snip: Snippets, fn: Node): string | null {
  const param = fn.params[fn.params.findIndex(isRequestParam)];
  if (param?.type !== 'Identifier' || takesResponse(fn)) return null;
  // A write the twin's body or query parameter would not carry back to the caller.
  const { body } = copiedBody(fn);
  const written = (['body', 'query'] as const).find((member) => bodyReadsToParam(body, param.name, 'read', member) === null);
  if (written) return `it writes ${param.name}.${written}`;
  return `it uses ${param.name} as a handler could not${requestEscape(snip, fn, param.name)}`;
}
