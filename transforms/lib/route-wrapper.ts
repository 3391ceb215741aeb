/**
 * A project wrapper around Pages handlers (`export function withAuth(handler) { return async (req, res) => {…} }`)
 * turned into its route-handler version: `(handler) => async (request, context) => Response`, where every
 * `handler(req, res)` call becomes `handler(request, context)` and every send returns a Response. Routes then export
 * `export const GET = withAuthRoute(GET handler)`.
 *
 * Only wrappers whose whole behaviour carries over are rewritten; anything else returns null and the routes that use
 * them stay in place:
 * - the outer function only returns the inner one (setup code there would run once per method export, not once);
 * - the inner function takes plain `(req, res)` and calls the handler only as `handler(req, res)`;
 * - it never reads `req.query` (route params differ per route) nor `req.body` (a request body can be read once, and
 *   the handler reads it after the wrapper);
 * - every path answers: a send, or the handler's own answer.
 */
import type { JSCodeshift } from 'jscodeshift';
import { END, freshName, isFunction, isIdent, isTypeScriptPath, memberName, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { rewriteRequestForAnyRoute } from './request-helper.js';
import { rewriteResponse } from './response.js';
import { alwaysExits, methodReaderFor, methodsNamed } from './split-methods.js';

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
}

/** The `(req, res)` function the wrapper returns: an arrow's expression body, or its only statement `return fn`. */
function innerFunction(fn: Node): Node | null {
  if (fn.body.type !== 'BlockStatement') return isFunction(unwrap(fn.body)) ? unwrap(fn.body) : null;
  const [only, ...rest] = fn.body.body;
  if (rest.length || only?.type !== 'ReturnStatement' || !only.argument) return null;
  const inner = unwrap(only.argument);
  return isFunction(inner) && inner.type !== 'FunctionDeclaration' ? inner : null;
}

/** Reads of `req.query` / `req.body`, or `const { query, body } = req`: see the file comment. */
function readsRouteData(body: Node, reqName: string): boolean {
  let found = false;
  walk(body, (node) => {
    if (found) return false;
    if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && isIdent(node.object, reqName) && ['query', 'body'].includes(memberName(node) ?? '')) found = true;
    if (node.type === 'VariableDeclarator' && isIdent(unwrap(node.init), reqName) && node.id.type !== 'Identifier') found = true;
    return undefined;
  });
  return found;
}

/** Every use of the handler parameter is a `handler(req, res)` call: returns those calls, or null. */
function handlerCalls(body: Node, handlerName: string, reqName: string, resName: string): Node[] | null {
  const calls: Node[] = [];
  let other = false;
  walk(body, (node, parent, key) => {
    if (!isIdent(node, handlerName)) return undefined;
    if ((parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) || (parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) return undefined;
    const args = parent?.arguments ?? [];
    if (parent?.type === 'CallExpression' && key === 'callee' && args.length === 2 && isIdent(args[0], reqName) && isIdent(args[1], resName)) calls.push(parent);
    else other = true;
    return undefined;
  });
  return other ? null : calls;
}

/**
 * The route-handler version of the wrapper `fn` (a copy: its body is changed in place), or null.
 * `taken`: names already used in the module; `twinName`: the name a function declaration gets.
 */
export function toRouteWrapper(j: JSCodeshift, snip: Snippets, fn: Node, modulePath: string, twinName: string, hasAfter: boolean, taken: Set<string>): RouteWrapper | null {
  const typescript = isTypeScriptPath(modulePath);
  const tsx = modulePath.endsWith('.tsx');
  const inner = innerFunction(fn);
  const handlerIndex = fn.params.findIndex((p: Node) => p.type === 'Identifier');
  if (!inner || handlerIndex < 0 || inner.params.length !== 2 || !inner.params.every((p: Node) => p.type === 'Identifier')) return null;
  const handlerName = fn.params[handlerIndex].name;
  const [reqName, resName] = inner.params.map((p: Node) => p.name as string);
  const innerBody: Node[] = inner.body.type === 'BlockStatement' ? inner.body.body : [j.returnStatement(inner.body)];
  const block = j.blockStatement(innerBody);
  if (readsRouteData(block, reqName)) return null;
  const calls = handlerCalls(block, handlerName, reqName, resName);
  if (!calls?.length) return null;

  const methods = methodsNamed(block, methodReaderFor(reqName, innerBody, [], (_from, to) => to));
  const names = new Set([...taken, ...namesIn(fn)]);
  names.delete(reqName);
  const fresh = (base: string) => freshName(base, names);
  const requestName = fresh('request');
  const contextName = fresh('context');
  // The request goes to the handler as it is, and the context after it; rewriteResponse turns the call into an answer
  // and drops `res` from it.
  for (const call of calls) call.arguments = [j.identifier(requestName), call.arguments[1], j.identifier(contextName)];
  const request = rewriteRequestForAnyRoute(innerBody, snip, reqName, requestName, fresh);
  if (!request) return null;
  const helpers = new Map([[handlerName, { resIndex: 1, statuses: [null] }]]);
  const response = rewriteResponse(innerBody, { j, snip, resName, hasAfter, fresh, helpers });
  const statements = [...request.prelude, ...response.prelude, ...response.body];
  if (response.escape || !statements.some(alwaysExits)) return null;

  const contextType = typescript ? freshName('Context', names) : null;
  // Built from text, as the rest of the generated code, so that it is printed in the module's own style. Generic in the
  // context, so that each route's own context type (its params) flows through the wrapper.
  const typeParams = contextType ? [...(fn.typeParameters?.params ?? []).map((p: Node) => snip.src(p)), contextType] : [];
  const typeParamText = typeParams.length ? `<${typeParams.join(', ')}${tsx && typeParams.length === 1 ? ',' : ''}>` : '';
  const handlerType = contextType ? `: (request: NextRequest, context: ${contextType}) => Response | Promise<Response>` : '';
  const params = fn.params.map((p: Node, i: number) => (i === handlerIndex ? `${handlerName}${handlerType}` : snip.src(p))).join(', ');
  const innerParams = `${requestName}${contextType ? ': NextRequest' : ''}, ${contextName}${contextType ? `: ${contextType}` : ''}`;
  // The body goes in as text too: a statement changed inside a nested function would be reprinted in recast's style.
  // Snippets print verbatim, so the text carries the module's indentation (print.ts restores template literal text).
  const unit = /\n([ \t]+)\S/.exec(snip.src(fn))?.[1] ?? '  ';
  const depth = fn.body.type === 'BlockStatement' ? 1 : 0;
  const indent = (text: string, levels: number) => text.replace(/^(?=.)/gm, unit.repeat(levels));
  const bodyText = `{\n${statements.map((st) => indent(snip.src(st), depth + 1)).join('\n')}\n${unit.repeat(depth)}}`;
  const innerText = inner.type === 'ArrowFunctionExpression' ? `async (${innerParams}) => ${bodyText}` : `async function ${inner.id ? inner.id.name : ''}(${innerParams}) ${bodyText}`;
  const outerBody = fn.body.type === 'BlockStatement' ? `{\n${unit}return ${innerText}${END}\n}` : innerText;
  const async = fn.async ? 'async ' : '';
  const [statement] =
    fn.type === 'FunctionDeclaration'
      ? snip.statements(`export ${async}function ${twinName}${typeParamText}(${params}) ${outerBody}`)
      : snip.statements(`export const ${twinName} = ${async}${fn.type === 'FunctionExpression' ? 'function ' : ''}${typeParamText}(${params}) ${fn.type === 'FunctionExpression' ? '' : '=> '}${outerBody}${fn.body.type === 'BlockStatement' ? '' : END}`);
  return { statement, methods, handlerIndex, uses: new Set([...request.compat, ...response.uses]), usesNextRequest: !!contextType };
}
