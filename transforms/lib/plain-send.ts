/**
 * A send through `res` whose arguments run nothing (no call, no await, no `new`): where Pages had already answered, it
 * did nothing the client saw (Next ignores headers set once the answer is out, and the write after the end fails later,
 * without a throw), so where it is returned or ends the handler, code that the route skips there ran nothing either.
 * Used after a `.catch` callback's answer (catch-answers.ts) and in the handler's check after a guard's
 * (guard-helpers.ts).
 */
import { isFunction, isIdent, unwrap, walk, type Node } from './ast.js';

const SENDS = new Set(['json', 'send', 'end', 'redirect']);

/** The send `expr` makes through `res` (`res.status(200).json(x)`, awaited or not): its last call's name and all its calls' arguments. */
export function sendOf(expr: Node | null | undefined, resName: string): { name: string; args: Node[] } | null {
  let n = expr && unwrap(expr);
  if (n?.type === 'AwaitExpression') n = unwrap(n.argument);
  if (n?.type !== 'CallExpression' || n.callee.type !== 'MemberExpression' || n.callee.computed || !SENDS.has(n.callee.property.name)) return null;
  const name: string = n.callee.property.name;
  let root = unwrap(n.callee.object);
  const args: Node[] = [...n.arguments];
  while (root.type === 'CallExpression' && root.callee.type === 'MemberExpression' && !root.callee.computed) {
    args.push(...root.arguments);
    root = unwrap(root.callee.object);
  }
  return isIdent(root, resName) ? { name, args } : null;
}

/** `res.status(200).json({ users })` (or returned), whose arguments run nothing. */
export function isPlainSend(stmt: Node | undefined, resName: string): boolean {
  const send = sendOf(stmt?.type === 'ExpressionStatement' ? stmt.expression : stmt?.type === 'ReturnStatement' ? stmt.argument : null, resName);
  if (!send) return false;
  let runs = false;
  for (const arg of send.args)
    walk(arg, (node) => {
      if (isFunction(node)) return false;
      if (node.type === 'CallExpression' || node.type === 'NewExpression' || node.type === 'AwaitExpression' || node.type === 'TaggedTemplateExpression') runs = true;
    });
  return !runs;
}
