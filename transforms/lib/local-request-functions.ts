/**
 * Functions of the route's own file that the handler passes its request to, and that do not answer:
 *
 *   case 'POST':
 *     await post(spotifyId, req, res)
 *     return res.status(200).json({ status: 'success' })
 *   …
 *   async function post(spotifyId: string, req: NextApiRequest, res: NextApiResponse) {
 *     const session = await getServerSession(req, res, authOptions)
 *     …
 *   }
 *
 * Such a function moves into route.ts with the handler, so it is rewritten in place (no twin, unlike a helper of
 * another module: transforms/lib/request-helper.ts). Its request parameter takes the App Router request, its reads
 * rewritten as that helper's are (headers, cookies, the URL, the method; a `req.body` read becomes a parameter that
 * each call fills from the route's one read of the body). A `res` used only in next-auth's
 * `getServerSession(req, res, options)` (which becomes `getServerSession(options)`, as in the handler) or not at all
 * goes, and so does a request that nothing reads any more. Each call passes the route's request and no `res`.
 *
 * Declined, the function untouched and the reason kept for the report, when it is exported or used other than by
 * direct calls from the handler, when the calls do not all pass the handler's `req` (and `res`) in the same place or
 * pass more arguments than it takes, when a call passes another `req` or `res` (a callback's own of that name), when it answers through `res` or uses `res` for anything else, or when it reads
 * `req.query` (the route's params are not at hand there) or uses `req` in a way a handler could not. Sub-handlers
 * that answer (`return handleGET(req, res)`) were inlined before this runs (sub-handlers.ts); one that was not keeps
 * its `res` and is declined here.
 */
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, countIdentifiers, freshName, isIdent, memberName, namesIn, unwrap, type Node, type Snippets } from './ast.js';
import { resolveFunction } from './dispatch.js';
import { boundWhereRead, namesDeclaredWithin, patternNames } from './free-names.js';
import { applyRecipes, sessionGetterNames } from './recipes.js';
import { passPagesBody, requestEscape, toRequestFunction, type RequestHelper } from './request-helper.js';
import { referencesTo, type Reference } from './scope.js';

export interface LocalRequestFunctions {
  /** Compat helpers the rewritten functions import. */
  uses: Set<string>;
  /** A rewritten function's request parameter is typed NextRequest. */
  usesNextRequest: boolean;
  /** Functions of the file passed the request that stay as they were, with why (for the report's detail). */
  declined: Map<string, string>;
  /** What the route's report says of the rewritten functions. */
  notes: string[];
}

interface Names {
  req: string;
  res: string;
  /** The route's request, which the calls pass instead. */
  request: string;
}

/** Rewrites, in `program` and in `body` (the handler's statements), the same-file functions the handler passes `req` to. */
export function rewriteLocalRequestFunctions(
  j: JSCodeshift,
  snip: Snippets,
  program: Node,
  handlerFn: Node,
  body: Node[],
  names: Names,
  typescript: boolean,
  taken: Set<string>,
  /** The module stays for a Pages handler that calls them too (a handler twinned in its module): none is rewritten. */
  keep: boolean,
): LocalRequestFunctions {
  const out: LocalRequestFunctions = { uses: new Set(), usesNextRequest: false, declined: new Map(), notes: [] };
  const called = new Set<string>();
  for (const ref of referencesTo(body, names.req)) {
    if (ref.parent.type === 'CallExpression' && ref.key === 'arguments' && isIdent(ref.parent.callee)) called.add(ref.parent.callee.name);
  }
  if (!called.size) return out;
  // A name the handler declares itself means its own binding there, not the module's function.
  const own = new Set([...namesDeclaredWithin({ type: 'BlockStatement', body }), ...handlerFn.params.flatMap((p: Node) => patternNames(p))]);
  for (const name of called) {
    if (own.has(name)) continue;
    const ref = resolveFunction(program, { type: 'Identifier', name });
    if (!ref || ref.index < 0 || ref.fn === handlerFn) {
      if (isExportedFunction(program, name)) out.declined.set(name, 'it is exported, and its other callers pass a Pages request');
      continue;
    }
    if (keep) {
      out.declined.set(name, "the module's Pages handler calls it too");
      continue;
    }
    const why = rewriteFunction(j, snip, program, handlerFn, body, ref.fn, name, names, typescript, taken, out);
    if (why) out.declined.set(name, why);
  }
  return out;
}

/** `export function name`, `export const name = …`: another module may call it with a Pages request. */
function isExportedFunction(program: Node, name: string): boolean {
  return program.body.some((stmt: Node) => {
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : null;
    if (decl?.type === 'FunctionDeclaration') return decl.id?.name === name;
    return decl?.type === 'VariableDeclaration' && decl.declarations.some((d: Node) => patternNames(d.id).includes(name));
  });
}

function isDeclarationId(ref: Reference, fn: Node): boolean {
  return (ref.parent === fn && ref.key === 'id') || (ref.parent.type === 'VariableDeclarator' && ref.key === 'id');
}

/** The one place where every call passes `name` itself as an argument (-1 when none does), or null when they differ. */
function placeOf(calls: Node[], name: string): number | null {
  const places = new Set(calls.map((call) => (call.arguments.filter((a: Node) => isIdent(a, name)).length > 1 ? -2 : call.arguments.findIndex((a: Node) => isIdent(a, name)))));
  if (places.size !== 1 || places.has(-2)) return null;
  return [...places][0];
}

/** Whether a parameter is the Pages response by its type or its name. */
function looksLikeResponse(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  if (type?.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiResponse')) return true;
  return isIdent(param, 'res') || isIdent(param, 'response');
}

/**
 * Why `res` cannot go: a use other than the second argument of getServerSession(req, res, …); or null. Also the rule
 * for a helper of another module that passes its req and res to getServerSession (session-helper.ts).
 */
export function resUseProblem(fn: Node, reqParam: string, resParam: string, sessionGetters: Set<string>): string | null {
  for (const ref of referencesTo([fn.body], resParam)) {
    const call = ref.parent;
    const inSession = call.type === 'CallExpression' && ref.key === 'arguments' && call.arguments[1] === ref.node && isIdent(call.callee) && sessionGetters.has(call.callee.name) && isIdent(unwrap(call.arguments[0]), reqParam);
    if (inSession) continue;
    const member = memberName(ref.parent);
    if (member !== null && ref.key === 'object') return `it uses ${resParam}.${member}`;
    if (call.type === 'CallExpression' && ref.key === 'arguments') return `it passes ${resParam} to ${isIdent(call.callee) ? `${call.callee.name}()` : 'a function'}`;
    return `it uses ${resParam} other than in getServerSession(${reqParam}, ${resParam}, …)`;
  }
  return null;
}

/** Rewrites `fn` and the handler's calls of it; or returns why not, leaving both untouched. */
function rewriteFunction(
  j: JSCodeshift,
  snip: Snippets,
  program: Node,
  handlerFn: Node,
  body: Node[],
  fn: Node,
  name: string,
  names: Names,
  typescript: boolean,
  taken: Set<string>,
  out: LocalRequestFunctions,
): string | null {
  if (fn.generator) return 'it is a generator';
  // Every use of it is a direct call from the handler: anything else would still hand it a Pages request.
  const elsewhere = referencesTo(program.body, name).filter((r) => !isDeclarationId(r, fn) && !r.ancestors.includes(handlerFn));
  if (elsewhere.some((r) => r.parent.type === 'ExportSpecifier')) return 'it is exported, and its other callers pass a Pages request';
  if (elsewhere.length) return 'it is used elsewhere than in direct calls from the handler';
  const calls: Node[] = [];
  for (const r of referencesTo(body, name)) {
    if (r.parent.type !== 'CallExpression' || r.key !== 'callee') return 'it is used elsewhere than in direct calls from the handler';
    calls.push(r.parent);
  }
  if (calls.some((call) => call.arguments.some((a: Node) => a.type === 'SpreadElement'))) return 'a call spreads its arguments';
  if (fn.params.some((p: Node) => p.type === 'RestElement')) return 'it takes a rest parameter';
  // Arguments past its parameters are evaluated and dropped (`requestLabel(req, user)` of a `(req)` function): a
  // literal or a name bound where it is read (which cannot throw) goes from the calls, whose new arguments take their
  // places. Anything else (a call, a member read that may throw on null) keeps the call.
  const arity = fn.params.length;
  const dropsSafely = (call: Node) => call.arguments.slice(arity).every((a: Node) => (a.type === 'Identifier' ? boundWhereRead(program, handlerFn, a.name, call) : /Literal$/.test(a.type) && a.type !== 'TemplateLiteral'));
  if (!calls.every(dropsSafely)) return 'a call passes more arguments than it takes, and they run code or may throw';
  if (fn.type !== 'ArrowFunctionExpression' && countIdentifiers(fn.body, 'arguments') > 0) return 'it reads arguments';
  // A call inside a callback that has its own `req` (`.map((req) => label(req))`) passes that one, not the request.
  for (const own of [names.req, names.res]) {
    const handlerRefs = new Set(referencesTo(body, own).map((r) => r.node));
    if (calls.some((call) => call.arguments.some((a: Node) => isIdent(a, own) && !handlerRefs.has(a)))) return `${name}() is also called with another ${own}`;
  }
  const reqAt = placeOf(calls, names.req);
  const resAt = placeOf(calls, names.res);
  if (reqAt === null || reqAt < 0) return `its calls do not all pass ${names.req} in the same place`;
  if (resAt === null) return `its calls do not all pass ${names.res} in the same place`;
  const reqParam = fn.params[reqAt];
  const resParam = resAt >= 0 ? fn.params[resAt] : null;
  if (reqParam?.type !== 'Identifier' || (resParam && resParam.type !== 'Identifier')) return 'its request or response parameter is not a plain name';
  if (!resParam && fn.params.some(looksLikeResponse)) return `it takes a response that its calls do not pass as ${names.res}`;
  if (resParam) {
    const problem = resUseProblem(fn, reqParam.name, resParam.name, sessionGetterNames(program));
    if (problem) return problem;
  }
  // Defaults are not rewritten: one that reads the request or the response would read the Pages one.
  if (fn.params.some((p: Node) => p.type === 'AssignmentPattern' && (countIdentifiers(p.right, reqParam.name) > 0 || (resParam && countIdentifiers(p.right, resParam.name) > 0)))) return 'a parameter default reads the request or the response';

  // First on a copy, so that a function declined halfway stays as it was; then on the function itself, whose
  // untouched parts then keep their text when printed.
  const copy = cloneNode(fn);
  const rewritten = rewriteParams(j, snip, program, copy, reqParam.name, resParam?.name ?? null, reqAt, resAt, typescript, taken);
  if (!rewritten) return `it uses ${reqParam.name} as a handler could not${requestEscape(snip, fn, reqParam.name)}`;
  const { reqIndex, readsRequest, helper } = rewriteParams(j, snip, program, fn, reqParam.name, resParam?.name ?? null, reqAt, resAt, typescript, taken)!;
  helper?.uses.forEach((u) => out.uses.add(u));
  out.notes.push(...(helper?.notes ?? []));
  out.usesNextRequest ||= !!helper?.usesNextRequest;
  const bodyIndex = helper?.bodyIndex;
  const queryIndex = helper?.queryIndex;

  for (const call of calls) {
    call.arguments.splice(arity);
    if (resAt >= 0) call.arguments.splice(resAt, 1);
    if (readsRequest) call.arguments[reqIndex] = j.identifier(names.request);
    else call.arguments.splice(reqIndex, 1);
    if (bodyIndex !== undefined) passPagesBody(j, call, bodyIndex, names.req);
    if (queryIndex !== undefined) passPagesBody(j, call, queryIndex, names.req, 'query');
  }
  return null;
}

/**
 * Applies the next-auth recipe to `fn` and drops its `res` parameter, then rewrites its request parameter for the
 * route, or drops it when nothing reads it any more. Null when the request's reads have no rewrite (`fn` is then
 * partly changed: the caller tries a copy first).
 */
function rewriteParams(j: JSCodeshift, snip: Snippets, program: Node, fn: Node, reqName: string, resName: string | null, reqAt: number, resAt: number, typescript: boolean, taken: Set<string>): { reqIndex: number; readsRequest: boolean; helper: RequestHelper | null } | null {
  if (resName) {
    applyRecipes(snip, program, [fn.body], reqName, resName);
    fn.params.splice(resAt, 1);
  }
  const reqIndex = resAt >= 0 && resAt < reqAt ? reqAt - 1 : reqAt;
  // getServerSession(req, res, …) may have been its only use of the request.
  const readsRequest = referencesTo([fn.body], reqName).length > 0;
  if (!readsRequest) {
    fn.params.splice(reqIndex, 1);
    return { reqIndex, readsRequest, helper: null };
  }
  const helper = toRequestFunction(j, snip, fn, typescript, taken, true, new Map(), reqIndex, true, undefined, program);
  if (!helper) return null;
  // Reading only the body or the query, which are now parameters of their own: the request goes too.
  if (referencesTo([fn.body], fn.params[reqIndex].name).length === 0) {
    fn.params.splice(reqIndex, 1);
    const bodyIndex = helper.bodyIndex === undefined ? undefined : helper.bodyIndex - 1;
    const queryIndex = helper.queryIndex === undefined ? undefined : helper.queryIndex - 1;
    return { reqIndex, readsRequest: false, helper: { ...helper, usesNextRequest: false, bodyIndex, queryIndex } };
  }
  return { reqIndex, readsRequest, helper };
}
