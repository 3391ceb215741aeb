/**
 * next-auth's advanced initialization with options built from the request:
 *
 *   export default async function auth(req, res) { return NextAuth(req, res, getAuthOptions(req)) }
 *
 * next-auth v4 takes the same call in a route handler, with the App Router request and the route context:
 * `NextAuth(request, context, options)`. The options then read the new request: each same-file function the
 * options pass `req` to (`getAuthOptions`) is rewritten to take it, as a project helper that takes `req` is
 * (transforms/lib/request-helper.ts), and reads of `req` in the options themselves are rewritten the same way.
 * Declined (null) when a read cannot be rewritten for any route (the query, the body), or when such a function has
 * other callers.
 */
import type { JSCodeshift } from 'jscodeshift';
import { countIdentifiers, cloneNode, isIdent, walk, type Node, type Snippets } from './ast.js';
import { resolveFunction } from './dispatch.js';
import { toRequestFunction } from './request-helper.js';

/** Stands for the request where the options pass it to a rewritten function, while the rest of `req` is rewritten. */
const PASSED_REQUEST = '__nextAuthRequest';

export interface RequestOptions {
  /** The route's request parameter, typed for TypeScript. */
  requestParam: Node;
  requestName: string;
  /** Statements the handler runs before calling NextAuth (reads of the request the options need). */
  prelude: Node[];
  /** The options, reading the new request. */
  options: Node;
  /** Compat helpers the options and the prelude import, and those the rewritten functions import. */
  uses: Set<string>;
  functionUses: Set<string>;
  /** Whether a rewritten function's parameter is typed NextRequest. */
  functionsUseNextRequest: boolean;
}

/** The names of the same-file functions `options` calls with `reqName` as an argument, or null for another use of one. */
function functionsPassedRequest(options: Node, reqName: string): string[] {
  const names = new Set<string>();
  walk(options, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.arguments.some((a: Node) => isIdent(a, reqName))) names.add(n.callee.name);
  });
  return [...names];
}

/**
 * Rewrites, in `program` (changed in place), the functions the options pass the request to, and returns the options
 * and the handler's request parameter; null when that cannot be done for any route. `handler` is the default
 * export's function, where the options are, which the route replaces.
 */
export function requestOptions(j: JSCodeshift, snip: Snippets, program: Node, handler: Node, options: Node, reqName: string, typescript: boolean, taken: Set<string>): RequestOptions | null {
  const functionUses = new Set<string>();
  let functionsUseNextRequest = false;
  for (const name of functionsPassedRequest(options, reqName)) {
    // Not exported: another module calling it would still pass a Pages request.
    const fn = resolveFunction(program, { type: 'Identifier', name })?.fn;
    if (!fn) return null;
    // Its one mention besides the declaration is the call in the options: no other caller passes a Pages request.
    if (countIdentifiers(program, name, handler) !== 1 || countIdentifiers(handler, name) !== 1) return null;
    const helper = toRequestFunction(j, snip, fn, typescript, taken);
    if (!helper) return null;
    helper.uses.forEach((u) => functionUses.add(u));
    functionsUseNextRequest ||= helper.usesNextRequest;
  }
  const copy = cloneNode(options);
  walk(copy, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier') {
      n.arguments = n.arguments.map((a: Node) => (isIdent(a, reqName) ? j.identifier(PASSED_REQUEST) : a));
    }
  });
  const param = j.identifier(reqName);
  param.typeAnnotation = j.tsTypeAnnotation(j.tsTypeReference(j.identifier('NextApiRequest')));
  const fn = j.functionDeclaration(j.identifier('options'), [param], j.blockStatement([j.returnStatement(copy)]));
  const helper = toRequestFunction(j, snip, fn, typescript, new Set([...taken, PASSED_REQUEST]));
  if (!helper) return null;
  const requestParam: Node = fn.params[0];
  const requestName: string = requestParam.name;
  const statements: Node[] = fn.body.body;
  const last = statements[statements.length - 1];
  walk(last, (n) => {
    if (n.type === 'Identifier' && n.name === PASSED_REQUEST) n.name = requestName;
  });
  return { requestParam, requestName, prelude: statements.slice(0, -1), options: last.argument, uses: helper.uses, functionUses, functionsUseNextRequest };
}
