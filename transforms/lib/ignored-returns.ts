/**
 * Returns of a Pages handler whose value Pages ignored: `return errorResponse('Invalid method', 400)` where the helper
 * builds a NextResponse, `return NextResponse.json(…)`. A Node.js Pages API handler answers through res only; what it
 * returns is awaited (a rejection still became Pages' 500) and dropped, so that path sent no answer and the request
 * hung. A route handler answers with what it returns: the route now sends that value where it is a Response, which
 * only a look at the code can tell meant (a bug of the Pages route fixed) or not.
 *
 * Read from the handler's own statements before any rewrite (returns in callbacks are the callbacks'), for a value
 * that may be a Response: a call, a `new`, a name, a member, or a choice between such. Left out: a value that uses
 * res, or a function of the handler that uses it (a send, a sub-handler's call, `return sendError(res, …)`: the
 * response rewrite owns those), a return right after a statement that uses res (an answer may be out), a literal,
 * an object or array literal (no Response: row 6 of the README's known differences, no answer either way), and
 * `undefined`. The same holds in the functions of the file the handler passes its res to and whose value it drops
 * or returns (`case 'GET': return handleGET(req, res)`): Pages ignored their returns as well, and the route answers
 * with them once their bodies take the calls' places (sub-handlers.ts).
 * Pure: a syntax tree in, line numbers out.
 */
import { isFunction, isIdent, namesIn, unwrap, walk, type Node } from './ast.js';
import { resolveFunction } from './dispatch.js';

/** Whether evaluating `node` may give a Response. */
function mayBeResponse(node: Node | null | undefined): boolean {
  const n = node && unwrap(node);
  if (!n) return false;
  if (n.type === 'AwaitExpression') return mayBeResponse(n.argument);
  if (n.type === 'ConditionalExpression') return mayBeResponse(n.consequent) || mayBeResponse(n.alternate);
  if (n.type === 'LogicalExpression') return mayBeResponse(n.left) || mayBeResponse(n.right);
  if (n.type === 'SequenceExpression') return mayBeResponse(n.expressions[n.expressions.length - 1]);
  if (n.type === 'Identifier') return n.name !== 'undefined';
  return ['CallExpression', 'OptionalCallExpression', 'NewExpression', 'MemberExpression', 'OptionalMemberExpression'].includes(n.type);
}

/** Names the handler declares whose declaration uses `resName` (`const fail = () => res.status(400).end()`). */
function namesUsingRes(fn: Node, resName: string): Set<string> {
  const out = new Set<string>();
  walk(fn.body, (node) => {
    const declared = node.type === 'VariableDeclarator' && isIdent(node.id) ? node.id.name : node.type === 'FunctionDeclaration' && node.id ? node.id.name : null;
    if (declared && namesIn(node).has(resName)) out.add(declared);
  });
  return out;
}

/**
 * The lines of the handler's returns whose value Pages ignored and the route answers with, where it is a Response,
 * and of such returns in the functions of `program` it passes res to.
 */
export function ignoredReturns(fn: Node, resName: string, program: Node, seen = new Set<Node>([fn])): number[] {
  if (fn.body.type !== 'BlockStatement') return mayBeResponse(fn.body) && !namesIn(fn.body).has(resName) ? [fn.body.loc?.start.line ?? 0] : [];
  const usingRes = namesUsingRes(fn, resName);
  const lines: number[] = [];
  walk(
    fn.body,
    (node, parent) => {
      if (node !== fn.body && isFunction(node)) return false;
      // A call whose value the handler drops or returns (`await handleGET(req, res)`), not one it uses.
      const called = node.type === 'ExpressionStatement' ? unwrap(node.expression) : node.type === 'ReturnStatement' && node.argument ? unwrap(node.argument) : null;
      const call = called?.type === 'AwaitExpression' ? unwrap(called.argument) : called;
      if (call?.type === 'CallExpression') {
        const index = call.arguments.findIndex((a: Node) => isIdent(a, resName));
        const callee = index >= 0 ? resolveFunction(program, call.callee) : null;
        const param = callee?.fn.params[index];
        if (callee?.name && isIdent(param) && !seen.has(callee.fn)) {
          seen.add(callee.fn);
          lines.push(...ignoredReturns(callee.fn, param.name, program, seen));
        }
      }
      if (node.type !== 'ReturnStatement' || !mayBeResponse(node.argument)) return;
      // Right after a statement that uses res (`res.status(405).end(); return Promise.resolve()`): an answer may be
      // out, and the return only ends the handler.
      const list = parent?.type === 'BlockStatement' || parent?.type === 'Program' ? parent.body : parent?.type === 'SwitchCase' ? parent.consequent : null;
      const before = list ? list[list.indexOf(node) - 1] : undefined;
      if (before && namesIn(before).has(resName)) return;
      const used = namesIn(node.argument);
      if (used.has(resName) || [...usingRes].some((name) => used.has(name))) return;
      lines.push(node.loc?.start.line ?? 0);
    },
  );
  return [...new Set(lines)].sort((a, b) => a - b);
}
