/**
 * Sub-handlers of other project modules: the handler does its own work, then hands its `(req, res)` (and other
 * values) to a function it imports, which reads the request and answers.
 *
 *   import { handleGet } from '@/lib/items'
 *   case 'GET': return await handleGet(req, res, id)      →      case 'GET': return await handleGetRoute(request, context, id)
 *
 * The module gets a route-handler twin of the function, made by the route transform itself for this route (its
 * params and config: src/handler-modules.ts); the route calls it as an answer. The call must end the handler, as a
 * same-file sub-handler's must (sub-handlers.ts): nothing but a `break` or a bare `return` after it, awaited or
 * returned, and awaited inside a `try` (a returned promise's rejection skipped the `catch`, and so would the twin's).
 * Any other call of such a function leaves the file, with why.
 */
import type { JSCodeshift } from 'jscodeshift';
import { isIdent, unwrap, walk, type Node } from './ast.js';
import type { ResponseHelper } from './response.js';
import type { SubHandlerRef } from '../types.js';
import type { Diagnostic } from '../../src/diagnostics.js';

export interface SubHandlerCalls {
  /** The calls, as the response rewrite sees them: helpers that answer, by local name. */
  helpers: Map<string, ResponseHelper>;
  /** The twins called: their import and name, and whether each reads the request body. */
  called: Array<Extract<SubHandlerRef, { twin: string }>>;
  /** A call passes the route's context (the route has dynamic segments). */
  usesContext: boolean;
}

export type SubHandlerProblem = { left: Diagnostic & { line?: number } };

/** The local names bound by value imports of the refs (`import { handleGet as get } from …` → get). */
function bindingsOf(program: Node, refs: SubHandlerRef[]): Map<string, SubHandlerRef> {
  const out = new Map<string, SubHandlerRef>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.importKind === 'type') continue;
    for (const s of stmt.specifiers ?? []) {
      if (s.importKind === 'type') continue;
      const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportSpecifier' ? (s.imported.name ?? s.imported.value) : null;
      const ref = refs.find((r) => r.specifier === stmt.source.value && r.imported === imported);
      if (ref) out.set(s.local.name, ref);
    }
  }
  return out;
}

interface Place {
  /** Nothing of the handler runs after the statement (a `break` out of the switch or a bare `return` at most). */
  tail: boolean;
  inTry: boolean;
}

/** Every statement of the handler's own lists (not in nested functions or loops), with where it stands. */
function placesIn(list: Node[], tail: boolean, inTry: boolean, caseEnd: 'last' | 'more' | null, out: Map<Node, Place>): void {
  list.forEach((stmt, index) => {
    const rest = list.slice(index + 1);
    const returnAfter = rest.length === 1 && rest[0].type === 'ReturnStatement' && !rest[0].argument;
    const breakAfter = rest.length === 1 && rest[0].type === 'BreakStatement' && !rest[0].label && caseEnd !== null;
    const isTail = returnAfter || (tail && (rest.length === 0 ? caseEnd !== 'more' : breakAfter));
    out.set(stmt, { tail: isTail, inTry });
    if (stmt.type === 'BlockStatement') placesIn(stmt.body, isTail, inTry, null, out);
    else if (stmt.type === 'IfStatement') {
      for (const branch of [stmt.consequent, stmt.alternate]) if (branch) placesIn(branch.type === 'BlockStatement' ? branch.body : [branch], isTail, inTry, null, out);
    } else if (stmt.type === 'SwitchStatement') {
      stmt.cases.forEach((c: Node, i: number) => placesIn(c.consequent, isTail, inTry, i === stmt.cases.length - 1 ? 'last' : 'more', out));
    } else if (stmt.type === 'TryStatement') {
      // A `finally` runs after the call: not the end of the handler.
      placesIn(stmt.block.body, isTail && !stmt.finalizer, true, null, out);
      if (stmt.handler) placesIn(stmt.handler.body.body, isTail && !stmt.finalizer, inTry, null, out);
    }
  });
}

/**
 * Rewrites, in `body`, each call of an imported sub-handler that has a twin: `handleGet(req, res, id)` becomes
 * `handleGet(request, res, context, id)`, which the response rewrite then answers with as a helper's call
 * (`return await handleGetRoute(request, context, id)`, res dropped). The first call that cannot be is the problem.
 */
export function rewriteSubHandlerCalls(
  j: JSCodeshift,
  program: Node,
  body: Node[],
  names: { req: string; res: string; request: string; context: string },
  refs: SubHandlerRef[],
  hasParams: boolean,
): SubHandlerCalls | SubHandlerProblem {
  const out: SubHandlerCalls = { helpers: new Map(), called: [], usesContext: false };
  const bindings = bindingsOf(program, refs);
  if (!bindings.size) return out;
  const places = new Map<Node, Place>();
  placesIn(body, true, false, null, places);
  // The statement each call (or its await) is the whole expression or returned value of.
  const statementOf = new Map<Node, Node>();
  for (const stmt of places.keys()) {
    const expr = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
    if (expr) statementOf.set(unwrap(expr), stmt);
  }
  let problem: SubHandlerProblem | null = null;
  const leave = (call: Node, local: string, why: string) => {
    problem ??= { left: { reason: 'SUB_HANDLER_NOT_FOLLOWED', line: call.loc?.start.line, detail: `${local}(req, res, …) ${why}` } };
  };
  const sites: Array<{ call: Node; local: string; ref: Extract<SubHandlerRef, { twin: string }> }> = [];
  walk(j.blockStatement(body), (node, parent) => {
    if (problem || node.type !== 'CallExpression' || node.callee.type !== 'Identifier' || !bindings.has(node.callee.name)) return;
    const local = node.callee.name;
    const ref = bindings.get(local)!;
    const [req, res] = node.arguments;
    // Called with other values than the handler's own req and res: not a sub-handler call (the request rewrite sees it).
    if (!isIdent(req, names.req) || !isIdent(res, names.res)) return;
    if ('left' in ref) {
      problem = { left: { ...ref.left, line: node.loc?.start.line } };
      return;
    }
    if (node.arguments.some((a: Node) => a.type === 'SpreadElement')) return leave(node, local, 'spreads its arguments');
    const awaited = parent?.type === 'AwaitExpression';
    const top = awaited ? parent : node;
    const stmt = statementOf.get(top);
    if (!stmt) return leave(node, local, 'is called where its answer is not what the handler ends with (inside an expression, a loop or a callback)');
    const place = places.get(stmt)!;
    const returns = stmt.type === 'ReturnStatement';
    if (!returns && !place.tail) return leave(node, local, 'is called where code of the handler runs after it');
    if (!returns && !awaited) return leave(node, local, 'is neither awaited nor returned: its rejection went unhandled, where the route would answer 500');
    if (place.inTry && !awaited) return leave(node, local, "is returned inside a try without await: its rejection skipped the catch");
    sites.push({ call: node, local, ref });
  });
  if (problem) return problem;
  for (const { call, local, ref } of sites) {
    // The parsed body goes last, where the twin takes it (res, still in the call, is dropped by the response rewrite).
    if (ref.bodyIndex !== undefined && call.arguments.length > ref.bodyIndex) return { left: { reason: 'SUB_HANDLER_NOT_FOLLOWED', line: call.loc?.start.line, detail: `${local}(req, res, …) is passed more arguments than it takes, where its twin takes the parsed body` } };
  }
  for (const { call, local, ref } of sites) {
    const context = hasParams ? names.context : 'undefined';
    if (hasParams) out.usesContext = true;
    call.arguments = [j.identifier(names.request), call.arguments[1], j.identifier(context), ...call.arguments.slice(2)];
    if (ref.bodyIndex !== undefined) {
      while (call.arguments.length < ref.bodyIndex + 1) call.arguments.push(j.identifier('undefined'));
      // `req.body`, which the route's request rewrite reads once, at the start, as Pages parsed it before the handler.
      call.arguments.push(j.memberExpression(j.identifier(names.req), j.identifier('body')));
    }
    out.helpers.set(local, { resIndex: 1, statuses: [null], rename: ref.twin, awaits: true });
    if (!out.called.includes(ref)) out.called.push(ref);
  }
  return out;
}

/**
 * Whether rewritten route code reads the request body: the compat module's body readers, or the Request's own
 * (`request.json()`, `request.arrayBuffer()`, `request.body`). A body can be read once.
 */
export function readsRequestBody(statements: Node[], requestName: string, compat: Set<string>): boolean {
  if (['readPagesBody', 'bodyChunks', 'pagesBodyStream'].some((use) => compat.has(use))) return true;
  let found = false;
  walk({ type: 'BlockStatement', body: statements }, (n) => {
    if (found || n.type !== 'MemberExpression' || n.computed || !isIdent(unwrap(n.object), requestName)) return;
    if (['json', 'text', 'formData', 'arrayBuffer', 'blob', 'body', 'bytes'].includes(n.property.name)) found = true;
  });
  return found;
}
