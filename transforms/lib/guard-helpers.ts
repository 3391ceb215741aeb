/**
 * Guards: project functions that answer on some paths and, on the others, give the handler a value to go on with.
 *
 *     export async function requireSession(req, res) {
 *       const session = await getServerSession(req, res, authOptions);
 *       if (!session) {
 *         res.status(401).json({ error: 'Unauthorized' });
 *         return null;
 *       }
 *       return session;
 *     }
 *     // the handler
 *     const session = await requireSession(req, res);
 *     if (!session) return;
 *
 * The twin (`requireSessionForRoute(request)`, written beside the original) returns its answer wrapped in a
 * GuardAnswer (of the compat module) where the original answered, and its value where it did not: a Response the
 * guard returns as its value (a fetch) is not taken for an answer. The route's call is followed by `if (session
 * instanceof GuardAnswer) return session.response;`, and the handler's own check stays after it.
 *
 * Why the route answers as Pages did: each answer of the original is followed by nothing but a return of a value
 * that says "answered" (null, undefined, false), and the handler's very next statement returns on that value. So in
 * Pages the answer ended the request with nothing run in between, as the route's early return does. Every other
 * return of the guard passes its value on unchanged.
 *
 * A guard that takes req and res in one object (`verifyUser({ req, res })`) is read as its positional form
 * (request-carrier.ts): its twin takes the request where the object stood, and calls pass exactly `{ req, res }` of
 * the handler's own there. A request helper of its module or of another (`verifyToken({ req })`) it passes req to is
 * called through that helper's twin, and next-auth's `getToken({ req })` gets next-auth's request as in a handler.
 *
 * Declined (the route is left, RES_ESCAPES): an answer followed by other code (also after the `if` it sits in), a path
 * that returns an "answered" value without answering, a guard that falls off its end, one that sets state (status,
 * headers) the route's later answer would need, one that reads `req.query` or `req.body` or uses `res` any other
 * way, a parameter default that reads either; and any call site but the two shapes of `rewriteGuardCalls`.
 */
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, freshName, freshNamerFor, isFunction, isIdent, replaceChild, statementLists, unwrap, walk, END, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { guardAnswerValue, returnGuardAnswer, rewriteResponse, TAKES_ROUTE_HEADERS } from './response.js';
import { isResponseParam, returnsOf } from './res-helpers.js';
import { moduleFunctions } from './module-functions.js';
import { bodyReadsToParam, isRequestParam, passPagesBody, requireOptionalParams, redirectNestedRequestCalls, rewriteHelperTokenCalls, rewriteRequestForAnyRoute, type NestedRequestHelper } from './request-helper.js';
import { typedAny } from './request.js';
import { carriedArgs, flattenCarrier } from './request-carrier.js';
import { isPlainSend } from './plain-send.js';
import { applyRecipes, callsSessionWithOptions, nextAuthHelpersFree, NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE, SESSION_COOKIES_NOTE, writesRouteCookies } from './recipes.js';
import { alwaysExits } from './split-methods.js';
import type { ImportedHelper } from '../types.js';
import { isAnsweredValue, redirectSiblingGuards, type SiblingGuard } from './sibling-guards.js';

export interface GuardFunction {
  resIndex: number;
  /** Position of the Pages request, which the twin takes as the App Router request; -1 when there is none. */
  reqIndex: number;
  statuses: Array<number | null>;
  uses: Set<string>;
  usesNextRequest: boolean;
  /** What the routes that call the twin say in the report (what its getServerSession does not carry over). */
  notes: string[];
  /**
   * The twin takes the route's headers where the guard took res: its getServerSession (next-auth's, given the
   * compat module's request and response) sets next-auth's cookies there, as it did on res in Pages.
   */
  takesHeaders: boolean;
  /**
   * It took req and res in one object (`verifyUser({ req, res })`): resIndex and reqIndex are those of the positional
   * form (request-carrier.ts), and this is where the object stood, where the twin takes the request.
   */
  carriedAt?: number;
  /** The module's request helpers whose twins the twin calls (`verifyToken({ req })` inside it). */
  nestedCalled: Set<string>;
  /** The twins of the module's other guards it calls (sibling-guards.ts). */
  siblingsCalled: Set<string>;
  /** It read `req.body` / `req.query`: the twin's parameter that takes what Pages parsed, which calls pass. */
  bodyIndex?: number;
  queryIndex?: number;
}

/**
 * Removes the "answered" returns that follow an answer (now dead code after its return); false when anything else
 * follows a statement that always exits, which Pages ran after its answer and the twin would not.
 */
function dropReturnsAfterAnswers(statements: Node[]): boolean {
  for (const list of statementLists(statements, true)) {
    const exit = list.findIndex(alwaysExits);
    if (exit < 0 || exit === list.length - 1) continue;
    if (!list.slice(exit + 1).every(isAnsweredValue)) return false;
    list.splice(exit + 1);
  }
  return true;
}

const TERMINALS = new Set(['json', 'send', 'end', 'redirect']);

/** `res.status(401).json(…)`, `await res.end()`: a statement that sends an answer through `res`. */
function isSendStatement(stmt: Node, resName: string): boolean {
  if (stmt.type !== 'ExpressionStatement') return false;
  let n = unwrap(stmt.expression);
  if (n.type === 'AwaitExpression') n = unwrap(n.argument);
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression' || n.callee.computed || !TERMINALS.has(n.callee.property.name)) return false;
  return mentions(n.callee.object, resName);
}

/**
 * Whether every send statement of `list` is followed, as the function runs on, by a return of an "answered" value
 * (`next` says what follows the list: such a return, or the end of the function, which returns undefined). A send
 * in a branch of an `if` is followed by what follows the `if`; one in a loop, a `try` or a `switch` only by what
 * follows it in its own list. Pages ran whatever came between the send and that return; the twin would not.
 */
function sendsEndTheGuard(list: Node[], resName: string, next: 'answered' | 'other'): boolean {
  return list.every((stmt, i) => {
    const after = i + 1 < list.length ? (isAnsweredValue(list[i + 1]) ? 'answered' : 'other') : next;
    if (isSendStatement(stmt, resName)) return after === 'answered';
    const inner = (branch: Node | null | undefined, then: 'answered' | 'other') => !branch || sendsEndTheGuard(branch.type === 'BlockStatement' ? branch.body : [branch], resName, then);
    if (stmt.type === 'IfStatement') return inner(stmt.consequent, after) && inner(stmt.alternate, after);
    if (stmt.type === 'BlockStatement') return inner(stmt, after);
    // Anywhere else (a loop, a try, a switch, a label), the statements inside are checked with nothing after them.
    let ok = true;
    walk(stmt, (node) => {
      if (node === stmt) return undefined;
      if (isFunction(node)) return false;
      if (node.type === 'SwitchCase') ok &&= sendsEndTheGuard(node.consequent, resName, 'other');
      else if (/(Statement|Declaration)$/.test(node.type)) ok &&= sendsEndTheGuard(node.type === 'BlockStatement' ? node.body : [node], resName, 'other');
      else return undefined;
      return false;
    });
    return ok;
  });
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (isIdent(n, name)) found = true;
  });
  return found;
}

/** `res.status(401).json(…)`, `await res.send(…)`: a send whose call returns nothing. */
function isJsonOrSend(expr: Node, resName: string): boolean {
  let n = unwrap(expr);
  if (n.type === 'AwaitExpression') n = unwrap(n.argument);
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression' || n.callee.computed || !['json', 'send'].includes(n.callee.property.name)) return false;
  let root = unwrap(n.callee.object);
  while (root.type === 'CallExpression' && root.callee.type === 'MemberExpression' && !root.callee.computed && ['status', 'setHeader'].includes(root.callee.property.name)) root = unwrap(root.callee.object);
  return isIdent(root, resName);
}


/**
 * `statements` with each of `answers` (returns of a Response, outside nested functions) returning it wrapped in a
 * GuardAnswer. New statements from text, so that they print in the module's own style, semicolons or none.
 */
export function wrapAnswers(snip: Snippets, statements: Node[], answers: Set<Node>): Node[] {
  const wrap = (answer: Node) => snip.statements(`return new GuardAnswer(${snip.src(answer.argument)})${END}`)[0];
  const nested: Array<[Node, Node]> = [];
  for (const statement of statements)
    walk(statement, (node, parent) => {
      if (isFunction(node)) return false;
      if (parent && answers.has(node)) nested.push([parent, node]);
    });
  for (const [parent, answer] of nested) replaceChild(parent, answer, wrap(answer));
  return statements.map((statement) => (answers.has(statement) ? wrap(statement) : statement));
}

/**
 * The guard's declared return type with GuardAnswer added (`Promise<Claims | undefined>` → `Promise<Claims |
 * undefined | GuardAnswer>`), so that the route's checks of the value narrow it as they did (a literal `{ type:
 * 'admin' }` it returns would otherwise widen to `{ type: string }`); none without one, or for a type predicate.
 */
function withGuardAnswerType(snip: Snippets, returnType: Node | null | undefined): Node | null {
  const type = returnType?.typeAnnotation;
  if (!type || type.type === 'TSTypePredicate') return null;
  const promised = type.type === 'TSTypeReference' && isIdent(type.typeName, 'Promise') && type.typeParameters?.params.length === 1 ? type.typeParameters.params[0] : null;
  const inner = promised ?? type;
  // A function or conditional type needs parentheses in a union.
  const text = ['TSFunctionType', 'TSConstructorType', 'TSConditionalType'].includes(inner.type) ? `(${snip.src(inner)})` : snip.src(inner);
  const union = `${text} | GuardAnswer`;
  return snip.statements(`function f(): ${promised ? `Promise<${union}>` : union} {}`)[0].returnType;
}

/**
 * Rewrites `fn` (a copy: changed in place) into a guard's twin, or returns null. `program` is the module's, for the
 * imports the next-auth recipe reads.
 */
export function toGuardFunction(j: JSCodeshift, snip: Snippets, program: Node, fn: Node, hasAfter: boolean, typescript: boolean, taken: Set<string>, nested: Map<string, NestedRequestHelper> = new Map(), siblings: Map<string, SiblingGuard> = new Map()): GuardFunction | null {
  if (fn.body.type !== 'BlockStatement') return null;
  // `verifyUser({ req, res })`: read as `verifyUser(req, res)`, the twin taking the request where the object stood.
  const carrier = flattenCarrier(fn, 'res', (p) => isResponseParam(p) || isRequestParam(p));
  const resIndex = carrier ? carrier.at + carrier.keys.indexOf('res') : fn.params.findIndex(isResponseParam);
  if (resIndex < 0 || fn.params[resIndex].type !== 'Identifier' || fn.params.filter(isResponseParam).length > 1) return null;
  const reqIndex = carrier ? (carrier.keys.includes('req') ? carrier.at : -1) : fn.params.findIndex((p: Node, i: number) => i !== resIndex && isRequestParam(p));
  if (reqIndex >= 0 && fn.params[reqIndex].type !== 'Identifier') return null;
  const resName: string = fn.params[resIndex].name;
  const reqName: string | null = reqIndex >= 0 ? fn.params[reqIndex].name : null;
  // What a `return res…` gives the caller in Pages: json() and send() return nothing ("answered"), but end(),
  // redirect() and status() return res itself, on which the handler would go on. Any other use is the rewrite's.
  if (returnsOf(fn.body.body).some((r) => r.argument && mentions(r.argument, resName) && !isJsonOrSend(r.argument, resName))) return null;
  if (!sendsEndTheGuard(fn.body.body, resName, 'answered')) return null;
  // A parameter's default that reads req or res would be left without them in the twin.
  if (fn.params.some((p: Node, i: number) => i !== resIndex && i !== reqIndex && (mentions(p, resName) || (reqName !== null && mentions(p, reqName))))) return null;
  const fresh = freshNamerFor(fn, taken, resName);
  const requestName = reqName ? fresh('request') : null;
  // A request helper of the module called with req (`verifyToken({ req })`): its twin, with the request. Then
  // next-auth's getToken({ req }), as in a handler. Both before the recipes and rewrites, which take req passed to a
  // function for an escape.
  // A session helper of the module that has no twin (it hands req and res to a library, shim-types.ts) is called
  // with next-auth's Pages-like stand-ins, whose response writes into the route's headers, as the recipe's call does.
  const shim = { res: resName, used: false };
  const nestedCalled = reqName ? redirectNestedRequestCalls(fn.body.body, reqName, requestName!, nested, nextAuthHelpersFree(program, taken) ? shim : undefined) : new Set<string>();
  // Another guard of the module it calls with its req and res, and checks: that one's twin, its answer passed on.
  const siblingCalls = reqName ? redirectSiblingGuards(snip, fn.body.body, { req: reqName, res: resName, request: requestName! }, siblings) : { called: new Set<string>(), checks: new Set<Node>(), statuses: [] };
  const tokenUses = reqName ? rewriteHelperTokenCalls(snip, program, fn.body.body, reqName, requestName!, taken) : null;
  // next-auth's getServerSession(req, res, options) → getServerSession(nextAuthRequest(request),
  // nextAuthResponse(headers), options), as in a handler, where `headers` are the route's, which the twin takes in
  // res's place (in a callback of the guard: getServerSession(options)); the Supabase client's `{ req, res }` gets
  // such stand-ins too. A recipe that needs an import the module lacks is not followed here: a module Pages code
  // imports may not import next/headers.
  const recipes = reqName ? applyRecipes(snip, program, [fn.body], reqName, resName, { request: requestName!, taken }) : null;
  if (recipes?.imports.size) return null;
  const shimUses = shim.used ? [NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE] : [];
  const takesHeaders = writesRouteCookies(new Set([...(recipes?.compat ?? []), ...shimUses]));
  const headersParam = takesHeaders ? fresh('headers') : undefined;
  const rewrite = rewriteResponse(fn.body.body, { j, snip, resName, hasAfter, fresh, params: fn.params, ...(headersParam ? { headersParam, sharedHeaders: true } : {}) });
  // State set here (a status, headers of its own) would have to reach the route's own answer on the paths that go on.
  if (rewrite.escape || rewrite.prelude.length || rewrite.setsOwnHeaders || (!rewrite.answerReturns.size && !siblingCalls.called.size)) return null;
  let statements: Node[] = rewrite.body;
  if (!dropReturnsAfterAnswers(statements)) return null;
  // Falling off the end gives undefined, which says "answered": Pages would then hang, the route would not answer.
  if (!statements.some(alwaysExits)) return null;
  if (returnsOf(statements).some((r) => !rewrite.answerReturns.has(r) && !siblingCalls.checks.has(r) && isAnsweredValue(r))) return null;
  const uses = new Set<string>(rewrite.uses);
  let usesNextRequest = false;
  // Reads of the body and the query (with the route's params, which only the route knows) go to parameters of their
  // own, which each call fills from the route's own: `auth(req, res)` → `authForRoute(request, undefined, req.query)`,
  // whose `req.query` the route's request rewrite then reads as the route's query. Not for a guard taking an object
  // (the positions are the object's) or a rest parameter (nothing goes after it).
  const routeData = reqName && !carrier && !fn.params.some((p: Node) => p.type === 'RestElement');
  const bodyName = routeData ? fresh('body') : null;
  const bodyReads = bodyName ? bodyReadsToParam(statements, reqName!, bodyName) : 0;
  const queryName = routeData ? fresh('query') : null;
  const queryReads = queryName ? bodyReadsToParam(statements, reqName!, queryName, 'query') : 0;
  if (bodyReads === null || queryReads === null) return null;
  const requestNotes: string[] = [];
  if (reqName && requestName) {
    const request = rewriteRequestForAnyRoute(statements, snip, reqName, requestName, fresh, { typescript, anyTyped: typedAny(fn.params[reqIndex]) });
    if (!request) return null;
    requestNotes.push(...request.notes);
    statements = [...request.prelude, ...statements];
    request.compat.forEach((u) => uses.add(u));
    const [typed] = snip.statements(`function f(${requestName}${typescript ? ': NextRequest' : ''}) {}`);
    fn.params[reqIndex] = typed.params[0];
    usesNextRequest = typescript;
  }
  // Its answers come wrapped, apart from the value it returns otherwise, which may itself be a Response (a fetch).
  statements = wrapAnswers(snip, statements, rewrite.answerReturns);
  uses.add('GuardAnswer');
  recipes?.compat.forEach((u) => uses.add(u));
  shimUses.forEach((u) => uses.add(u));
  tokenUses?.forEach((u) => uses.add(u));
  if (headersParam) fn.params[resIndex] = snip.statements(`function f(${headersParam}${typescript ? ': Headers' : ''}) {}`)[0].params[0];
  else fn.params.splice(resIndex, 1);
  // After every other parameter, the body's first: the positions calls fill (passPagesBody).
  const [typed] = snip.statements(`function f(${bodyName ?? 'body'}${typescript ? ': any' : ''}, ${queryName ?? 'query'}${typescript ? ': Partial<{ [key: string]: string | string[] }>' : ''}) {}`);
  if (bodyReads || queryReads) requireOptionalParams(snip, fn);
  if (bodyReads) fn.params.push(typed.params[0]);
  const bodyIndex = bodyReads ? fn.params.length - 1 : undefined;
  if (queryReads) fn.params.push(typed.params[1]);
  const queryIndex = queryReads ? fn.params.length - 1 : undefined;
  fn.returnType = withGuardAnswerType(snip, fn.returnType);
  fn.body.body = statements;
  const notes = [...requestNotes, ...(recipes?.notes ?? []), ...(callsSessionWithOptions(program, fn) ? [SESSION_COOKIES_NOTE] : [])];
  const routeDataAt = { ...(bodyIndex !== undefined ? { bodyIndex } : {}), ...(queryIndex !== undefined ? { queryIndex } : {}) };
  return { resIndex, reqIndex, statuses: [...new Set([...siblingCalls.statuses, ...rewrite.statuses])], uses, usesNextRequest, notes, takesHeaders, nestedCalled, siblingsCalled: siblingCalls.called, ...(carrier ? { carriedAt: carrier.at } : {}), ...routeDataAt };
}

/** The one statement an `if` without `else` runs: its consequent, or the only statement of its block. */
function onlyConsequent(stmt: Node): Node | null {
  if (stmt?.type !== 'IfStatement' || stmt.alternate) return null;
  return stmt.consequent.type === 'BlockStatement' && stmt.consequent.body.length === 1 ? stmt.consequent.body[0] : stmt.consequent;
}

/** `!x` where `test` accepts x: the test of `if (!x) …`. */
function negates(stmt: Node, test: (node: Node) => boolean): boolean {
  const t = unwrap(stmt.test);
  return t.type === 'UnaryExpression' && t.operator === '!' && test(unwrap(t.argument));
}

/**
 * How a check's one statement ends the handler: `return;` ('return'), or its own way ('own'): a return of a send
 * whose arguments run nothing (plain-send.ts), or a throw of literals. Where the guard had answered, Pages' send found
 * the answer sent and the handler ended there (a send after the answer does nothing the client sees, and the check
 * returns it), and a throw came after the answer (the client had it, the error only went to the log:
 * Next's, or a wrapper's catch that finds the answer sent): the route's return of the guard's answer before the check
 * ends it the same way. Where the guard gave a falsy value without answering, the check runs as it did.
 */
function checkEnding(body: Node | null, resName: string): 'return' | 'own' | null {
  if (body?.type === 'ThrowStatement') return isPlainThrowValue(body.argument) ? 'own' : null;
  if (body?.type !== 'ReturnStatement') return null;
  if (!body.argument) return 'return';
  return isPlainSend(body, resName) ? 'own' : null;
}

/** `if (!x) return;` (also in a block), the handler's own check of a guard's value. */
export function returnsWhenFalsy(stmt: Node, test: (node: Node) => boolean): boolean {
  const body = onlyConsequent(stmt);
  return !!body && negates(stmt, test) && body.type === 'ReturnStatement' && !body.argument;
}

/** A literal, or a constructor or function called with literals only: `new Error('Unauthorized')`. */
function isPlainThrowValue(node: Node): boolean {
  const n = unwrap(node);
  const literal = (x: Node) => ['StringLiteral', 'NumericLiteral'].includes(x.type) || (x.type === 'TemplateLiteral' && !x.expressions.length);
  return literal(n) || ((n.type === 'NewExpression' || n.type === 'CallExpression') && isIdent(n.callee) && n.arguments.every(literal));
}

/** Whether `node` reads the value `name` (a member chain on it whose first step is optional: `user?.role`). */
function optionalReadOf(node: Node, name: string): boolean {
  let n = unwrap(node);
  let optionalFirst = false;
  while (n?.type === 'OptionalMemberExpression' || n?.type === 'MemberExpression') {
    if (n.computed && !/Literal$/.test(n.property.type)) return false;
    optionalFirst = !!n.optional;
    n = unwrap(n.object);
  }
  return optionalFirst && isIdent(n, name);
}

/**
 * Whether the test `node` holds whenever `name` is one of the guard's "answered" values (null, undefined, false),
 * evaluating nothing but reads of it first: `!x`, `!x || …`, `!x?.user`, `x?.role !== 'admin'`.
 */
function holdsWhenAnswered(node: Node, name: string): boolean {
  const n = unwrap(node);
  if (n.type === 'UnaryExpression' && n.operator === '!') return isIdent(unwrap(n.argument), name) || optionalReadOf(n.argument, name);
  if (n.type === 'LogicalExpression' && n.operator === '||') return holdsWhenAnswered(n.left, name);
  if (n.type === 'BinaryExpression' && (n.operator === '!==' || n.operator === '!=')) {
    // The chain gives undefined there; a literal other than null/undefined is never that.
    const [read, other] = optionalReadOf(n.left, name) ? [n.left, n.right] : [n.right, n.left];
    const o = unwrap(other);
    return optionalReadOf(read, name) && ['StringLiteral', 'NumericLiteral', 'BooleanLiteral'].includes(o.type);
  }
  return false;
}

/**
 * The guard call in `expr` (awaited or not) that passes the handler's own res (and req where the guard takes it). By
 * name: guardSites keeps those whose names mean the handler's bindings.
 */
function guardCall(expr: Node | null | undefined, guards: Map<string, ImportedHelper>, names: { req: string; res: string }): { call: Node; guard: ImportedHelper; awaited: boolean } | null {
  let n = expr && unwrap(expr);
  const awaited = n?.type === 'AwaitExpression';
  if (awaited) n = unwrap(n.argument);
  if (n?.type !== 'CallExpression' || !isIdent(n.callee)) return null;
  const guard = guards.get(n.callee.name);
  const passed = guard && passedArgs(n, guard);
  if (!guard || !passed || !isIdent(passed.res, names.res)) return null;
  if (takesRequest(guard) && !isIdent(passed.req, names.req)) return null;
  return { call: n, guard, awaited };
}

/**
 * What the call passes where the guard takes req and res: the arguments themselves, or the values of the object
 * that carries them (`verifyUser({ req, res })`: exactly those keys, request-carrier.ts); null with a spread.
 */
function passedArgs(call: Node, guard: ImportedHelper): { req?: Node; res?: Node } | null {
  if (call.arguments.some((a: Node) => a.type === 'SpreadElement')) return null;
  if (guard.carried) return carriedArgs(call, guard.resIndex, takesRequest(guard) ? ['req', 'res'] : ['res']);
  return { res: call.arguments[guard.resIndex], ...(takesRequest(guard) ? { req: call.arguments[guard.reqIndex!] } : {}) };
}

function takesRequest(guard: ImportedHelper): boolean {
  return guard.reqIndex !== undefined && guard.reqIndex >= 0;
}

/** The twin's call: res dropped (or the route's headers), req → the App Router request. */
function callTwin(j: JSCodeshift, call: Node, guard: ImportedHelper, names: { req: string; request: string }): void {
  passRouteData(j, call, guard, names.req);
  call.callee = j.identifier(guard.twin);
  if (guard.carried) {
    // The object's place takes the request (where the twin takes it) and res (for the route's headers, below).
    const res = passedArgs(call, guard)!.res!;
    call.arguments.splice(guard.resIndex, 1, ...(takesRequest(guard) ? [j.identifier(names.request)] : []), ...(guard.takesHeaders ? [res] : []));
    if (guard.takesHeaders) call[TAKES_ROUTE_HEADERS] = true;
    return;
  }
  if (takesRequest(guard)) call.arguments[guard.reqIndex!] = j.identifier(names.request);
  // A twin that takes the route's headers there: res stays, and the call is marked for the response rewrite to put
  // them in (response.ts, TAKES_ROUTE_HEADERS). Marked, not named: another binding of the name is not this call.
  if (guard.takesHeaders) call[TAKES_ROUTE_HEADERS] = true;
  else call.arguments.splice(guard.resIndex, 1);
}

/**
 * The route's `req.body` / `req.query` where the twin takes them (toGuardFunction), counted in the twin's parameters:
 * the call's res goes first where the twin has no place for it. The route's request rewrite reads them as its own.
 */
function passRouteData(j: JSCodeshift, call: Node, guard: ImportedHelper, reqName: string): void {
  if (guard.bodyIndex === undefined && guard.queryIndex === undefined) return;
  const args: Node[] = [...call.arguments];
  if (!guard.takesHeaders) args.splice(guard.resIndex, 1);
  const positional = { arguments: args };
  if (guard.bodyIndex !== undefined) passPagesBody(j, positional, guard.bodyIndex, reqName);
  if (guard.queryIndex !== undefined) passPagesBody(j, positional, guard.queryIndex, reqName, 'query');
  // Back with res in its place, for the rest of callTwin, which takes it out.
  if (!guard.takesHeaders) args.splice(guard.resIndex, 0, call.arguments[guard.resIndex]);
  call.arguments = args;
}

/**
 * `sends`: the handler's check answers itself (`if (!x) return res.status(401).json(…)`) or throws (`if (!x) throw
 * new Error('…')`), kept as it is.
 */
type GuardSite =
  | { shape: 'declared'; list: Node[]; index: number; value: string; found: NonNullable<ReturnType<typeof guardCall>> }
  | { shape: 'tested'; list: Node[]; index: number; found: NonNullable<ReturnType<typeof guardCall>>; sends: boolean };

/**
 * The calls of `guards` in `body` in the two shapes whose answer ends the request at once (see rewriteGuardCalls),
 * where the guard's name, req and res are the bindings `body` sees: not a block's own (`const requireUser =
 * requireAdmin`), whose call is another function's.
 */
function guardSites(body: Node[], guards: Map<string, ImportedHelper>, names: { req: string; res: string }): GuardSite[] {
  const sites: GuardSite[] = [];
  if (!guards.size) return sites;
  for (const list of statementLists(body, true)) {
    list.forEach((stmt, index) => {
      if (stmt.type === 'VariableDeclaration' && stmt.kind !== 'var' && stmt.declarations.length === 1) {
        const [declarator] = stmt.declarations;
        const found = guardCall(declarator.init, guards, names);
        if (!found || declarator.id.type !== 'Identifier' || declarator.id.typeAnnotation) return;
        const value = declarator.id.name;
        // The handler's check right after the call, its test holding for every "answered" value (holdsWhenAnswered).
        const check = list[index + 1];
        if (onlyConsequent(check) && holdsWhenAnswered(check.test, value) && checkEnding(onlyConsequent(check), names.res)) sites.push({ shape: 'declared', list, index, value, found });
        return;
      }
      if (stmt.type !== 'IfStatement') return;
      const test = unwrap(stmt.test);
      const found = test.type === 'UnaryExpression' && test.operator === '!' ? guardCall(test.argument, guards, names) : null;
      const ending = found && !stmt.alternate ? checkEnding(onlyConsequent(stmt), names.res) : null;
      if (found && ending) sites.push({ shape: 'tested', list, index, found, sends: ending === 'own' });
    });
  }
  if (!sites.length) return sites;
  // Found by name first, as most bodies call no guard; then by binding, one look per name.
  const block = { type: 'BlockStatement', body };
  const bindings = new Map<string, Set<Node>>();
  const binds = (node: Node) => {
    if (!bindings.has(node.name)) bindings.set(node.name, new Set(referencesTo([block], node.name).map((ref) => ref.node)));
    return bindings.get(node.name)!.has(node);
  };
  return sites.filter(({ found: { call, guard } }) => {
    const passed = passedArgs(call, guard)!;
    return binds(call.callee) && binds(passed.res!) && (!takesRequest(guard) || binds(passed.req!));
  });
}

/**
 * The handler's calls of guards, in the two shapes whose answer ends the request at once:
 *  - `const x = [await] guard(req, res, …); if (!x) return;` → the twin's call, then `if (x instanceof GuardAnswer)
 *    return x.response;`, then the handler's check;
 *  - `if (!(await guard(req, res, …))) return;` → `const answer = await twin(request, …); if (answer instanceof
 *    GuardAnswer) return answer.response; if (!answer) return;`.
 * The handler's check may also answer itself, by a send that runs nothing (`if (!x) return res.status(401).json(…)`,
 * returnsSendWhenFalsy): it stays after the twin's answer. A declared type on `x` is left (its type would no longer
 * hold), as is any other use: res then escapes. Returns the guards called.
 */
export function rewriteGuardCalls(j: JSCodeshift, snip: Snippets, body: Node[], names: { req: string; res: string; request: string }, guards: Map<string, ImportedHelper>, moduleNames: Set<string>): ImportedHelper[] {
  const sites = guardSites(body, guards, names);
  const called = new Set(sites.map((site) => site.found.guard));
  // Last first: the statements a site adds do not move the sites before it in the same list.
  for (const site of sites.reverse()) {
    const { list, index, found } = site;
    callTwin(j, found.call, found.guard, names);
    if (site.shape === 'declared') {
      list.splice(index + 1, 0, returnGuardAnswer(snip, site.value));
      continue;
    }
    const answer = freshName(`${found.guard.imported === 'default' ? 'guard' : found.guard.imported}Answer`, moduleNames);
    const [declared] = snip.statements(`const ${answer} = 0${END}`);
    declared.declarations[0].init = found.awaited ? j.awaitExpression(found.call) : found.call;
    // The handler's own answer, where it had one, stays in its check.
    const check = site.sends ? Object.assign(list[index], { test: snip.expression(`!${answer}`) }) : snip.statements(`if (!${answer}) return${END}`)[0];
    list.splice(index, 1, declared, returnGuardAnswer(snip, answer), check);
  }
  return [...called];
}

/**
 * Whether `body` returns a guard's answer (see rewriteGuardCalls), whose status is the guard's: a method whose own
 * answers are all 405 still answers otherwise when a guard runs first.
 */
export function holdsGuardAnswer(body: Node[]): boolean {
  let found = false;
  for (const statement of body)
    walk(statement, (node) => {
      if (isFunction(node)) return false;
      if (guardAnswerValue(node)) found = true;
    });
  return found;
}

export interface LocalGuards {
  /** The guards, by name, as rewriteGuardCalls takes them (their twins keep their names). */
  guards: Map<string, ImportedHelper>;
  uses: Set<string>;
  usesNextRequest: boolean;
  notes: string[];
}

/**
 * Guards of the route's own file (top-level functions, not exported): they move into route.ts with the handler, so
 * one is rewritten in place into its twin when every use of it is a guard call of the handler in one of the two
 * shapes. Uses are found by binding: a parameter or a block's own variable of the same name is another function, and
 * its call neither counts as a guard call nor hides a use. Any other use (another function calling it, a callback)
 * leaves it as it is.
 */
export function localGuards(j: JSCodeshift, snip: Snippets, program: Node, body: Node[], names: { req: string; res: string }, hasAfter: boolean, typescript: boolean, taken: Set<string>): LocalGuards {
  const out: LocalGuards = { guards: new Map(), uses: new Set(), usesNextRequest: false, notes: [] };
  for (const { name, fn, statement: stmt, declarator } of moduleFunctions(program)) {
    // A declared type (`const requireKey: Guard = …`) would not hold for the rewritten function; a `let` may be
    // assigned another function.
    if ((declarator && stmt.kind !== 'const') || fn.generator || declarator?.id.typeAnnotation || !fn.params.some(isResponseParam)) continue;
    // Where the handler calls it as a guard, found by where req and res go, before any rewrite: most functions of a
    // file are not called so, and rewriting a copy of each would cost more than this look.
    const resIndex = fn.params.findIndex(isResponseParam);
    const reqIndex = fn.params.findIndex((p: Node, i: number) => i !== resIndex && isRequestParam(p));
    const calls = new Set(guardSites(body, new Map([[name, { kind: 'guard', specifier: '', imported: name, twin: name, resIndex, reqIndex, statuses: [] }]]), names).map((site) => site.found.call.callee));
    if (!calls.size) continue;
    const uses = referencesTo(program.body, name).filter((ref) => !(ref.key === 'id' && (ref.parent === stmt || ref.parent === declarator)));
    if (uses.length !== calls.size || !uses.every((ref) => calls.has(ref.node))) continue;
    const twin = cloneNode(fn);
    const guard = toGuardFunction(j, snip, program, twin, hasAfter, typescript, taken);
    if (!guard) continue;
    const routeData = { ...(guard.bodyIndex !== undefined ? { bodyIndex: guard.bodyIndex } : {}), ...(guard.queryIndex !== undefined ? { queryIndex: guard.queryIndex } : {}) };
    const entry: ImportedHelper = { kind: 'guard', specifier: '', imported: name, twin: name, resIndex: guard.resIndex, reqIndex: guard.reqIndex, statuses: guard.statuses, ...(guard.takesHeaders ? { takesHeaders: true } : {}), ...routeData };
    fn.params = twin.params;
    fn.body = twin.body;
    fn.async = twin.async;
    fn.returnType = withGuardAnswerType(snip, fn.returnType);
    out.guards.set(name, entry);
    guard.uses.forEach((u) => out.uses.add(u));
    out.usesNextRequest ||= guard.usesNextRequest;
    out.notes.push(...guard.notes);
  }
  return out;
}
