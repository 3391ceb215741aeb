/**
 * Rewrites the Pages `res` of one method body into returned Responses.
 * A send (`res.status(s).json(v)`, `res.send`, `res.end`, `res.redirect`) becomes `return <Response>`; status and
 * headers set before the send are kept in local `status` / `headers` variables that every later response uses.
 * A send in tail position simply returns; work that ran after a send keeps running (after() or reordering); a send
 * that Pages followed by more code on the same path ends that path, as the second send would have failed in Pages.
 */
import type { Reason } from '../../src/diagnostics.js';
import type { JSCodeshift } from 'jscodeshift';
import { unwrap, passedTo, isFunction, walk, stringValue, isIdent, isStringLike, memberName, replaceChild, type Node, type Snippets, END } from './ast.js';
import { referencesTo, type Reference } from './scope.js';
import { chunkEncodingOf, isStreamResponse, splitStream } from './stream-response.js';
import { inert } from './after-answer.js';
import { middlewareAnswerBase, middlewareRunKind } from './recipes-cors.js';
import { ROUTE_HEADER_SINKS } from './recipes.js';

/** The note (after `line N: `) for a send that now returns, where Pages went on running the code after it. */
export const ENDS_HANDLER_NOTE = 'the response now ends the handler; Pages went on running the code after it';

/** The start of the note for code that ran after a send and now runs before the answer is returned. */
export const BEFORE_RETURN_NOTE = 'code that ran after the response now runs before it is returned';

/** The Response of a split stream (stream-response.ts), as a terminal of its own. */
const STREAM_TERMINAL = '\0stream';
const TERMINALS = new Set(['json', 'send', 'end', 'redirect']);
/** A call of a helper that only sets headers on `res` (`setAuthCookie(res, token)`), as a link of its own. */
const HEADER_HELPER_LINK = '\0header-helper';
/** A connect middleware run on the response state (recipes-cors.ts), as a link of its own. */
const MIDDLEWARE_LINK = '\0middleware-run';
const HEADER_CALLS = new Set(['setHeader', 'appendHeader', 'removeHeader']);
const STATE_CALLS = new Set(['status', ...HEADER_CALLS]);

interface Link {
  name: string;
  args: Node[];
  /** A helper's call (`handler(req, res)` in a wrapper) that the code awaits where it stands. */
  awaited?: boolean;
}

/** A `res` call chain used as a statement: `res.status(404).json(v)` → links status, json. */
interface Chain {
  links: Link[];
  terminal?: Link;
}

/** A same-file function that takes `res` and always answers, rewritten to return a Response instead. */
export interface ResponseHelper {
  /** Position of the `res` parameter it had. */
  resIndex: number;
  statuses: Array<number | null>;
  /** The name calls use instead (an imported helper's route-handler twin). */
  rename?: string;
  /**
   * It never answers, only sets headers (res-helpers.ts toHeaderFunction): a call is a statement that gets the
   * route's headers in `res`'s place. The names it sets, lowercase, or null when one is not a literal.
   */
  setsHeaders?: string[] | null;
  /**
   * A header helper that also reads the Pages request (`setCorsHeaders(req, res)`): the position of req, where its
   * rewritten version takes the App Router request (see passRequestToHeaderHelpers in res-helpers.ts).
   */
  reqIndex?: number;
  /**
   * Its answer is awaited where the call stands (an imported sub-handler's twin, imported-sub-handlers.ts): inside a
   * `try`, a rejection of the returned answer then reaches the `catch`, as the awaited call's did.
   */
  awaits?: boolean;
  /** Its answer is a promise, which may reject (the handler a wrapper calls: a route's method functions are async). */
  promised?: boolean;
  /** It has written the answer's head when a call returns (after-answer.ts answersAtOnce): its call counts as a send. */
  answersAtOnce?: boolean;
}

export interface ResponseOptions {
  j: JSCodeshift;
  snip: Snippets;
  resName: string;
  /** Same-file helpers by name: `sendError(res, 400, msg)` is a send like `res.status(400).json(…)`. */
  helpers?: Map<string, ResponseHelper>;
  /**
   * The parameters of the function whose body this is: names no `const` in a nested block makes a known status
   * (numberNames).
   */
  params?: Node[];
  /**
   * Calls that answer as a helper does, known by node rather than by a callee name (a dispatcher's
   * `handlers[request.method](request, res, context)`, route-wrapper.ts): the answer keeps the call's own callee.
   */
  answerCalls?: Map<Node, ResponseHelper>;
  /** Whether `after()` exists in the target version (15.1+). */
  hasAfter: boolean;
  /** Names taken in the module, for fresh local names. */
  fresh: (base: string) => string;
  /**
   * The headers are the caller's (a header helper's twin writes into the route's): a setHeader of an array deletes
   * what is there first, as the caller or an earlier call may have set the same header.
   */
  sharedHeaders?: boolean;
  /** The headers are the caller's, under this name (a guard twin's parameter): no prelude declares them. */
  headersParam?: string;
  /**
   * `stream.pipe(res)` at the handler's end is answered with the stream (stream-response.ts), for a source this takes
   * for a plain Node stream: the route's handler only.
   */
  plainStream?: (source: Node) => boolean;
  /**
   * Names whose value may be undefined where they are sent (a handler's value a wrapper keeps, handler-results.ts):
   * `res.json(result)` of one answers as Pages did for undefined (pagesJson), where Response.json would throw.
   */
  maybeUndefined?: Set<string>;
  /**
   * Pages ignores what the body returns (the route's handler, no wrapper using its value): `return res.status(404)`,
   * which sets a status and sends nothing, is that state set and a plain `return`.
   */
  returnIgnored?: boolean;
}

export interface ResponseRewrite {
  body: Node[];
  /** Statements that must open the method function (status / headers state). */
  prelude: Node[];
  uses: Set<'NextResponse' | 'after' | 'pagesStatus' | 'pagesRedirect' | 'pagesSend' | 'pagesEnd' | 'pagesJson' | 'setHeader' | 'chunkBytes' | 'pipedBody' | 'withHeaders' | 'runConnectMiddleware' | 'runCorsWrapper' | 'runNextCors'>;
  notes: string[];
  escape?: { line?: number; detail: string; reason?: Reason };
  /** Statuses this body can answer with when every send has a literal status; null when unknown. */
  statuses: Array<number | null>;
  /** Local names of the helpers whose calls became returns. */
  helpersCalled: Set<string>;
  /**
   * The return statements that return an answer (a send, a helper's answer, a middleware's): a function whose other
   * returns give a value does not answer on every path.
   */
  answerReturns: Set<Node>;
  /** Headers are set on res other than by next-auth (`nextAuthResponse(res)`, a header sink). */
  setsOwnHeaders: boolean;
}

/** `res.end()`, `res.end(chunk)`, `res.end(chunk, 'latin1')`: not a callback (`res.end(done)`, `res.end(text, done)`). */
function endFollowed(args: Node[]): boolean {
  return chunkEncodingOf(args) !== undefined && !isFunction(unwrap(args[0]));
}

/** The helper a call answers through: one of `answerCalls`, or a helper called by its name. */
function helperOf(call: Node, opts: Pick<ResponseOptions, 'helpers' | 'answerCalls'>): ResponseHelper | undefined {
  const key = helperKey(call.callee);
  return opts.answerCalls?.get(call) ?? (key ? opts.helpers?.get(key) : undefined);
}

function chainOf(expr: Node, resName: string, opts: Pick<ResponseOptions, 'helpers' | 'answerCalls'>): Chain | null {
  const links: Link[] = [];
  const top = unwrap(expr);
  let n = top;
  if (n?.type === 'AwaitExpression') n = unwrap(n.argument);
  if (n?.type === 'NewExpression' && isStreamResponse(n)) return { links: [], terminal: { name: STREAM_TERMINAL, args: n.arguments } };
  if (n?.type === 'CallExpression' && middlewareRunKind(n)) return n.arguments.some((a: Node) => isIdent(a, resName)) ? { links: [{ name: MIDDLEWARE_LINK, args: [n] }] } : null;
  const helper = n?.type === 'CallExpression' ? helperOf(n, opts) : undefined;
  if (helper && isIdent(n.arguments[helper.resIndex], resName)) {
    return helper.setsHeaders !== undefined ? { links: [{ name: HEADER_HELPER_LINK, args: [n, top] }] } : { links: [], terminal: { name: 'helper', args: [n], awaited: top !== n } };
  }
  while (n?.type === 'CallExpression' && n.callee.type === 'MemberExpression' && !n.callee.computed && n.callee.property.type === 'Identifier') {
    links.unshift({ name: n.callee.property.name, args: n.arguments });
    n = unwrap(n.callee.object);
  }
  if (!isIdent(n, resName) || links.length === 0) return null;
  for (let i = 0; i < links.length; i++) {
    const isLast = i === links.length - 1;
    // `res.redirect()` without a URL, or with spread arguments, has no Location the tool can carry over (fuzz test).
    const badRedirect = links[i].name === 'redirect' && (links[i].args.length === 0 || links[i].args.length > 2 || links[i].args.some((a) => a.type === 'SpreadElement'));
    // `res.end(chunk, 'binary')` with Node's encoding; with a callback (`res.end(text, done)`), not followed.
    const badEnd = links[i].name === 'end' && !endFollowed(links[i].args);
    if (TERMINALS.has(links[i].name) && isLast && !badRedirect && !badEnd) return { links: links.slice(0, -1), terminal: links[i] };
    if (!STATE_CALLS.has(links[i].name)) return null;
    // `res.status()` or `res.status(...codes)` sets no status the tool can carry over (found by the fuzz test).
    if (links[i].name === 'status' && (links[i].args.length !== 1 || links[i].args[0].type === 'SpreadElement')) return null;
    // Nor does a header call without its name and value (`res.setHeader()`, also found by the fuzz test).
    const arity = links[i].name === 'removeHeader' ? 1 : 2;
    if (links[i].name !== 'status' && (links[i].args.length < arity || links[i].args.some((a) => a.type === 'SpreadElement'))) return null;
  }
  return { links };
}

/**
 * The key a helper call is looked up by: the function's name (`setFlash(res, …)`), or `object.method` for a method
 * of a module-level object (`limiter.check(res, …)`, transforms/lib/factory-header-methods.ts).
 */
export function helperKey(callee: Node): string | null {
  if (isIdent(callee)) return callee.name;
  if (callee?.type === 'MemberExpression' && !callee.computed && isIdent(callee.object) && isIdent(callee.property)) return `${callee.object.name}.${callee.property.name}`;
  return null;
}

/** Whether, in source order outside nested functions, a statement of `sets` comes before a guard's answer. */
function statusSetBeforeGuardAnswer(body: Node[], sets: Set<Node>): boolean {
  let seen = false;
  let found = false;
  const visit = (node: Node): void => {
    if (found || !node || typeof node.type !== 'string' || isFunction(node)) return;
    if (sets.has(node)) seen = true;
    if (seen && guardAnswerValue(node)) found = true;
    // Child fields in the order they were written (test before consequent, statements in order).
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'comments' || key === 'leadingComments' || key === 'trailingComments' || key === 'original') continue;
      const value = node[key];
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value.type === 'string') visit(value);
    }
  };
  body.forEach(visit);
  return found;
}

/** The mark of the route's return of a guard's (or a .catch callback's) answer: see returnGuardAnswer. */
const GUARD_ANSWER = '__guardAnswer';

/**
 * `if (value instanceof GuardAnswer) return value.response;`, the route's return of a guard's answer (guard-helpers.ts)
 * or a .catch callback's (catch-answers.ts), marked so that the rewrites after it know it (it survives the copies made
 * per method).
 */
export function returnGuardAnswer(snip: Snippets, value: string): Node {
  const [statement] = snip.statements(`if (${value} instanceof GuardAnswer) return ${value}.response${END}`);
  statement[GUARD_ANSWER] = true;
  return statement;
}

/** The name of the value whose answer `node` returns, when it is such a return (returnGuardAnswer); else null. */
export function guardAnswerValue(node: Node): string | null {
  return node?.[GUARD_ANSWER] ? node.test.left.name : null;
}

/**
 * The mark of a call that takes the route's headers where it took res: a guard twin's whose getServerSession sets
 * next-auth's cookies there (guard-helpers.ts). Like `nextAuthResponse(res)`, it sets Set-Cookie.
 */
export const TAKES_ROUTE_HEADERS = '__takesRouteHeaders';

/** A marked call (TAKES_ROUTE_HEADERS) that passes res (`arg`). */
function isHeaderSink(call: Node, arg: Node): boolean {
  return call.type === 'CallExpression' && call[TAKES_ROUTE_HEADERS] === true && call.arguments.includes(arg);
}

/** `nextAuthResponse(res)` or `pagesResponseShim(res)`, written by the recipes: `res` is its only argument. */
function isRouteCookieShim(call: Node, arg: Node): boolean {
  return call.type === 'CallExpression' && ROUTE_HEADER_SINKS.some((name) => isIdent(call.callee, name)) && call.arguments.length === 1 && call.arguments[0] === arg;
}

function statusAssignment(expr: Node, resName: string): Node | null {
  const n = unwrap(expr);
  if (n?.type !== 'AssignmentExpression' || n.operator !== '=') return null;
  const left = n.left;
  if (left.type === 'MemberExpression' && !left.computed && isIdent(left.property, 'statusCode') && isIdent(unwrap(left.object), resName)) return n.right;
  return null;
}

function isJsonLike(node: Node): boolean {
  const n = unwrap(node);
  return ['ObjectExpression', 'ArrayExpression', 'NumericLiteral', 'BooleanLiteral'].includes(n.type);
}

function isNullish(node: Node | undefined): boolean {
  if (!node) return true;
  const n = unwrap(node);
  return n.type === 'NullLiteral' || isIdent(n, 'undefined');
}

/**
 * Whether a status given to res may be undefined, which a Response takes for 200 where Node threw as the answer went
 * out: such a status goes through the compat module's pagesStatus. A literal, arithmetic, or a fallback that is none
 * of these (`err.status || 500`) cannot be.
 */
function statusMayBeUndefined(node: Node, numbers: Set<string>): boolean {
  const n = unwrap(node);
  if (/Literal$/.test(n.type) || n.type === 'BinaryExpression' || (n.type === 'UnaryExpression' && n.operator !== 'void')) return false;
  if (n.type === 'Identifier') return !numbers.has(n.name);
  // A fetch Response's status (`response.status`), which numberNames holds under that name.
  if (n.type === 'MemberExpression' && !n.computed && isIdent(n.object) && isIdent(n.property, 'status')) return !numbers.has(`${n.object.name}.status`);
  if (n.type === 'LogicalExpression' && n.operator !== '&&') return statusMayBeUndefined(n.right, numbers);
  if (n.type === 'ConditionalExpression') return statusMayBeUndefined(n.consequent, numbers) || statusMayBeUndefined(n.alternate, numbers);
  return true;
}

/**
 * Names that hold a defined status where they are read, as the code declares them: a `const` whose value cannot be
 * undefined (`const status = error.status || 500`, `const { statusCode = 500 } = error`), and `response.status` of a
 * `const response = await fetch(…)`. A type says nothing here:
 * `sendError(res, error.statusCode, …)` from a `catch (error: any)` passes undefined to a parameter typed `number`.
 */
function numberNames(params: Node[], body: Node[]): Set<string> {
  // `const response = await fetch(…)`: a Response always has a status, from 200 to 599.
  const responses = constNames(params, body, (value) => value.type === 'AwaitExpression' && unwrap(value.argument).type === 'CallExpression' && isIdent(unwrap(value.argument).callee, 'fetch'), false);
  const known = new Set([...responses].map((name) => `${name}.status`));
  return new Set([...known, ...constNames(params, body, (value, names) => !statusMayBeUndefined(value, new Set([...names, ...known])), true)]);
}

/** Names that hold a string where they are read (a `const` whose value is one: isString), and those that hold a URL. */
function stringNames(params: Node[], body: Node[]): { strings: Set<string>; urls: Set<string> } {
  const urls = constNames(params, body, (value) => value.type === 'NewExpression' && isIdent(value.callee, 'URL'), false);
  return { strings: constNames(params, body, (value, known) => isString(value, { strings: known, urls }), false), urls };
}

/**
 * The names `holds` is true of where they are read, as the code declares them: a `const` (or, with `defaults`, a
 * destructured `const` with a default value) whose value it holds for, and with `elements`, every name a `const`
 * takes from an array (`const [first] = rows`, an element like `rows[0]`). A name declared twice is not one.
 */
function constNames(params: Node[], body: Node[], holds: (value: Node, known: Set<string>) => boolean, defaults: boolean, elements = false): Set<string> {
  const declared = new Set<string>();
  const held = new Set<string>();
  const note = (id: Node, holdsHere: boolean) => {
    if (declared.has(id.name)) held.delete(id.name);
    else if (holdsHere) held.add(id.name);
    declared.add(id.name);
  };
  for (const p of params) if (p.type === 'Identifier') note(p, false);
  for (const stmt of body) {
    walk(stmt, (node, parent) => {
      const isConst = parent?.kind === 'const';
      if (node.type === 'VariableDeclarator' && node.id.type === 'Identifier') note(node.id, isConst && !!node.init && holds(unwrap(node.init), held));
      else if (node.type === 'VariableDeclarator' && node.id.type === 'ObjectPattern') {
        for (const prop of node.id.properties) {
          const value = prop.type === 'ObjectProperty' ? prop.value : null;
          if (value?.type === 'Identifier') note(value, false);
          else if (value?.type === 'AssignmentPattern' && value.left.type === 'Identifier') note(value.left, defaults && isConst && holds(unwrap(value.right), held));
        }
      } else if (node.type === 'VariableDeclarator' && node.id.type === 'ArrayPattern') {
        for (const element of node.id.elements) if (element?.type === 'Identifier') note(element, elements && isConst);
      } else if (isFunction(node)) for (const p of node.params) if (p.type === 'Identifier') note(p, false);
    });
  }
  return held;
}

/**
 * Whether the code shows a value to be a string: a literal, a template, a `+` with a string on one side,
 * `String(…)`, `encodeURIComponent(…)`, `.toString()`, `.join(…)`, a URL's `.href`, or a name holding one.
 */
function isString(node: Node, names: { strings: Set<string>; urls: Set<string> }): boolean {
  const n = unwrap(node);
  switch (n.type) {
    case 'StringLiteral':
    case 'TemplateLiteral':
      return true;
    case 'Identifier':
      return names.strings.has(n.name);
    case 'BinaryExpression':
      return n.operator === '+' && (isString(n.left, names) || isString(n.right, names));
    case 'ConditionalExpression':
      return isString(n.consequent, names) && isString(n.alternate, names);
    case 'MemberExpression':
      return memberName(n) === 'href' && isIdent(unwrap(n.object)) && names.urls.has(unwrap(n.object).name);
    case 'CallExpression':
      if (isIdent(n.callee)) return ['String', 'encodeURIComponent', 'encodeURI'].includes(n.callee.name);
      return n.callee.type === 'MemberExpression' && ['toString', 'join'].includes(memberName(n.callee) ?? '');
  }
  return false;
}

/**
 * Whether the code shows that a value given to res.json may be undefined: none at all, `undefined`, an optional
 * chain (`result?.quotes`), an element read by index or key (`rows[0]`), an array's `.find((x) => …)` or `.at(…)`,
 * a choice with such a branch, or a `const` holding one (`names`). Pages sent an empty body for it (200, the JSON
 * type), where Response.json throws: such a value goes through the compat module's pagesJson. Other values are sent
 * with NextResponse.json (README: Known differences, the ones the tool accepts).
 */
function showsMaybeUndefined(node: Node | undefined, names: Set<string>): boolean {
  if (!node) return true;
  const n = unwrap(node);
  if (n.type === 'Identifier') return n.name === 'undefined' || names.has(n.name);
  if (n.type === 'OptionalMemberExpression' || n.type === 'OptionalCallExpression' || (n.type === 'MemberExpression' && n.computed)) return true;
  if (n.type === 'AwaitExpression') return showsMaybeUndefined(n.argument, names);
  if (n.type === 'ConditionalExpression') return showsMaybeUndefined(n.consequent, names) || showsMaybeUndefined(n.alternate, names);
  if (n.type === 'LogicalExpression') return showsMaybeUndefined(n.right, names);
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return false;
  // An array's, given a function (a database's `find(id)` or `find()` gives null or a list).
  const method = memberName(n.callee);
  return method === 'at' || ((method === 'find' || method === 'findLast') && isFunction(n.arguments[0] ?? {}));
}

/** `make`'s value, made at the first call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

function literalStatus(node: Node | undefined): number | null {
  const n = node && unwrap(node);
  return n?.type === 'NumericLiteral' ? n.value : null;
}

/**
 * Text that starts with markup (`'<!DOCTYPE html>…'`, `` `<html>${body}</html>` ``): Pages sent a string with no
 * Content-Type of its own, and a browser sniffed HTML and ran it, where a string Response says text/plain. Such text
 * goes through pagesSend/pagesEnd, which send it as bytes when no Content-Type is set. Other text reads the same as
 * text/plain either way.
 */
function looksLikeMarkup(node: Node): boolean {
  const n = unwrap(node);
  const start = n.type === 'TemplateLiteral' ? n.quasis[0]?.value.cooked : stringValue(n);
  return typeof start === 'string' && start.trimStart().startsWith('<');
}

/** Expressions that can be written twice without running anything twice. */
function isSimple(node: Node): boolean {
  const n = unwrap(node);
  if (n.type === 'Identifier' || stringValue(n) !== null) return true;
  if (n.type === 'MemberExpression') return !n.computed && isSimple(n.object);
  if (n.type === 'TemplateLiteral') return n.expressions.every(isSimple);
  return false;
}

export function rewriteResponse(original: Node[], opts: ResponseOptions): ResponseRewrite {
  const { j, resName, snip } = opts;
  const split = splitStream(snip, original, resName, opts.fresh, opts.plainStream);
  const body = split.body;
  const out: ResponseRewrite = { body, prelude: [], uses: new Set(split.uses), notes: [], statuses: [], helpersCalled: new Set(), answerReturns: new Set(), setsOwnHeaders: false };
  if (split.escape) {
    out.escape = split.escape;
    return out;
  }
  // A streamed body is not given the nested header rule: a header set after the first write threw in Pages and ended
  // the stream there, while the route's stream would go on writing. Its nested header calls stay RES_ESCAPES.
  const streams = split.body !== original;
  const nestedHeader = (ref: Reference) => (streams ? null : nestedHeaderStatement(ref, resName, opts));
  // The functions of the body that set headers, by the names they are reached by: work after a send that may call
  // one is not moved (isTrailingWork). `unnamed`: one is reached otherwise (a callback handed on, a name passed
  // around), so any call after the send may run it.
  const headerFunctions = { names: new Set<string>(), unnamed: false };

  // Which state the body needs, from a scan of every res use.
  let needsStatus = false;
  let needsHeaders = false;
  const headerNamesSet = new Map<string, number>();
  // Headers of the caller (a guard twin's) may hold any Content-Type: a JSON answer sets its own, as res.json did.
  let contentTypeMaybeSet = !!opts.headersParam;
  const helperAnswers: Node[] = [];
  /** The `res` arguments that become the route's headers (`nextAuthResponse(res)`, a header sink's call). */
  const headerSinkArgs: Array<{ call: Node; index: number }> = [];
  let nextAuthHeaders = false;
  /** The `res` of each statement that sets a status for a later send. */
  const statusSets = new Set<Node>();
  /** Whether a status set for a later send may be undefined: the sends that read it check it (pagesStatus). */
  let stateMayBeUndefined = false;
  const numbers = numberNames(opts.params ?? [], original);
  // Read only where a redirect or a JSON send needs them.
  const strings = once(() => stringNames(opts.params ?? [], original));
  const undefinedNames = once(() => constNames(opts.params ?? [], original, (value, known) => showsMaybeUndefined(value, known), false, true));
  /**
   * `return res.status(404)` (or a setHeader) where Pages ignores what the handler returns: state for an answer that
   * never came, so the path answers nothing (row 6 of the known differences), the state dropped.
   */
  const unansweredReturn = (stmt: Node, chain: Chain) =>
    !!opts.returnIgnored && !chain.terminal && chain.links.every((l) => l.name !== MIDDLEWARE_LINK && l.name !== HEADER_HELPER_LINK && l.args.every(inert));
  for (const ref of referencesTo(body, resName)) {
    const stmt = ref.ancestors.findLast((a) => a.type === 'ExpressionStatement' || a.type === 'ReturnStatement');
    const expr = stmt?.type === 'ExpressionStatement' ? stmt.expression : stmt?.argument;
    const chain: Chain | null = expr ? chainOf(expr, resName, opts) : null;
    const crossesFunction = ref.ancestors.some(isFunction);
    if (chain?.terminal?.name === 'helper' && !crossesFunction && chain.terminal.args[0].arguments[helperOf(chain.terminal.args[0], opts)!.resIndex] === ref.node) {
      helperAnswers.push(ref.node);
      continue;
    }
    const headerCall = chain?.links[0]?.name === HEADER_HELPER_LINK ? chain.links[0].args[0] : null;
    if (headerCall && !crossesFunction && stmt.type === 'ExpressionStatement' && headerCall.arguments[helperOf(headerCall, opts)!.resIndex] === ref.node) {
      needsHeaders = true;
      const names = helperOf(headerCall, opts)!.setsHeaders;
      if (names) names.forEach((name) => headerNamesSet.set(name, (headerNamesSet.get(name) ?? 0) + 1));
      else contentTypeMaybeSet = true;
      continue;
    }
    // getServerSession's response (recipes.ts) sets its cookies into the route's headers, as on res in Pages; so does
    // a guard twin that calls it.
    if (!crossesFunction && (isRouteCookieShim(ref.parent, ref.node) || isHeaderSink(ref.parent, ref.node))) {
      nextAuthHeaders = true;
      headerNamesSet.set('set-cookie', (headerNamesSet.get('set-cookie') ?? 0) + 1);
      headerSinkArgs.push({ call: ref.parent, index: ref.parent.arguments.indexOf(ref.node) });
      continue;
    }
    // The middleware writes its headers into the route's headers (cors: Access-Control-*, Vary).
    const run = chain?.links[0]?.name === MIDDLEWARE_LINK ? chain.links[0].args[0] : null;
    if (run && !crossesFunction && stmt.type === 'ExpressionStatement' && run.arguments.includes(ref.node)) {
      needsHeaders = true;
      continue;
    }
    if (chain && !crossesFunction && stmt.type === 'ReturnStatement' && unansweredReturn(stmt, chain)) continue;
    if (chain && !headerCall && !run && !crossesFunction && unwrap(expr) !== undefined && chainRootIs(expr, ref.node)) {
      if (!chain.terminal && chain.links.some((l) => l.name === 'status')) {
        needsStatus = true;
        statusSets.add(ref.node);
        if (chain.links.some((l) => l.name === 'status' && statusMayBeUndefined(l.args[0], numbers))) stateMayBeUndefined = true;
      }
      for (const l of chain.links) {
        if (l.name !== 'status') {
          needsHeaders = true;
          const name = stringValue(l.args[0])?.toLowerCase();
          if (name) headerNamesSet.set(name, (headerNamesSet.get(name) ?? 0) + 1);
          else contentTypeMaybeSet = true;
        }
      }
      continue;
    }
    const nested = crossesFunction ? nestedHeader(ref) : null;
    if (nested) {
      needsHeaders = true;
      noteHeaderFunction(ref, body, headerFunctions);
      for (const l of nested.chain.links) {
        const name = stringValue(l.args[0])?.toLowerCase();
        if (name) headerNamesSet.set(name, (headerNamesSet.get(name) ?? 0) + 1);
        else contentTypeMaybeSet = true;
      }
      continue;
    }
    const assigned = expr && !crossesFunction ? statusAssignment(expr, resName) : null;
    if (assigned) {
      needsStatus = true;
      statusSets.add(ref.node);
      if (statusMayBeUndefined(assigned, numbers)) stateMayBeUndefined = true;
      continue;
    }
    const parent = ref.parent;
    if (parent.type === 'MemberExpression' && isIdent(parent.property, 'statusCode') && !parent.computed) {
      needsStatus = true;
      continue;
    }
    out.escape = { line: ref.node.loc?.start.line, ...describeEscape(ref.parent, ref.ancestors) };
    return out;
  }

  // A status set before another function answers would have to reach into that function's answer, which may or may not
  // set its own: not guessed.
  if (needsStatus && helperAnswers.length) {
    out.escape = { line: helperAnswers[0].loc?.start.line, detail: 'res.status is set before a helper answers' };
    return out;
  }
  // So too a guard's or a .catch callback's answer (`if (x instanceof GuardAnswer) return x.response`), which is
  // a Response of its own: Pages sent it with a status set on res before, when the guard set none.
  if (statusSets.size && statusSetBeforeGuardAnswer(body, statusSets)) {
    out.escape = { line: [...statusSets][0].loc?.start.line, detail: 'res.status is set before a guard answers' };
    return out;
  }
  const statusName = needsStatus ? opts.fresh('status') : null;
  out.setsOwnHeaders = needsHeaders;
  const headersName = needsHeaders || nextAuthHeaders ? (opts.headersParam ?? opts.fresh('headers')) : null;
  if (statusName) out.prelude.push(...snip.statements(`let ${statusName} = 200${END}`));
  if (headersName && !opts.headersParam) out.prelude.push(...snip.statements(`const ${headersName} = new Headers()${END}`));
  for (const { call, index } of headerSinkArgs) call.arguments[index] = j.identifier(headersName!);

  /** How many loops the statement being rewritten sits in: a header call there may run more than once on a path. */
  let loopDepth = 0;
  /** How many `try` blocks the statement being rewritten is in. */
  let tryDepth = 0;
  /** `mayRepeat`: the call may run more than once on a path (it sits in a nested function, or in a loop). */
  const headerOp = (link: Link, nested = false): Node[] => {
    const mayRepeat = nested || loopDepth > 0 || !!opts.sharedHeaders;
    const call = (method: string, ...args: Array<Node | string>) =>
      `${headersName}.${method}(${args.map((a) => (typeof a === 'string' ? a : snip.src(a))).join(', ')})${END}`;
    const [name, value] = link.args;
    if (link.name === 'removeHeader') return snip.statements(call('delete', name));
    const op = link.name === 'setHeader' ? 'set' : 'append';
    const v = value && unwrap(value);
    if (v && isStringLike(v)) return snip.statements(call(op, name, value));
    if (v?.type === 'NumericLiteral') return snip.statements(call(op, name, snip.str(String(v.value))));
    if (v?.type === 'ArrayExpression' && v.elements.every((e: Node) => e && e.type !== 'SpreadElement')) {
      const lower = stringValue(name)?.toLowerCase();
      // Set-Cookie values must stay separate header lines; other repeated headers read the same joined by ", ".
      if (lower === 'set-cookie' || !v.elements.every(isStringLike)) {
        const lines: string[] = [];
        if (link.name === 'setHeader' && (mayRepeat || !lower || (headerNamesSet.get(lower) ?? 0) > 1)) lines.push(call('delete', name));
        for (const e of v.elements) lines.push(call('append', name, e));
        return snip.statements(lines.join('\n'));
      }
      const joined = v.elements.map((e: Node) => stringValue(e));
      if (joined.every((x: string | null) => x !== null)) return snip.statements(call(op, name, snip.str(joined.join(', '))));
    }
    out.uses.add('setHeader');
    const args = [headersName!, snip.src(name), value ? snip.src(value) : 'undefined', ...(link.name === 'appendHeader' ? ['true'] : [])];
    return snip.statements(`setHeader(${args.join(', ')})${END}`);
  };

  /** The middleware's run: its headers into the route's, and its own answer returned when it ended the response. */
  const middlewareRun = (call: Node): Node[] => {
    // A project helper's twin (middleware-helper.ts) runs the middleware itself, on (request, headers).
    const twin = middlewareRunKind(call) === 'twin';
    const middleware = twin ? call.callee : call.arguments[1];
    const base = middlewareAnswerBase(call) ?? (isIdent(middleware) ? middleware.name.replace(/ForRoute$/, '') : 'middleware');
    const answer = opts.fresh(`${base}Answer`);
    // Its answer's status is the middleware's (cors: 204 or optionsSuccessStatus): not known here.
    out.statuses.push(null);
    // The compat module's runner the run calls: runConnectMiddleware, runCorsWrapper or runNextCors.
    if (!twin) out.uses.add(call.callee.name);
    const args = call.arguments.map((a: Node) => (isIdent(a, resName) ? headersName : snip.src(a)));
    const statements = snip.statements(`const ${answer} = await ${snip.src(call.callee)}(${args.join(', ')})${END}\nif (${answer}) return ${answer}${END}`);
    out.answerReturns.add(statements[1].consequent);
    return statements;
  };

  /** The callee a helper's call becomes (its twin, or the callee as written), noted among the helpers called by name. */
  const helperCallee = (call: Node, helper: ResponseHelper): string => {
    // A dispatcher's lookup (`handlers[request.method](…)`) keeps its callee; a helper (`sendError`, a factory's
    // method `limiter.check`) is called by its twin's name.
    const key = opts.answerCalls?.has(call) && !isIdent(call.callee) ? null : helperKey(call.callee);
    if (!key) return helper.rename ?? snip.src(call.callee);
    out.helpersCalled.add(key);
    return helper.rename ?? key;
  };

  /** `setAuthCookie(res, token)` → `setAuthCookieHeaders(headers, token)`, awaited as it was. */
  const headerHelperCall = ([call, top]: Node[]): Node => {
    const helper = helperOf(call, opts)!;
    const callee = helperCallee(call, helper);
    const args = call.arguments.map((a: Node, i: number) => (i === helper.resIndex ? headersName! : snip.src(a)));
    return snip.statements(`${top.type === 'AwaitExpression' ? 'await ' : ''}${callee}(${args.join(', ')})${END}`)[0];
  };

  const stateStatements = (chain: Chain): Node[] => {
    const stmts: Node[] = [];
    for (const link of chain.links) {
      if (link.name === 'status') stmts.push(...snip.statements(snip.text`${statusName!} = ${link.args[0]}${END}`));
      else if (link.name === MIDDLEWARE_LINK) stmts.push(...middlewareRun(link.args[0]));
      else if (link.name === HEADER_HELPER_LINK) stmts.push(headerHelperCall(link.args));
      else stmts.push(...headerOp(link));
    }
    return stmts;
  };

  /** Pre-statements and the Response expression (as code) for a terminal chain. */
  const responseFor = (chain: Chain): { pre: Node[]; expr: string } => {
    const pre: Node[] = [];
    let status: Node | null = null;
    for (const link of chain.links) {
      if (link.name === 'status') status = link.args[0];
      else pre.push(...headerOp(link));
    }
    const terminal = chain.terminal!;
    if (terminal.name === 'helper') {
      const call = terminal.args[0];
      const helper = helperOf(call, opts)!;
      out.statuses.push(...helper.statuses);
      const args = call.arguments.filter((_: Node, i: number) => i !== helper.resIndex).map((a: Node) => snip.src(a));
      const answer = `${helperCallee(call, helper)}(${args.join(', ')})`;
      if (!headersName) return { pre, expr: helper.awaits ? `await ${answer}` : answer };
      out.uses.add('withHeaders');
      // Not awaited in a `try` (`try { …; return handler(req, res) } catch …`): a rejection of the answer went past
      // the catch (Next's 500), and the finally ran before it settled; an await here would change both.
      if (tryDepth > 0 && helper.promised && !terminal.awaited && !helper.awaits) return { pre, expr: `Promise.resolve(${answer}).then((response) => withHeaders(response, ${headersName}))` };
      return { pre, expr: `withHeaders(await ${answer}, ${headersName})` };
    }
    const fromState = !status && !!statusName;
    if (fromState) status = j.identifier(statusName!);
    const init = (statusCode: string | null, headers: string | null) => {
      const props: string[] = [];
      if (statusCode) props.push(statusCode === 'status' ? 'status' : `status: ${statusCode}`);
      if (headers) props.push(headers === 'headers' ? 'headers' : `headers: ${headers}`);
      return props.length ? `, { ${props.join(', ')} }` : '';
    };
    const lit = literalStatus(status ?? undefined);
    // 200 is what a Response has anyway.
    let statusCode = status && lit !== 200 ? snip.src(status) : null;
    if (statusCode && (fromState ? stateMayBeUndefined : statusMayBeUndefined(status!, numbers))) {
      out.uses.add('pagesStatus');
      statusCode = `pagesStatus(${statusCode})`;
    }
    out.statuses.push(terminal.name === 'redirect' ? literalStatus(terminal.args.length > 1 ? terminal.args[0] : j.numericLiteral(307)) : status ? lit : 200);
    const emptyStatus = lit === 204 || lit === 304;
    const arg = terminal.args[0];
    // A 204 or 304 sends no body, but Pages evaluated the argument all the same (`res.status(204).send(await
    // controller.update(body))`): what it runs stays, before the answer. res.end checked it too (pagesEnd, below).
    const evaluated = !!arg && (terminal.name === 'json' || terminal.name === 'send' || (terminal.name === 'end' && isStringLike(arg)));
    if (emptyStatus && evaluated && !inert(arg)) pre.push(...snip.statements(`${snip.src(arg)}${END}`));
    const withInit = init(statusCode, headersName);
    const plain = (bodyCode: string) => `new Response(${bodyCode}${withInit})`;
    // `maybeUndefined`: a value that may be undefined goes through the compat module's pagesJson (see maybeUndefined).
    const json = (valueCode: string, maybeUndefined = false) => {
      out.uses.add(maybeUndefined ? 'pagesJson' : 'NextResponse');
      // res.json and res.send(object) always sent application/json; NextResponse.json keeps a type already set.
      if (headersName && (contentTypeMaybeSet || headerNamesSet.has('content-type'))) pre.push(...snip.statements(`${headersName}.delete(${snip.str('Content-Type')})${END}`));
      return `${maybeUndefined ? 'pagesJson' : 'NextResponse.json'}(${valueCode}${withInit})`;
    };
    switch (terminal.name) {
      case 'json':
        return { pre, expr: emptyStatus ? plain('null') : json(arg ? snip.src(arg) : 'undefined', showsMaybeUndefined(arg, undefinedNames()) || (isIdent(arg) && !!opts.maybeUndefined?.has(arg.name))) };
      case 'send':
        if (emptyStatus || isNullish(arg)) return { pre, expr: plain('null') };
        if (isStringLike(arg) && !looksLikeMarkup(arg)) return { pre, expr: plain(snip.src(arg)) };
        if (isJsonLike(arg)) return { pre, expr: json(snip.src(arg)) };
        out.uses.add('pagesSend');
        return { pre, expr: `pagesSend(${snip.src(arg)}${withInit})` };
      case 'end': {
        // Anything but text or bytes (a number, an object) threw in Pages, whatever the status: pagesEnd checks it.
        if (isNullish(arg) || (emptyStatus && isStringLike(arg))) return { pre, expr: plain('null') };
        const encoding = chunkEncodingOf(terminal.args);
        if (isStringLike(arg) && !encoding && !looksLikeMarkup(arg)) return { pre, expr: plain(snip.src(arg)) };
        out.uses.add('pagesEnd');
        const encodingArg = encoding ? `${withInit || ', undefined'}, ${snip.str(encoding)}` : withInit;
        return { pre, expr: `pagesEnd(${snip.src(arg)}${encodingArg})` };
      }
      case STREAM_TERMINAL:
        // The stream built by splitStream, with the status and headers set before its first write.
        return { pre, expr: plain(snip.src(arg)) };
      case 'redirect': {
        const [first, second] = terminal.args;
        // Arguments the code does not show to be a URL string (after a numeric status) are checked as Next did.
        if (!(second ? literalStatus(first) !== null && isString(second, strings()) : isString(first, strings()))) {
          out.uses.add('pagesRedirect');
          const args = terminal.args.map((a) => snip.src(a));
          if (headersName) args.push(...(second ? [] : ['undefined']), headersName);
          return { pre, expr: `pagesRedirect(${args.join(', ')})` };
        }
        const redirectStatus = second ? snip.src(first) : '307';
        let url = snip.src(second ?? first);
        if (!isSimple(second ?? first)) {
          const name = opts.fresh('location');
          pre.push(...snip.statements(`const ${name} = ${url}${END}`));
          url = name;
        }
        // Pages sends the Location exactly as given (relative stays relative) and the URL as the body.
        if (headersName) {
          pre.push(...snip.statements(`${headersName}.set(${snip.str('Location')}, ${url})${END}`));
          return { pre, expr: `new Response(${url}${init(redirectStatus, headersName)})` };
        }
        return { pre, expr: `new Response(${url}${init(redirectStatus, `{ Location: ${url} }`)})` };
      }
    }
    throw new Error(`unknown terminal ${terminal.name}`);
  };

  /** The replaced statement's comments stay with the first statement that replaces it. */
  const withComments = (original: Node, replacement: Node[]): Node[] => {
    if (replacement.length) replacement[0] = snip.withCommentsOf(original, replacement[0]);
    return replacement;
  };
  /** A send's replacement, whose return (its last statement) returns the answer. */
  const answering = (original: Node, replacement: Node[]): Node[] => {
    const statements = withComments(original, replacement);
    out.answerReturns.add(statements[statements.length - 1]);
    return statements;
  };

  /**
   * Rewrites a statement list; `tail` says whether falling off its end ends the handler. `quiet`: whether falling off
   * its end runs only what the route runs too after a return there (a `finally`, which runs either way): a send at
   * the end of such a list skips nothing, and gets no note.
   */
  const rewriteList = (list: Node[], tail: boolean, breakEndsTail: boolean, quiet = tail): Node[] => {
    const result: Node[] = [];
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const isLast = i === list.length - 1;
      const rest = list.slice(i + 1);
      const site = siteOf(stmt);
      if (!site) {
        result.push(rewriteNested(stmt, tail && isLast, breakEndsTail, quiet && isLast));
        continue;
      }
      if (site.kind === 'unanswered') {
        // What it set would have gone out with an answer that never came: the path answers nothing, as in Pages.
        result.push(snip.statements(`return${END}`, [`// Pages: ${snip.src(stmt.argument)}, and no answer`])[0]);
        continue;
      }
      if (site.kind === 'status') {
        result.push(...withComments(stmt, snip.statements(snip.text`${statusName!} = ${site.value}${END}`)));
        continue;
      }
      if (!site.chain.terminal) {
        result.push(...withComments(stmt, stateStatements(site.chain)));
        continue;
      }
      const { pre, expr } = responseFor(site.chain);
      const restIsBreak = breakEndsTail && rest.length >= 1 && rest[0].type === 'BreakStatement' && !rest[0].label;
      const restIsReturn = rest.length >= 1 && rest[0].type === 'ReturnStatement' && !rest[0].argument;
      if (stmt.type === 'ReturnStatement' || (tail && isLast) || restIsReturn || restIsBreak) {
        result.push(...answering(stmt, [...pre, ...snip.statements(`return ${expr}${END}`)]));
        if (restIsReturn || restIsBreak) i++;
        continue;
      }
      if (tail && rest.length && isTrailingWork(rest, [resName, headersName], headerFunctions)) {
        const work = rest.map((s) => rewriteNested(s, false, false));
        if (opts.hasAfter) {
          out.uses.add('after');
          const [afterCall, returned] = snip.statements(`after(${containsAwait(work) ? 'async ' : ''}() => {})${END}\nreturn ${expr}${END}`);
          afterCall.expression.arguments[0].body.body = work;
          result.push(...answering(stmt, [...pre, afterCall, returned]));
          out.notes.push('code that ran after the response now runs in after()');
        } else {
          const name = opts.fresh('response');
          // A helper's (or a wrapped handler's) answer may be a promise: Pages ran the code after it had answered.
          const answer = site.chain.terminal.name === 'helper' && !expr.startsWith('withHeaders(') ? `await ${expr}` : expr;
          const [returned] = snip.statements(`return ${name}${END}`);
          out.answerReturns.add(returned);
          result.push(...withComments(stmt, [...pre, ...snip.statements(`const ${name} = ${answer}${END}`)]), ...work, returned);
          out.notes.push(`${BEFORE_RETURN_NOTE} (no after() before Next.js 15.1)`);
        }
        return result;
      }
      result.push(...answering(stmt, [...pre, ...snip.statements(`return ${expr}${END}`)]));
      // Code after it in this list, or after the block it ends (`if (bad) { res.status(400).end() }` with no return).
      if (rest.length || !quiet) out.notes.push(`line ${stmt.loc?.start.line ?? '?'}: ${ENDS_HANDLER_NOTE}`);
    }
    return result;
  };

  const rewriteNested = (stmt: Node, tail: boolean, breakEndsTail: boolean, quiet = tail): Node => {
    const block = (s: Node, t: boolean, b = breakEndsTail, q = t) => {
      if (!s) return s;
      if (s.type === 'BlockStatement') {
        s.body = rewriteList(s.body, t, b, q);
        return s;
      }
      const list = rewriteList([s], t, b, q);
      // A statement that carries a comment gets braces: after `if (x)` the comment would print between the two. So
      // does a send become `return …`, which would print on a line of its own after `if (x)`, with a semicolon in a
      // file written without (a statement of the same kind prints where the original stood).
      return list.length === 1 && list[0].type === s.type && !list[0].comments?.length ? list[0] : j.blockStatement(list);
    };
    switch (stmt.type) {
      case 'IfStatement':
        stmt.consequent = block(stmt.consequent, tail, breakEndsTail, quiet);
        if (stmt.alternate) stmt.alternate = block(stmt.alternate, tail, breakEndsTail, quiet);
        return stmt;
      case 'BlockStatement':
        return block(stmt, tail, breakEndsTail, quiet);
      case 'TryStatement':
        // Not the tail before a `finally` (its code runs after the block), but quiet: it runs after a return too.
        tryDepth++;
        stmt.block = block(stmt.block, tail && !stmt.finalizer, breakEndsTail, quiet);
        tryDepth--;
        if (stmt.handler) stmt.handler.body = block(stmt.handler.body, tail && !stmt.finalizer, breakEndsTail, quiet);
        if (stmt.finalizer) stmt.finalizer = block(stmt.finalizer, false);
        return stmt;
      case 'SwitchStatement':
        for (const c of stmt.cases) c.consequent = rewriteList(c.consequent, tail && c === stmt.cases[stmt.cases.length - 1], tail);
        return stmt;
      case 'LabeledStatement':
        stmt.body = block(stmt.body, false, false);
        return stmt;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        loopDepth++;
        stmt.body = block(stmt.body, false, false);
        loopDepth--;
        return stmt;
      default:
        return stmt;
    }
  };

  /**
   * Header calls on `res` inside functions nested in the body (`const renew = async () => { …; res.setHeader(…) }`)
   * become the same operations on the route's `headers`, which those functions see lexically (the prelude opens the
   * method function). Faithful because the headers only matter when an answer is built: in Pages a header set before
   * the send goes out with it, and one set after it changes nothing (Next ignores it then; appendHeader throws); in the
   * route the Headers object is read when the Response is built, and a later change reaches no answer either.
   * Such a call may run more than once on a path (a function called twice, a loop's callback): a Set-Cookie array
   * replaces what an earlier run appended, as setHeader did.
   */
  const rewriteNestedHeaderCalls = (roots: Node[]) => {
    for (const ref of referencesTo(roots, resName)) {
      const nested = nestedHeader(ref);
      if (!nested) continue;
      const holder = ref.ancestors[ref.ancestors.indexOf(nested.stmt) - 1];
      const replacement = withComments(nested.stmt, nested.chain.links.flatMap((link) => headerOp(link, true)));
      const list = Object.values(holder).find((slot): slot is Node[] => Array.isArray(slot) && slot.includes(nested.stmt));
      if (list) list.splice(list.indexOf(nested.stmt), 1, ...replacement);
      else replaceChild(holder, nested.stmt, replacement.length === 1 ? replacement[0] : j.blockStatement(replacement));
    }
  };

  type Site = { kind: 'status'; value: Node } | { kind: 'chain'; chain: Chain } | { kind: 'unanswered' };
  const siteOf = (stmt: Node): Site | null => {
    const expr = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
    if (!expr) return null;
    const value = stmt.type === 'ExpressionStatement' ? statusAssignment(expr, resName) : null;
    if (value) return { kind: 'status', value };
    const chain = chainOf(expr, resName, opts);
    if (!chain) return null;
    if (stmt.type === 'ReturnStatement' && !chain.terminal) return unansweredReturn(stmt, chain) ? { kind: 'unanswered' } : null;
    return { kind: 'chain', chain };
  };

  // `res.statusCode` reads (logging, conditions, messages) read the status variable; done first so that the
  // responses built from text below already contain it.
  if (statusName) {
    for (const ref of referencesTo(body, resName)) {
      const { parent, ancestors } = ref;
      const grand = ancestors[ancestors.length - 2];
      const isRead = parent.type === 'MemberExpression' && isIdent(parent.property, 'statusCode') && !parent.computed && !(grand.type === 'AssignmentExpression' && grand.left === parent);
      if (isRead) replaceChild(grand, parent, j.identifier(statusName));
    }
  }
  out.body = rewriteList(body, true, false);
  rewriteNestedHeaderCalls(out.body);
  // A guard's or a .catch callback's answer (guard-helpers.ts, catch-answers.ts) went out with the headers set on
  // res before it, in Pages: getServerSession's cookies, a CORS header.
  if (headersName) {
    walk(j.blockStatement(out.body), (node) => {
      const value = guardAnswerValue(node);
      if (!value) return;
      out.uses.add('withHeaders');
      node.consequent = snip.statements(`return withHeaders(${value}.response, ${headersName})${END}`)[0];
    }, true);
  }

  for (const ref of referencesTo(out.body, resName)) {
    out.escape = { line: ref.node.loc?.start.line, ...describeEscape(ref.parent, ref.ancestors) };
    return out;
  }
  return out;
}

/**
 * The statement a `res` reference inside a nested function heads when it is a header-only call chain there
 * (`res.setHeader(…)`, `.appendHeader`, `.removeHeader`, chained, as a whole statement of that function): no status,
 * no answer. Anything else on `res` in a nested function is left to describeEscape.
 */
function nestedHeaderStatement(ref: Reference, resName: string, opts: Pick<ResponseOptions, 'helpers' | 'answerCalls'>): { stmt: Node; chain: Chain } | null {
  const innermost = ref.ancestors.findLastIndex(isFunction);
  const at = ref.ancestors.findLastIndex((a) => a.type === 'ExpressionStatement' || a.type === 'ReturnStatement');
  if (innermost < 0 || at < innermost) return null;
  const stmt = ref.ancestors[at];
  if (stmt.type !== 'ExpressionStatement' || !chainRootIs(stmt.expression, ref.node)) return null;
  const chain = chainOf(stmt.expression, resName, opts);
  if (!chain || chain.terminal || chain.links.length === 0 || !chain.links.every((l) => HEADER_CALLS.has(l.name))) return null;
  return { stmt, chain };
}

function chainRootIs(expr: Node, ref: Node): boolean {
  let n = unwrap(expr);
  if (n?.type === 'AwaitExpression') n = unwrap(n.argument);
  while (n?.type === 'CallExpression' && n.callee.type === 'MemberExpression') n = unwrap(n.callee.object);
  return n === ref;
}

/**
 * Work after a send that can move into after() or before the return: it sends nothing, does not jump, and cannot run
 * a header call. In Pages a header set after the answer did nothing (Next ignores setHeader then) or threw
 * (appendHeader, removeHeader: ERR_HTTP_HEADERS_SENT) and stopped the work there, which the tool does not tell apart.
 * So work that uses res at all (the route's headers where a call was handed res, as next-auth's
 * `getServerSession(…, nextAuthResponse(headers), …)`; a nested header call too), that names a function of the
 * handler that sets headers (`mark()` of `const mark = () => res.setHeader(…)`), or that calls anything while such a
 * function was handed on (noteHeaderFunction), stays where it was, ended by the send.
 */
function isTrailingWork(rest: Node[], resNames: Array<string | null>, headerFunctions: { names: Set<string>; unnamed: boolean }): boolean {
  if (resNames.some((name) => name && referencesTo(rest, name).length)) return false;
  let jumps = false;
  let calls = false;
  let reaches = false;
  for (const s of rest)
    walk(s, (n) => {
      if (isFunction(n)) return false;
      if (n.type === 'ReturnStatement' || n.type === 'BreakStatement' || n.type === 'ContinueStatement') jumps = true;
      if (n.type === 'CallExpression' || n.type === 'NewExpression' || n.type === 'TaggedTemplateExpression') calls = true;
      if (n.type === 'Identifier' && headerFunctions.names.has(n.name)) reaches = true;
    });
  return !jumps && !reaches && !(headerFunctions.unnamed && calls);
}

/**
 * Records the function of `body` that a nested header call sits in: the name it is called by (`const mark = () =>
 * …`, `function mark()`), when every use of that name is a direct call; else that any call may reach it.
 */
function noteHeaderFunction(ref: Reference, body: Node[], found: { names: Set<string>; unnamed: boolean }): void {
  const at = ref.ancestors.findIndex(isFunction);
  const fn = ref.ancestors[at];
  const holder = ref.ancestors[at - 1];
  const name = fn?.type === 'FunctionDeclaration' ? fn.id?.name : holder?.type === 'VariableDeclarator' && holder.init === fn && holder.id.type === 'Identifier' ? holder.id.name : null;
  // Its other header calls were noted with the first: one look at the name's uses is enough.
  if (name && found.names.has(name)) return;
  const onlyCalled = name && referencesTo(body, name).every((use) => (use.parent.type === 'CallExpression' && use.key === 'callee') || (use.key === 'id' && (use.parent === fn || use.parent === holder)));
  if (name && onlyCalled) found.names.add(name);
  else found.unnamed = true;
}

function containsAwait(stmts: Node[]): boolean {
  let found = false;
  for (const s of stmts)
    walk(s, (n) => {
      if (isFunction(n)) return false;
      if (n.type === 'AwaitExpression' || (n.type === 'ForOfStatement' && n.await)) found = true;
    });
  return found;
}



/** Why `res` cannot be rewritten where it is used, and the reason code: a send inside an expression has its own. */
function describeEscape(parent: Node, ancestors: Node[]): { detail: string; reason: Reason } {
  const escapes = (detail: string) => ({ detail, reason: 'RES_ESCAPES' as const });
  if (ancestors.some(isFunction)) return escapes('res is used inside a callback');
  // res.status(…).json(…) reached through its chain, but not as a statement of its own.
  let top = parent;
  for (let i = ancestors.length - 1; i >= 0 && (top.type === 'MemberExpression' || top.type === 'CallExpression'); i--) {
    const up = ancestors[i];
    if (top.type === 'CallExpression' && TERMINALS.has(top.callee?.property?.name) && up.type !== 'ExpressionStatement' && up.type !== 'ReturnStatement' && up.type !== 'AwaitExpression') {
      // `ok ? res.json(a) : res.end()`
      return { detail: 'a response is sent from inside an expression', reason: 'SEND_IN_EXPRESSION' };
    }
    // `res.end(text, () => …)`: the callback ran once the answer had gone out.
    if (top.type === 'CallExpression' && top.callee?.property?.name === 'end' && !endFollowed(top.arguments)) return escapes('res.end with a callback or arguments other than a chunk and its encoding');
    top = up;
  }
  if (parent.type === 'CallExpression' || parent.type === 'NewExpression') return escapes(passedTo('res', parent));
  if (parent.type === 'MemberExpression' && !parent.computed && parent.property.type === 'Identifier') return escapes(`res.${parent.property.name}`);
  return escapes(`res used in a ${parent.type}`);
}
