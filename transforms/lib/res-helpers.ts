/**
 * Functions that take `res` and answer on every path (`sendError(res, status, message)`): rewritten to return their
 * Response instead, without the `res` parameter, so that a call becomes `return sendError(400, 'bad')`.
 * Same-file helpers are rewritten in place here; helpers in other modules get a twin (transforms/helper-module.ts).
 * Any other shape is left alone, and a handler that passes `res` to it is then left in place (RES_ESCAPES).
 */
import type { JSCodeshift } from 'jscodeshift';
import { walk, isFunction, isIdent, freshName, freshNamerFor, cloneNode, type Node, type Snippets } from './ast.js';
import { isRequestParam as isPagesRequestParam, rewriteRequestForAnyRoute } from './request-helper.js';
import { typedAny } from './request.js';
import { rewriteResponse, type ResponseHelper } from './response.js';
import { referencesTo } from './scope.js';
import { moduleFunctions } from './module-functions.js';
import { alwaysExits } from './split-methods.js';

export function isResponseParam(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  if (type?.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiResponse')) return true;
  return !type && isIdent(param) && (param.name === 'res' || param.name === 'response');
}

function isRequestParam(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  return type?.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiRequest');
}

/** Whether `fn` also takes the Pages request (a parameter typed `NextApiRequest`). */
export function takesPagesRequest(fn: Node): boolean {
  return fn.params.some(isRequestParam);
}

export interface ResponseFunction extends ResponseHelper {
  /** What the rewritten body imports: NextResponse, after, compat helpers. */
  uses: Set<string>;
  /** The rewritten function takes a `NextRequest` (at reqIndex). */
  usesNextRequest?: boolean;
}

/**
 * Whether every return of `statements` (outside nested functions) returns an answer. A helper that answers on some
 * paths and returns a value on others (`if (!db) { res.status(503).json(…); return false } return true`) does not
 * answer on every path: its twin would hand the route `true` for an answer where Pages went on to the handler's own.
 */
export function returnsOnlyAnswers(statements: Node[], answerReturns: Set<Node>): boolean {
  return returnsOf(statements).every((r) => answerReturns.has(r));
}

/** The return statements of `statements`, outside nested functions. */
export function returnsOf(statements: Node[]): Node[] {
  const found: Node[] = [];
  for (const statement of statements)
    walk(statement, (node) => {
      if (isFunction(node)) return false;
      if (node.type === 'ReturnStatement') found.push(node);
    });
  return found;
}

/**
 * Rewrites `fn` (in place) to return its Response when it takes `res`, and every path answers. With `unusedRequest`
 * (a helper of another module, whose calls are known by their import) it may take the Pages request too when it never
 * uses it (`preflight(req, res, methods)`): that parameter then takes the App Router request, which calls pass in
 * req's place (passRequestToHeaderHelpers), typed `NextRequest` when `typescript`. In the handler's own file such a
 * `(req, res)` function is a sub-handler's business (sub-handlers.ts). Returns null, leaving `fn` untouched, otherwise.
 */
export function toResponseFunction(j: JSCodeshift, snip: Snippets, fn: Node, hasAfter: boolean, taken: Set<string>, typescript = false, unusedRequest = false): ResponseFunction | null {
  const resIndex = fn.params.findIndex(isResponseParam);
  if (resIndex < 0 || fn.params[resIndex].type !== 'Identifier') return null;
  const requestIndexes = fn.params.flatMap((p: Node, i: number) => (isRequestParam(p) ? [i] : []));
  const reqIndex: number | undefined = requestIndexes[0];
  if (requestIndexes.length > (unusedRequest ? 1 : 0)) return null;
  // Unused: neither its body nor a parameter's default reads it.
  const defaults = fn.params.filter((p: Node) => p.type === 'AssignmentPattern').map((p: Node) => p.right);
  if (reqIndex !== undefined && (fn.params[reqIndex].type !== 'Identifier' || referencesTo([fn.body, ...defaults], fn.params[reqIndex].name).length > 0)) return null;
  // The rewrite changes statements in place, nested ones too: it works on a copy, so that a function it declines is
  // still whole for the header try (toHeaderFunction) or for the report.
  const body: Node[] = fn.body.type === 'BlockStatement' ? cloneNode(fn.body.body) : [j.returnStatement(cloneNode(fn.body))];
  const rewrite = rewriteResponse(body, { j, snip, resName: fn.params[resIndex].name, hasAfter, params: fn.params, fresh: (base) => freshName(base, new Set(taken)) });
  const statements = [...rewrite.prelude, ...rewrite.body];
  if (rewrite.escape || !statements.some(alwaysExits) || !returnsOnlyAnswers(statements, rewrite.answerReturns)) return null;
  // withHeaders awaits the answer of a helper this one calls.
  if (rewrite.uses.has('withHeaders')) fn.async = true;
  if (reqIndex !== undefined) fn.params[reqIndex] = snip.statements(`function f(${fn.params[reqIndex].name}${typescript ? ': NextRequest' : ''}) {}`)[0].params[0];
  fn.params.splice(resIndex, 1);
  fn.returnType = null;
  if (fn.body.type === 'BlockStatement') fn.body.body = statements;
  else fn.body = j.blockStatement(statements);
  // The request's place after res's parameter went.
  if (reqIndex === undefined) return { resIndex, statuses: rewrite.statuses, uses: rewrite.uses };
  return { resIndex, statuses: rewrite.statuses, uses: rewrite.uses, reqIndex, usesNextRequest: typescript };
}

/**
 * Rewrites `fn` (in place) to take the route's `Headers` in `res`'s place when all it does with `res` is set headers
 * (`res.setHeader('Set-Cookie', …)`, also appendHeader and removeHeader), as statements, and it never answers: a call
 * then writes into the headers the route's next answer carries, as Pages' headers went out with the next send.
 * Returns null, leaving `fn` untouched, otherwise.
 */
export function toHeaderFunction(j: JSCodeshift, snip: Snippets, fn: Node, typescript: boolean, taken: Set<string>, withRequest = false): HeaderFunction | null {
  const resIndex = fn.params.findIndex(isResponseParam);
  if (resIndex < 0 || fn.params[resIndex].type !== 'Identifier') return null;
  // `setCorsHeaders(req, res)`, reading req.headers.origin: with `withRequest`, its request reads are rewritten as in
  // a handler, and it takes the App Router request in req's place.
  const reqIndex = withRequest ? fn.params.findIndex((p: Node, i: number) => i !== resIndex && isPagesRequestParam(p)) : -1;
  if (fn.params.some((p: Node, i: number) => i !== reqIndex && isRequestParam(p))) return null;
  if (reqIndex >= 0 && fn.params[reqIndex].type !== 'Identifier') return null;
  if (fn.body.type !== 'BlockStatement') return null;
  let returnsValue = false;
  walk(fn.body, (n) => {
    if (n.type === 'ReturnStatement' && n.argument) returnsValue = true;
  });
  // A value returned would be the Pages response (`return res.setHeader(…)`), or anything the caller may use.
  if (returnsValue) return null;
  const rewrite = headerOnlyStatements(j, snip, fn.body.body, fn.params[resIndex].name, taken);
  if (!rewrite) return null;
  let body = rewrite.body;
  const uses = new Set(rewrite.uses);
  if (reqIndex >= 0) {
    const fresh = freshNamerFor(fn, [...taken, rewrite.headersName], fn.params[reqIndex].name);
    const requestName = fresh('request');
    const request = rewriteRequestForAnyRoute(body, snip, fn.params[reqIndex].name, requestName, fresh, { typescript, anyTyped: typedAny(fn.params[reqIndex]) });
    // A header helper's twin has no way to the route's report, which would say what a rewrite changed.
    if (!request || request.notes.length) return null;
    body = [...request.prelude, ...body];
    request.compat.forEach((u) => uses.add(u));
    fn.params[reqIndex] = snip.statements(`function f(${requestName}${typescript ? ': NextRequest' : ''}) {}`)[0].params[0];
  }
  fn.params[resIndex] = headersParam(snip, rewrite.headersName, typescript);
  fn.returnType = null;
  fn.body.body = body;
  return { resIndex, statuses: [], uses, setsHeaders: rewrite.setsHeaders, ...(reqIndex >= 0 ? { reqIndex, usesNextRequest: typescript } : {}) };
}

/**
 * Calls of header helpers that read the request (`setCorsHeaders(req, res)`): the handler's req becomes the App
 * Router request there, before the request rewrite (which would take req passed to a function for an escape). A call
 * that passes anything else in req's place (another object, a `req` of an inner scope) is why the file stays: the
 * rewritten helper reads a Request. Returns that call's line and the reason, or null.
 */
export function passRequestToHeaderHelpers(j: JSCodeshift, body: Node[], helpers: Map<string, ResponseHelper>, reqName: string, requestName: string): { line?: number; detail: string } | null {
  const readers = [...helpers].filter(([, helper]) => helper.reqIndex !== undefined);
  if (!readers.length) return null;
  const handlerReq = new Set(referencesTo(body, reqName).map((ref) => ref.node));
  let problem: { line?: number; detail: string } | null = null;
  walk(j.blockStatement(body), (node) => {
    if (problem || node.type !== 'CallExpression' || !isIdent(node.callee)) return;
    const helper = readers.find(([name]) => name === node.callee.name)?.[1];
    if (!helper) return;
    const arg = node.arguments[helper.reqIndex!];
    if (!arg || !handlerReq.has(arg)) {
      problem = { line: node.loc?.start.line, detail: `${node.callee.name}() reads the request, and this call passes it something other than the handler's req` };
      return;
    }
    node.arguments[helper.reqIndex!] = j.identifier(requestName);
  });
  return problem;
}

export type HeaderFunction = ResponseFunction & { setsHeaders: string[] | null; reqIndex?: number; usesNextRequest?: boolean };

/** The `headers` parameter a header function takes in `res`'s place. */
export function headersParam(snip: Snippets, name: string, typescript: boolean): Node {
  return snip.statements(`function f(${name}${typescript ? ': Headers' : ''}) {}`)[0].params[0];
}

/**
 * `statements` rewritten to set headers on a `Headers` instead of `res`, when setting headers (as statements) is all
 * they do with `res`: no status, no answer, no other use. The headers' fresh name, the rewritten statements, the
 * compat helpers they use, and the header names set (lowercase; null when one is not a literal). Null otherwise.
 */
export function headerOnlyStatements(
  j: JSCodeshift,
  snip: Snippets,
  statements: Node[],
  resName: string,
  taken: Set<string>,
): { headersName: string; body: Node[]; uses: Set<string>; setsHeaders: string[] | null } | null {
  const names: Array<string | null> = [];
  walk(j.blockStatement(statements), (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression' && isIdent(n.callee.object, resName) && ['setHeader', 'appendHeader', 'removeHeader'].includes(n.callee.property?.name)) {
      const name = n.arguments[0]?.type === 'StringLiteral' ? n.arguments[0].value.toLowerCase() : null;
      names.push(name);
    }
  });
  if (names.length === 0) return null;
  const fresh = new Set(taken);
  let headersName = '';
  // On a copy, as in toResponseFunction: a declined rewrite leaves `statements` whole.
  const rewrite = rewriteResponse(cloneNode(statements), {
    j,
    snip,
    resName,
    hasAfter: false,
    sharedHeaders: true,
    fresh: (base) => {
      const name = freshName(base, fresh);
      fresh.add(name);
      if (base === 'headers') headersName = name;
      return name;
    },
  });
  // Headers only: no status, no answer, no other use of res; the one prelude statement declares the headers.
  if (rewrite.escape || rewrite.statuses.length || rewrite.helpersCalled.size || rewrite.prelude.length !== 1 || !headersName || [...rewrite.uses].some((u) => u !== 'setHeader')) return null;
  return { headersName, body: rewrite.body, uses: rewrite.uses, setsHeaders: names.every((n): n is string => n !== null) ? [...new Set(names)] : null };
}

/**
 * The names, among `names`, whose every use is a direct call from inside the handler: the function is rewritten in
 * place, so a call from anywhere else (another function that passes it res) would break, as would any other use.
 * One walk for all of them: a module can hold thousands of functions.
 */
function onlyCalled(program: Node, handlerFn: Node, names: Map<string, Node>): Set<string> {
  const ok = new Set(names.keys());
  const inHandler = new Set<Node>();
  walk(handlerFn, (n, parent, key) => {
    if (n.type === 'Identifier' && parent?.type === 'CallExpression' && key === 'callee') inHandler.add(n);
  });
  walk(program, (n, parent, key) => {
    if (n.type !== 'Identifier' || !ok.has(n.name) || n === names.get(n.name)?.id) return;
    if (parent?.type === 'VariableDeclarator' && key === 'id') return;
    if ((parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) || (parent?.type === 'ObjectProperty' && key === 'key')) return;
    if (!inHandler.has(n)) ok.delete(n.name);
  });
  return ok;
}

export interface HelperRewrite {
  helpers: Map<string, ResponseHelper>;
  uses: Set<string>;
  /** A rewritten helper takes the App Router request, typed NextRequest. */
  usesNextRequest?: boolean;
}

export function rewriteResponseHelpers(j: JSCodeshift, snip: Snippets, program: Node, handlerFn: Node, hasAfter: boolean, typescript: boolean, taken: Set<string>): HelperRewrite {
  const out: HelperRewrite = { helpers: new Map(), uses: new Set() };
  // Only functions that take `res` are candidates: checking the parameters first keeps big modules cheap.
  const candidates = new Map(moduleFunctions(program).filter(({ fn }) => fn !== handlerFn && fn.params.some(isResponseParam)).map(({ name, fn }) => [name, fn]));
  if (candidates.size === 0) return out;
  const called = onlyCalled(program, handlerFn, candidates);
  for (const [name, fn] of candidates) {
    if (!called.has(name)) continue;
    const rewritten = toResponseFunction(j, snip, fn, hasAfter, taken, typescript) ?? toHeaderFunction(j, snip, fn, typescript, taken, true);
    if (!rewritten) continue;
    rewritten.uses.forEach((u) => out.uses.add(u));
    if ('usesNextRequest' in rewritten && rewritten.usesNextRequest) out.usesNextRequest = true;
    out.helpers.set(name, { resIndex: rewritten.resIndex, statuses: rewritten.statuses, ...('setsHeaders' in rewritten ? { setsHeaders: rewritten.setsHeaders } : {}), ...('reqIndex' in rewritten && rewritten.reqIndex !== undefined ? { reqIndex: rewritten.reqIndex } : {}) });
  }
  return out;
}
