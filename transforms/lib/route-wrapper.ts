/**
 * A project wrapper around Pages handlers (`export function withAuth(handler) { return async (req, res) => {…} }`)
 * turned into its route-handler version: `(handler) => async (request, context) => Response`, where every
 * `handler(req, res)` call becomes `handler(request, context)` and every send returns a Response. Routes then export
 * `export const GET = withAuthRoute(GET handler)`.
 *
 * Only wrappers whose whole behaviour carries over are rewritten; anything else returns why not (`{ why }`, a clause
 * the route's reason quotes) and the routes that use them stay in place:
 * - the outer function only returns the inner one (setup code there would run once per method export, not once);
 * - the inner function takes plain `(req, res)` and calls the handler only as `handler(req, res, …extra)`: the extra
 *   arguments (`session.user`) follow the request and the context in the twin, `handler(request, context, …extra)`;
 * - it never reads `req.body` (a request body can be read once, and the handler reads it after the wrapper); it reads
 *   fields of `req.query` only (a local of the twin's, built from the request and the route's params in its context,
 *   which the handler would not see a change to);
 * - every path answers: a send, or the handler's own answer.
 *
 * A dispatcher of a method map (`withMiddlewares(handlers)`, calling `handlers[req.method](req, res)`) is turned the
 * same way (method-lookup.ts says which reads of the map it follows): its lookups stay as written, and the handler
 * they find is called with `(request, context)`.
 */
import type { JSCodeshift } from 'jscodeshift';
import { calleeLabel, END, freshNamerFor, isFunction, isIdent, isTypeScriptPath, memberName, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { uncastMemberObjects } from './request-casts.js';
import { redirectNestedRequestCalls, rewriteRequestOrWhy, type NestedRequestHelper, rewriteHelperTokenCalls } from './request-helper.js';
import { typedAny } from './request.js';
import { applyRecipes, callsSessionWithOptions, nextAuthHelpersFree, writesRouteCookies, NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE } from './recipes.js';
import { BEFORE_RETURN_NOTE, ENDS_HANDLER_NOTE, rewriteResponse, type ResponseHelper } from './response.js';
import { alwaysExits, methodReaderFor, methodsNamed } from './split-methods.js';
import { methodLookups } from './method-lookup.js';
import { namesDeclaredWithin } from './free-names.js';
import { structureKey } from './structure-key.js';
import { extrasUsed } from './request-extras.js';
import { foldAnswered, returnReturnedResults, sentReadsOnlyInCatches, takeHandlerResults } from './handler-results.js';

export interface RouteWrapper {
  /** The route-handler version, exported as `twinName`: a function declaration, or a const of the original's kind. */
  statement: Node;
  /** Position of the handler parameter. */
  handlerIndex: number;
  /** What the rewritten body imports: NextResponse, after, compat helpers. */
  uses: Set<string>;
  /** HTTP methods the wrapper itself tests for (`req.method === 'OPTIONS'`): routes export them too. */
  methods: string[];
  /** The twin's type annotations need `NextRequest`. */
  usesNextRequest: boolean;
  /** The most arguments it passes the handler after `(req, res)`: routes keep that many parameters after the context. */
  extraArgs: number;
  /** It takes a map of handlers by method (`withMiddlewares({ GET, POST })`) rather than one handler. */
  dispatcher: boolean;
  /** The module's own res helpers (of `moduleHelpers`) whose calls became calls of their twins. */
  helpersCalled: Set<string>;
  /**
   * It uses what the handler returns, or answers itself when the handler did not (handler-results.ts): the route's
   * handler must answer on every path it set headers on, and must not leave the answer for later (a callback).
   */
  keepsResult: boolean;
  /**
   * It reads whether res was sent (`if (!res.headersSent)` in a catch), which the twin reads as false: a route whose
   * handler runs code after its answer before returning it (Next.js before 15.1) may throw there after answering.
   */
  readsSent: boolean;
  /**
   * Its twin runs code after the handler's answer before returning it (no after() before Next.js 15.1): a wrapper
   * around it that reads res.headersSent as false would see that code's throw, which it saw as sent in Pages.
   */
  delaysAnswer: boolean;
  /**
   * Fields it sets on the request for the handler (`req.user = user`, request-extras.ts), each with its type for the
   * module's declaration on NextRequest (the wrapper's request type's, `any` without one; null in JavaScript).
   */
  requestExtras: Array<{ name: string; type: string | null }>;
  /** Fields it reads on the request without setting them (`req.user` that a wrapper around it set). */
  extrasRead: string[];
  /** The module's request helpers whose twins it calls (`verifySameOrigin(req)` in it). */
  nestedCalled: Set<string>;
  /** A factory of the wrapper (`requestMethod(['GET'])(handler)`, toCurriedRouteWrapper): its twin takes the same options first. */
  curried?: boolean;
  /** Its twin writes a library's cookies (next-auth's, the Supabase client's) into its own headers. */
  setsCookies: boolean;
  /** What the reports of its routes say of its request rewrite (request.ts: the socket's address). */
  notes: string[];
}

/**
 * What the module offers a wrapper's twin beyond its own code: its program (for the recipes, which read its imports)
 * and the request helpers of the module (and of modules it imports) that have twins.
 */
export interface WrapperModule {
  program: Node;
  /** The names the module declares and imports (for the recipes' compat names). */
  names: Set<string>;
  nested?: Map<string, NestedRequestHelper>;
}

/** Why a wrapper has no route-handler version: a clause (`it reads req.query`); `returned`, the call it returns instead of a function. */
export interface WrapperDeclined {
  why: string;
  returned?: Node;
}

/**
 * The `(req, res)` function the wrapper returns: an arrow's expression body, or its only statement `return fn`; else
 * why not.
 */
function innerFunction(fn: Node): Node | WrapperDeclined {
  const statements: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ReturnStatement', argument: fn.body }];
  const last = statements.at(-1);
  const returned = last?.type === 'ReturnStatement' && last.argument ? unwrap(last.argument) : null;
  const inner = isFunction(returned) && returned.type !== 'FunctionDeclaration' ? returned : null;
  if (inner && statements.length === 1) return inner;
  if (returned?.type === 'CallExpression') {
    const label = calleeLabel(returned.callee);
    return { why: `it returns the result of ${label ? `${label}(…)` : 'a call'}, not a (req, res) function`, returned };
  }
  // Setup code would run once per method export, where the Pages wrapper ran it once.
  if (inner) return { why: 'it runs setup code before returning its (req, res) function' };
  return { why: 'it does not return a (req, res) function' };
}

/**
 * A factory of a wrapper, curried: `(methods) => (handler) => (req, res) => …`, called `requestMethod(['GET'])(handler)`.
 * Its twin takes the same options and returns the twin of the wrapper it returns, `(methods) => (handler) => async
 * (request, context) => …`; routes call it as they called the original, `requestMethodRoute(['GET'])(GET)`. Only a
 * factory that does nothing but return the wrapper (setup code would run once per method export, where Pages ran it
 * once per call); its options are read by the twin as the wrapper read them.
 */
export function toCurriedRouteWrapper(j: JSCodeshift, snip: Snippets, factory: Node, modulePath: string, twinName: string, hasAfter: boolean, taken: Set<string>, moduleHelpers: Map<string, ResponseHelper> = new Map(), module?: WrapperModule): RouteWrapper | WrapperDeclined | null {
  const wrapper = innerFunction(factory);
  if ('why' in wrapper) return null;
  const inner = innerFunction(wrapper);
  if ('why' in inner) return null;
  // The options' names are the factory's: names the twin makes must not take them. (A module helper they shadow is
  // left out by toRouteWrapper, which reads the names the factory declares.)
  const optionNames = namesIn({ type: 'Program', body: factory.params });
  return toRouteWrapper(j, snip, wrapper, modulePath, twinName, hasAfter, new Set([...taken, ...optionNames]), moduleHelpers, module, factory);
}

/** The factory's twin: its options, then the wrapper's twin (`wrapperText`) returned. */
function factoryStatement(snip: Snippets, factory: Node, twinName: string, wrapperText: string, unit: string): Node[] {
  const async = factory.async ? 'async ' : '';
  const typeParams = factory.typeParameters ? snip.src(factory.typeParameters) : '';
  const params = factory.params.map((p: Node) => snip.src(p)).join(', ');
  const body = factory.body.type === 'BlockStatement' ? `{\n${unit}return ${wrapperText}${END}\n}` : wrapperText;
  if (factory.type === 'FunctionDeclaration') return snip.statements(`export ${async}function ${twinName}${typeParams}(${params}) ${body}`);
  const arrow = factory.type === 'ArrowFunctionExpression';
  return snip.statements(`export const ${twinName} = ${async}${arrow ? '' : 'function '}${typeParams}(${params}) ${arrow ? '=> ' : ''}${body}${factory.body.type === 'BlockStatement' ? '' : END}`);
}

/**
 * A read of `req.body`, `const { query, body } = req`, a change to `req.query` or another use of it than reading its
 * fields (see the file comment): the clause that says so, or null.
 */
function readsRouteData(body: Node, reqName: string): string | null {
  let found: string | null = null;
  walk(body, (node, parent, key) => {
    if (found) return false;
    const member = memberName(node) ?? '';
    const isMember = (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && isIdent(node.object, reqName);
    if (isMember && member === 'body') found = `it reads ${reqName}.body`;
    // The twin reads the query into a local of its own: the handler would not see a change made to it, nor what a
    // function it is passed to did with it.
    if (isMember && member === 'query' && !readsQueryField(node, parent, key)) found = `it uses ${reqName}.query other than by reading its fields`;
    const target = node.type === 'AssignmentExpression' ? node.left : node.type === 'UpdateExpression' || (node.type === 'UnaryExpression' && node.operator === 'delete') ? node.argument : null;
    if (target && writesQueryOf(target, reqName)) found = `it changes ${reqName}.query, which the handler reads after it`;
    if (node.type === 'VariableDeclarator' && isIdent(unwrap(node.init), reqName) && node.id.type !== 'Identifier') found = `it reads ${reqName}'s fields by destructuring`;
    return undefined;
  });
  return found;
}

/** Whether `query` (`req.query`) is read there: `req.query.id`, `req.query[key]`, `const { id } = req.query`. */
function readsQueryField(query: Node, parent: Node | null, key: string): boolean {
  if (parent?.type === 'VariableDeclarator' && key === 'init') return parent.id.type === 'ObjectPattern';
  return (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'object';
}

/** Whether the write target `target` lies in `req.query`: `req.query.id`, `req.query.a.b`. */
function writesQueryOf(target: Node, reqName: string): boolean {
  for (let node = unwrap(target); node?.type === 'MemberExpression' || node?.type === 'OptionalMemberExpression'; node = unwrap(node.object)) {
    if (isIdent(node.object, reqName) && memberName(node) === 'query') return true;
  }
  return false;
}

/** What a use of the handler other than `handler(req, res, …)` does, for the reason; the stronger the lower `rank`. */
function otherUse(name: string, parent: Node | null, key: string | null): { rank: number; what: string } {
  if (parent?.type === 'SpreadElement') return { rank: 0, what: `spreads ${name} into another object` };
  if ((parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && key === 'arguments') return { rank: 1, what: `passes ${name} to ${calleeLabel(parent.callee) ?? 'a function'}()` };
  if (parent?.type === 'CallExpression' && key === 'callee') return { rank: 2, what: `calls ${name} with other arguments than (req, res, …)` };
  return { rank: 3, what: `uses ${name} other than by calling ${name}(req, res, …)` };
}

/**
 * Every use of the handler parameter is a `handler(req, res, …extra)` call: returns those calls, or why not (the
 * strongest other use). The extra arguments may not mention `res` (the twin has no response object to give).
 */
function handlerCalls(body: Node, handlerName: string, reqName: string, resName: string): Node[] | { other: string } {
  const calls: Node[] = [];
  const other = { rank: Infinity, what: '' };
  walk(body, (node, parent, key) => {
    if (!isIdent(node, handlerName)) return undefined;
    if ((parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) || (parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) return undefined;
    const args: Node[] = parent?.arguments ?? [];
    const extra = args.slice(2);
    const plainExtra = extra.every((a) => a.type !== 'SpreadElement' && !namesIn(a).has(resName));
    // `handler(req as AuthedRequest, res)`: the cast goes with the Pages type (the twin passes the request itself).
    if (parent?.type === 'CallExpression' && key === 'callee' && args.length >= 2 && isIdent(unwrap(args[0]), reqName) && isIdent(args[1], resName) && plainExtra) calls.push(parent);
    else {
      const use = otherUse(handlerName, parent, key);
      if (use.rank < other.rank) Object.assign(other, use);
    }
    return undefined;
  });
  return other.what ? { other: other.what } : calls;
}

/**
 * The twin's handler type in TypeScript: `(request: NextRequest, context: Context, …extra) => Response | …`. The extra
 * parameters keep the types the original handler type gave them (`user: SessionUser`); without such a function type,
 * they are `any`, as they were to the original. The handler may return nothing: a path where the Pages handler sent
 * nothing (`if (!session) return;` after a guard) returns nothing in its route-handler version too.
 */
const HANDLER_RESULT = 'Response | undefined | Promise<Response | undefined>';

/**
 * What a handler returns to a wrapper that sends its value (handler-results.ts): an answer, or any data. `any`, not
 * `unknown`: the wrapper's code reads the value as the original's handler type gave it (`result.items`), which the
 * twin cannot restate.
 */
const HANDLER_VALUE = 'any';

function handlerTypeText(snip: Snippets, original: Node | undefined, contextType: string, extraArgs: number, returnsValue: boolean): string {
  const result = returnsValue ? HANDLER_VALUE : HANDLER_RESULT;
  if (extraArgs === 0) return `(request: NextRequest, context: ${contextType}) => ${result}`;
  const type = original?.typeAnnotation?.typeAnnotation;
  const params: Node[] | undefined = type?.type === 'TSFunctionType' ? (type.parameters ?? type.params) : undefined;
  const extraParams = params && params.length >= 2 + extraArgs ? params.slice(2) : null;
  const extra = extraParams ? extraParams.map((p: Node) => snip.src(p)) : ['...args: any[]'];
  // A function type's parameter names are labels, but two alike are an error: an extra one may be named `context`.
  const labels = new Set((extraParams ?? []).flatMap((p: Node) => [...namesIn(p)]));
  const label = (base: string) => [base, `route${base[0].toUpperCase()}${base.slice(1)}`, `${base}_`].find((name) => !labels.has(name))!;
  return `(${[`${label('request')}: NextRequest`, `${label('context')}: ${contextType}`, ...extra].join(', ')}) => ${result}`;
}

/**
 * `return handler(request, context)` inside a `try` becomes `return await …`: the handler's answer is a promise, and
 * without the await its rejection would pass the `catch` that handled the Pages handler's throw.
 */
function awaitAnswersInTry(j: JSCodeshift, snip: Snippets, statements: Node[], isAnswer: (callee: Node) => boolean): void {
  walk(j.blockStatement(statements), (node) => {
    if (node.type !== 'TryStatement') return undefined;
    walk(node.block, (inner) => {
      if (isFunction(inner)) return false;
      for (const key of ['body', 'consequent', 'alternate']) {
        const list: Node[] | Node | undefined = inner[key];
        const items = Array.isArray(list) ? list : list ? [list] : [];
        items.forEach((stmt, i) => {
          const arg = stmt?.type === 'ReturnStatement' ? stmt.argument : null;
          if (arg?.type !== 'CallExpression' || !isAnswer(arg.callee)) return;
          // From text, as the rest of the twin: a changed node would be reprinted in recast's style.
          const [awaited] = snip.statements(`return await ${snip.src(arg)}${END}`);
          if (Array.isArray(list)) list[i] = awaited;
          else inner[key] = awaited;
        });
      }
      return undefined;
    });
    return undefined;
  }, true);
}

/**
 * The fields of `extras` with their types (see RouteWrapper): `Req['user']` of the wrapper's request type `Req`, unless
 * it names something of the wrapper's own (`fn`'s type parameter `R`, a type declared in it), which the declaration at
 * the module's top level cannot see; `any` then.
 */
function extraTypes(snip: Snippets, extras: Set<string>, reqParam: Node, typescript: boolean, fn: Node): Array<{ name: string; type: string | null }> {
  const annotation = reqParam.typeAnnotation?.typeAnnotation;
  const own = namesDeclaredWithin(fn);
  walk(fn, (node) => {
    if (node.type === 'TSTypeParameter') own.add(typeof node.name === 'string' ? node.name : node.name?.name);
    if (node.type === 'TSTypeAliasDeclaration' || node.type === 'TSInterfaceDeclaration') own.add(node.id.name);
    return undefined;
  });
  let named = true;
  if (annotation) walk(annotation, (node) => {
    if (node.type !== 'TSTypeReference' && node.type !== 'TSTypeQuery') return undefined;
    let name = node.typeName ?? node.exprName;
    while (name?.type === 'TSQualifiedName') name = name.left;
    if (!isIdent(name) || own.has(name.name)) named = false;
    return undefined;
  });
  // NextApiRequest has no such field: the Pages code wrote it untyped (or through a type error).
  const requestType = annotation && named && !(annotation.type === 'TSTypeReference' && isIdent(annotation.typeName, 'NextApiRequest')) ? snip.src(annotation) : null;
  const indexed = requestType && /^[\w$.]+$/.test(requestType) ? requestType : requestType ? `(${requestType})` : null;
  return [...extras].sort().map((name) => ({ name, type: !typescript ? null : indexed ? `${indexed}['${name}']` : 'any' }));
}

/**
 * The route-handler version of the wrapper `fn` (a copy: its body is changed in place), or why it has none.
 * `taken`: names already used in the module; `twinName`: the name a function declaration gets. `moduleHelpers`: the
 * module's own functions that take res and always answer (or only set headers), each renamed to its twin, so that
 * `return methodNotAllowed(res, allowed)` in the wrapper becomes `return methodNotAllowedResponse(allowed)`.
 */
export function toRouteWrapper(j: JSCodeshift, snip: Snippets, fn: Node, modulePath: string, twinName: string, hasAfter: boolean, taken: Set<string>, moduleHelpers: Map<string, ResponseHelper> = new Map(), module?: WrapperModule, factory?: Node): RouteWrapper | WrapperDeclined {
  const typescript = isTypeScriptPath(modulePath);
  const tsx = modulePath.endsWith('.tsx');
  // The module's indentation unit, read from the body before it changes (changed code is reprinted in recast's style,
  // and so is a parameter list on several lines).
  const unit = /\n([ \t]+)\S/.exec(snip.src(fn.body))?.[1] ?? '  ';
  const inner = innerFunction(fn);
  if ('why' in inner) return inner;
  if (!fn.params.some((p: Node) => p.type === 'Identifier')) return { why: 'it takes no handler parameter' };
  if (inner.params.length !== 2 || !inner.params.every((p: Node) => p.type === 'Identifier')) return { why: 'its returned function does not take plain (req, res)' };
  const [reqName, resName] = inner.params.map((p: Node) => p.name as string);
  const innerBody: Node[] = inner.body.type === 'BlockStatement' ? inner.body.body : [j.returnStatement(inner.body)];
  const block = j.blockStatement(innerBody);
  // `(req as AuthedRequest).auth = …`: the twin's request has its own type, which the fields the wrapper sets extend
  // (request-extras.ts).
  uncastMemberObjects(block, reqName, module?.program ?? { body: [] });
  // The handler is the parameter called with (req, res): the first that is, or the first plain one (options may come
  // first: `withRole(role, handler)`).
  const tried: Array<{ index: number; found: ReturnType<typeof handlerCalls> }> = fn.params.flatMap((p: Node, index: number) => (p.type === 'Identifier' ? [{ index, found: handlerCalls(block, p.name, reqName, resName) }] : []));
  const { index: handlerIndex, found } = tried.find((t) => Array.isArray(t.found) && t.found.length > 0) ?? tried[0];
  const handlerName = fn.params[handlerIndex].name;
  const routeData = readsRouteData(block, reqName);
  if (routeData) return { why: routeData };
  const calls = Array.isArray(found) ? found : null;
  // Not a wrapper of one handler: maybe a dispatcher of a method map (`handlers[req.method](req, res)`).
  const lookups = calls ? null : methodLookups(block, handlerName, reqName, resName);
  if (!calls?.length && !lookups) return { why: calls ? `it never calls ${handlerName}` : `it ${(found as { other: string }).other}` };
  const extraArgs = calls ? Math.max(...calls.map((call) => call.arguments.length - 2)) : 0;

  const methods = methodsNamed(block, methodReaderFor(reqName, innerBody, [], (_from, to) => to));
  const fresh = freshNamerFor(fn, taken, reqName);
  const requestName = fresh('request');
  const contextName = fresh('context');
  // The request goes to the handler as it is, and the context after it; rewriteResponse turns the call into an answer
  // and drops `res` from it.
  const handlerCallsFound = calls ?? [...lookups!.aliasCalls, ...lookups!.directCalls];
  // Calls whose value the wrapper keeps (`const result = await handler(req, res)`) answer through a test of it.
  if (calls) returnReturnedResults(j, innerBody, calls);
  const { taken: results, runsOn, values } = calls ? takeHandlerResults(j, snip, innerBody, calls, { res: resName, request: requestName, context: contextName }, fresh) : { taken: new Set<Node>(), runsOn: false, values: new Set<string>() };
  // Reads of whether res was sent after a handler call answered through the response rewrite stay: that one is a
  // return, and Pages ran what follows it after the answer.
  // So too in a `catch` around a handler call the twin returns (`try { await handler(req, res) } catch (e) { if
  // (!res.headersSent) … }`): it runs only on a throw before any answer.
  const sentReads = calls && (results.size === calls.length || sentReadsOnlyInCatches(innerBody, resName, calls)) ? foldAnswered(j, innerBody, resName) : 0;
  for (const call of handlerCallsFound.filter((c) => !results.has(c))) call.arguments = [j.identifier(requestName), call.arguments[1], j.identifier(contextName), ...call.arguments.slice(2)];
  // `const h: NextApiHandler = handlers[req.method]` holds a route handler now: its type goes.
  for (const alias of lookups?.aliases ?? []) alias.id.typeAnnotation = null;
  // `verifySameOrigin(req)` of the module: its twin's call with the request. Then the recipes' stand-ins for req and
  // res (next-auth's getServerSession, the Supabase client), whose cookies go into the twin's headers, and from there
  // into its answers, the handler's too, as they went out on res in Pages. A recipe that needs an import (a module
  // Pages code imports may not import next/headers) leaves the wrapper.
  // Session helpers of other modules with no twin (a Supabase one) get the compat stand-ins, when the module's names
  // for them are free.
  const shim = { res: resName, used: false };
  // A module helper whose name the wrapper (or its factory's options) declares again is not the helper there.
  const shadowing = namesDeclaredWithin(factory ?? fn);
  const nested = module?.nested ? new Map([...module.nested].filter(([name]) => !shadowing.has(name))) : null;
  const nestedCalled = nested?.size ? redirectNestedRequestCalls(innerBody, reqName, requestName, nested, nextAuthHelpersFree(module!.program, module!.names) ? shim : undefined) : new Set<string>();
  // next-auth's getToken({ req }): given next-auth's request, as in a handler.
  const tokenUses = module ? rewriteHelperTokenCalls(snip, module.program, innerBody, reqName, requestName, module.names) : null;
  const recipes = module ? applyRecipes(snip, module.program, [block], reqName, resName, { request: requestName, taken: module.names }) : null;
  if (recipes?.imports.size) return { why: `a library call in it needs an import in its App Router form (${[...recipes.imports.keys()].join(', ')})` };
  // In a callback, getServerSession has no route headers to write into: its one-argument form sets no cookies, which
  // a handler's route says in a note, and a wrapper's twin would not.
  if (module && callsSessionWithOptions(module.program, block)) return { why: 'it calls getServerSession in a callback, where its route-handler form sets no cookies' };
  // Fields it sets on req for the handler stay fields of the request it passes on.
  // Fields it only reads were set by a wrapper around it: the route checks that one does.
  const extras = extrasUsed(block, reqName);
  const paramsName = fresh('params');
  const request = rewriteRequestOrWhy(innerBody, snip, reqName, requestName, fresh, { typescript, anyTyped: typedAny(inner.params[0]), extras: new Set([...extras.written, ...extras.read]), params: paramsName });
  if ('why' in request) return { why: request.why };
  // Its query reads take the route's params from the context, which its twin is generic in.
  if (request.usesParams) request.prelude.unshift(...snip.statements(`const ${paramsName} = await ${typescript ? `(${contextName} as { params?: any })` : contextName}.params${END}`));
  const answer = { resIndex: 1, statuses: [null], promised: true };
  // A module helper whose name the wrapper declares again is not the helper there: it is left out.
  const declared = shadowing;
  const ownHelpers = [...moduleHelpers].filter(([name]) => !declared.has(name));
  const helpers = new Map<string, ResponseHelper>([...ownHelpers, ...(calls ? [[handlerName, answer]] : lookups!.aliases.map((alias) => [alias.id.name, answer]))] as Array<[string, ResponseHelper]>);
  // A direct `handlers[request.method](…)` has no callee name to know it by: rewriteResponse is given the call itself.
  const directCalls = lookups?.directCalls ?? [];
  const answerCalls = new Map<Node, ResponseHelper>(directCalls.map((call) => [call, answer]));
  const response = rewriteResponse(innerBody, { j, snip, resName, hasAfter, fresh, helpers, answerCalls, maybeUndefined: values });
  const statements = [...request.prelude, ...response.prelude, ...response.body];
  if (response.escape) return { why: runsOn ? `it runs code after ${handlerName}(${reqName}, ${resName}) once the handler answered, which the route would not run` : response.escape.detail };
  // A send or a handler call that Pages went on from (`await handler(req, res); try { await audit() } …`): the twin
  // returns there, and would not run what follows. A handler's route says so in a note; a wrapper's twin serves many.
  const cut = response.notes.find((note) => note.endsWith(ENDS_HANDLER_NOTE));
  if (cut) return { why: `it goes on after an answer (${cut.replace(`: ${ENDS_HANDLER_NOTE}`, '')} of its module), which its twin would not` };
  // Moved into after() or before the return, code that read res.headersSent would read false where Pages read true
  // (handler-results.ts).
  if (sentReads && response.notes.some((note) => note.startsWith('code that ran after the response'))) return { why: `it reads ${resName}.headersSent after a send` };
  // Headers or a status set before the handler's call went out with the handler's own answer in Pages, which the
  // twin returns as it is.
  if (results.size && response.prelude.length) return { why: `it sets headers or a status before ${handlerName}(${reqName}, ${resName}), whose value it keeps` };
  if (!statements.some(alwaysExits)) return { why: 'a path of it neither answers nor returns the handler\'s answer' };
  // The answers are built from text: a lookup's answer is known by its callee's code.
  const answerNames = new Set([...helpers.keys(), ...ownHelpers.map(([, helper]) => helper.rename!).filter(Boolean)]);
  const lookupCallees = new Set(directCalls.map((call) => structureKey(call.callee)));
  awaitAnswersInTry(j, snip, statements, (callee) => (callee.type === 'Identifier' ? answerNames.has(callee.name) : lookupCallees.size > 0 && lookupCallees.has(structureKey(callee))));

  const contextType = typescript ? fresh('Context') : null;
  // Built from text, as the rest of the generated code, so that it is printed in the module's own style. Generic in the
  // context, so that each route's own context type (its params) flows through the wrapper.
  const typeParams = contextType ? [...(fn.typeParameters?.params ?? []).map((p: Node) => snip.src(p)), contextType] : [];
  const typeParamText = typeParams.length ? `<${typeParams.join(', ')}${tsx && typeParams.length === 1 ? ',' : ''}>` : '';
  const routeHandlerType = contextType ? handlerTypeText(snip, fn.params[handlerIndex], contextType, extraArgs, results.size > 0) : '';
  const handlerType = !contextType ? '' : lookups ? `: Partial<Record<string, ${routeHandlerType}>>` : `: ${routeHandlerType}`;
  const params = fn.params.map((p: Node, i: number) => (i === handlerIndex ? `${handlerName}${handlerType}` : snip.src(p))).join(', ');
  const innerParams = `${requestName}${contextType ? ': NextRequest' : ''}, ${contextName}${contextType ? `: ${contextType}` : ''}`;
  // The body goes in as text too: a statement changed inside a nested function would be reprinted in recast's style.
  // Snippets print verbatim, so the text carries the module's indentation (print.ts restores template literal text).
  const depth = (fn.body.type === 'BlockStatement' ? 1 : 0) + (factory?.body.type === 'BlockStatement' ? 1 : 0);
  const indent = (text: string, levels: number) => text.replace(/^(?=.)/gm, unit.repeat(levels));
  const bodyText = `{\n${statements.map((st) => indent(snip.src(st), depth + 1)).join('\n')}\n${unit.repeat(depth)}}`;
  const innerText = inner.type === 'ArrowFunctionExpression' ? `async (${innerParams}) => ${bodyText}` : `async function ${inner.id ? inner.id.name : ''}(${innerParams}) ${bodyText}`;
  const outerBody = fn.body.type === 'BlockStatement' ? `{\n${unit.repeat(depth)}return ${innerText}${END}\n${unit.repeat(depth - 1)}}` : innerText;
  const async = fn.async ? 'async ' : '';
  const [statement] = factory
    ? factoryStatement(snip, factory, twinName, `${async}${fn.type === 'ArrowFunctionExpression' ? '' : 'function '}${typeParamText}(${params}) ${fn.type === 'ArrowFunctionExpression' ? '=> ' : ''}${outerBody}`, unit)
    : fn.type === 'FunctionDeclaration'
      ? snip.statements(`export ${async}function ${twinName}${typeParamText}(${params}) ${outerBody}`)
      : snip.statements(`export const ${twinName} = ${async}${fn.type === 'FunctionExpression' ? 'function ' : ''}${typeParamText}(${params}) ${fn.type === 'FunctionExpression' ? '' : '=> '}${outerBody}${fn.body.type === 'BlockStatement' ? '' : END}`);
  return { ...(factory ? { curried: true } : {}), statement, methods, handlerIndex, uses: new Set([...request.compat, ...response.uses, ...(recipes?.compat ?? []), ...(tokenUses ?? []), ...(shim.used ? [NEXT_AUTH_REQUEST, NEXT_AUTH_RESPONSE] : [])]), usesNextRequest: !!contextType, extraArgs, dispatcher: !!lookups, helpersCalled: new Set([...response.helpersCalled].filter((name) => moduleHelpers.has(name))), keepsResult: results.size > 0, readsSent: sentReads > 0, delaysAnswer: response.notes.some((note) => note.startsWith(BEFORE_RETURN_NOTE)), requestExtras: extraTypes(snip, extras.written, inner.params[0], typescript, fn), extrasRead: [...extras.read].sort(), nestedCalled, setsCookies: writesRouteCookies(recipes?.compat) || shim.used, notes: request.notes };
}
