/**
 * A guard that calls another guard of its module, and checks its value as a handler does:
 *
 *     export async function requireVerifiedUser(req, res) {
 *       const session = await requireSession(req, res);
 *       if (!session) return null;
 *       if (!session.user.verified) {
 *         res.status(403).json({ error: 'Verify first' });
 *         return null;
 *       }
 *       return session;
 *     }
 *
 * Its twin calls the other one's twin with the request, and passes a GuardAnswer it gets on as its own:
 *
 *     const session = await requireSessionForRoute(request);
 *     if (session instanceof GuardAnswer) return session;
 *     if (!session) return null;
 *
 * Why the answer is the same: where the inner guard answered in Pages, it gave back an "answered" value (null,
 * undefined, false), on which the check returned one at once, with nothing run in between; so the outer guard gave
 * the handler that value with the answer sent, as the twin gives the route the answer. Where the inner guard did not
 * answer, its twin gives its value, and the check runs as it did. Only calls that pass the guard's own req and res
 * where the inner guard takes them (its other arguments not reading either), as a declaration of one name followed
 * by that check: any other use leaves res passed to a function, and the guard is not twinned.
 */
import { countIdentifiers, isIdent, unwrap, END, type Node, type Snippets } from './ast.js';

/** A guard of the same module, twinned (or to be): where it takes req and res, and its twin's name. */
export interface SiblingGuard {
  twin: string;
  reqIndex: number;
  resIndex: number;
  /** The statuses it answers with, which the calling guard's twin passes on. */
  statuses: Array<number | null>;
}

/** `return`, `return null`, `return undefined`, `return false`, `return void 0`: what says "answered" to a guard's caller. */
export function isAnsweredValue(stmt: Node | null | undefined): boolean {
  if (stmt?.type !== 'ReturnStatement') return false;
  const arg = stmt.argument && unwrap(stmt.argument);
  if (!arg) return true;
  return arg.type === 'NullLiteral' || isIdent(arg, 'undefined') || (arg.type === 'BooleanLiteral' && !arg.value) || (arg.type === 'UnaryExpression' && arg.operator === 'void');
}

/** `if (!name) return null;` (also in a block): the check's return statement, or null. */
function checkOf(stmt: Node | undefined, name: string): Node | null {
  if (stmt?.type !== 'IfStatement' || stmt.alternate) return null;
  const test = unwrap(stmt.test);
  if (test.type !== 'UnaryExpression' || test.operator !== '!' || !isIdent(unwrap(test.argument), name)) return null;
  const body = stmt.consequent.type === 'BlockStatement' && stmt.consequent.body.length === 1 ? stmt.consequent.body[0] : stmt.consequent;
  return isAnsweredValue(body) ? body : null;
}

/** `const x = await name(…, res, …)` followed by `if (!x) return null`: the call and its name, or null. */
function checkedCall(body: Node[], i: number, resName: string): { call: Node; value: string; check: Node } | null {
  const stmt = body[i];
  if (stmt?.type !== 'VariableDeclaration' || stmt.declarations.length !== 1 || stmt.declarations[0].id.type !== 'Identifier') return null;
  const value: string = stmt.declarations[0].id.name;
  const init = stmt.declarations[0].init && unwrap(stmt.declarations[0].init);
  const call = init?.type === 'AwaitExpression' ? unwrap(init.argument) : init;
  if (call?.type !== 'CallExpression' || !isIdent(call.callee) || !call.arguments.some((a: Node) => isIdent(a, resName))) return null;
  const check = checkOf(body[i + 1], value);
  return check ? { call, value, check } : null;
}

/** The functions `fn` calls with its res and checks as above (a guard calling other guards), by name. */
export function checkedCallees(fn: Node, resName: string): string[] {
  const body: Node[] = fn.body?.type === 'BlockStatement' ? fn.body.body : [];
  return body.flatMap((_, i) => checkedCall(body, i, resName)?.call.callee.name ?? []);
}

/**
 * Rewrites, in the guard's top-level statements, each call of a sibling guard checked as above into a call of its
 * twin with `requestName`, followed by the pass-on of its GuardAnswer. Returns the siblings called and the checks'
 * returns (which return an "answered" value without an answer of their own, as the inner guard's answer was given).
 */
export function redirectSiblingGuards(snip: Snippets, body: Node[], names: { req: string; res: string; request: string }, siblings: Map<string, SiblingGuard>): { called: Set<string>; checks: Set<Node>; statuses: Array<number | null> } {
  const called = new Set<string>();
  const checks = new Set<Node>();
  const statuses: Array<number | null> = [];
  if (!siblings.size) return { called, checks, statuses };
  for (let i = body.length - 2; i >= 0; i--) {
    const found = checkedCall(body, i, names.res);
    const sibling = found ? siblings.get(found.call.callee.name) : undefined;
    if (!found || !sibling || found.call.arguments.some((a: Node) => a.type === 'SpreadElement')) continue;
    const { call, value, check } = found;
    const args: Node[] = call.arguments;
    if (!isIdent(args[sibling.resIndex], names.res) || !isIdent(args[sibling.reqIndex], names.req)) continue;
    if (args.some((a, k) => k !== sibling.resIndex && k !== sibling.reqIndex && countIdentifiers(a, names.req) + countIdentifiers(a, names.res) > 0)) continue;
    call.callee = { type: 'Identifier', name: sibling.twin };
    const passed = args.map((a, k) => (k === sibling.reqIndex ? { type: 'Identifier', name: names.request } : a));
    passed.splice(sibling.resIndex, 1);
    call.arguments = passed;
    called.add(sibling.twin);
    checks.add(check);
    statuses.push(...sibling.statuses);
    body.splice(i + 1, 0, ...snip.statements(`if (${value} instanceof GuardAnswer) return ${value}${END}`));
  }
  return { called, checks, statuses };
}
