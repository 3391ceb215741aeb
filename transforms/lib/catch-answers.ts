/**
 * A rejected promise answered in its `.catch` callback, the handler's result awaited:
 *
 *     const users = await searchUsers(name).catch((error) => {
 *       res.status(500).json({ error: error.message });
 *       return;
 *     });
 *     res.status(200).json({ users });
 *
 * becomes
 *
 *     const users = await searchUsers(name).catch((error) => {
 *       return new GuardAnswer(NextResponse.json({ error: error.message }, { status: 500 }));
 *     });
 *     if (users instanceof GuardAnswer) return users.response;
 *     return NextResponse.json({ users });
 *
 * Why the answer is the same: the callback answers on every path, so in Pages the handler then went on with
 * `undefined` to its next statement, which sent again and did nothing the client saw (Next ignores headers set once
 * the answer is out, and the write after the end fails later, without a throw): the client had the callback's answer.
 * So the statement after must be a send whose arguments run nothing (no call, no await, no `new`), returned or
 * ending the handler (code after such a send ran in Pages), or the handler's own `if (!users) return;` on the value
 * the callback gave (nothing, when its answers are json() or send()), which the route keeps after its own check, or,
 * as the handler's last statement, `if (users) { … }` with no else, which that value skipped. A value the callback
 * returns on some path, state it sets (a status, headers) for later, or any other use of `res` in it leaves the file
 * as before (RES_ESCAPES).
 */
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, isFunction, isIdent, statementLists, unwrap, walk, END, type Node, type Snippets } from './ast.js';
import { returnGuardAnswer, rewriteResponse } from './response.js';
import { returnsOnlyAnswers } from './res-helpers.js';
import { alwaysExits } from './split-methods.js';
import { returnsWhenFalsy, wrapAnswers } from './guard-helpers.js';
import { isPlainSend, sendOf } from './plain-send.js';

/** The `.catch(callback)` call awaited in `stmt` (`const x = await p.catch(cb)`, `await p.catch(cb)`), and x. */
function awaitedCatch(stmt: Node): { call: Node; value: string | null } | null {
  let expr: Node | null = null;
  let value: string | null = null;
  if (stmt.type === 'VariableDeclaration' && stmt.kind !== 'var' && stmt.declarations.length === 1 && stmt.declarations[0].id.type === 'Identifier' && !stmt.declarations[0].id.typeAnnotation) {
    expr = stmt.declarations[0].init;
    value = stmt.declarations[0].id.name;
  } else if (stmt.type === 'ExpressionStatement') expr = stmt.expression;
  const awaited = expr && unwrap(expr);
  if (awaited?.type !== 'AwaitExpression') return null;
  const call = unwrap(awaited.argument);
  if (call?.type !== 'CallExpression' || call.callee.type !== 'MemberExpression' || call.callee.computed || !isIdent(call.callee.property, 'catch') || call.arguments.length !== 1) return null;
  const callback = call.arguments[0];
  if (callback.type !== 'ArrowFunctionExpression' && callback.type !== 'FunctionExpression') return null;
  return { call, value };
}

/**
 * Whether the callback gives nothing back where it answers: a concise body that is `res.….json(…)` or `.send(…)`,
 * or a block whose returns give nothing or such a send (end() and redirect() give res back, a truthy value).
 */
function answersGiveNothing(callback: Node, resName: string): boolean {
  const givesNothing = (expr: Node | null | undefined) => !expr || ['json', 'send'].includes(sendOf(expr, resName)?.name ?? '');
  if (callback.body.type !== 'BlockStatement') return givesNothing(callback.body);
  let ok = true;
  walk(callback.body, (node) => {
    if (isFunction(node)) return false;
    if (node.type === 'ReturnStatement' && node.argument && !givesNothing(node.argument)) ok = false;
  });
  return ok;
}

/** `if (name) …` with no else: it runs nothing when name is undefined. */
function whenTruthy(stmt: Node | undefined, name: string): boolean {
  return stmt?.type === 'IfStatement' && !stmt.alternate && isIdent(unwrap(stmt.test), name);
}

export interface CatchAnswers {
  /** What the rewritten callbacks need (NextResponse, compat helpers). */
  uses: Set<string>;
}

/** Whether the handler ends at `list[index]`: a return of nothing, or, in the handler's own list (`top`), its end. */
function endsAfter(list: Node[], index: number, top: boolean): boolean {
  const after = list[index];
  return after ? after.type === 'ReturnStatement' && !after.argument : top;
}

/**
 * Rewrites each awaited `.catch` whose callback answers on every path (see above) in `body`'s statement lists,
 * outside nested functions. Runs before the handler's response rewrite: the callbacks no longer use `res` then.
 */
export function rewriteCatchAnswers(j: JSCodeshift, snip: Snippets, body: Node[], resName: string, hasAfter: boolean, fresh: (base: string) => string): CatchAnswers {
  const out: CatchAnswers = { uses: new Set() };
  for (const list of statementLists(body, true)) {
    for (let i = list.length - 1; i >= 0; i--) {
      const found = awaitedCatch(list[i]);
      if (!found) continue;
      const next = list[i + 1];
      const callback = found.call.arguments[0];
      // A send that runs nothing, which did nothing in Pages once the callback had answered, returned or ending the
      // handler (code after it ran in Pages: Next ignores a send after the answer, it throws nothing); or the handler's
      // own check of the value the callback gave (undefined, when its answers are json() or send(), which return nothing).
      const declared = found.value;
      const plainSend = isPlainSend(next, resName) && (next.type === 'ReturnStatement' || endsAfter(list, i + 2, list === body));
      const checked = declared !== null && returnsWhenFalsy(next, (t) => isIdent(t, declared)) && answersGiveNothing(callback, resName);
      // Or the handler's last statement, `if (value) { … }` without an else, which the callback's undefined skipped.
      const lastIf = declared !== null && list === body && i + 2 === list.length && whenTruthy(next, declared) && answersGiveNothing(callback, resName);
      if (!plainSend && !checked && !lastIf) continue;
      const statements: Node[] = callback.body.type === 'BlockStatement' ? callback.body.body : [j.expressionStatement(callback.body)];
      // A copy is rewritten: a callback that does not answer on every path stays as it was.
      const rewrite = rewriteResponse(cloneNode(statements), { j, snip, resName, hasAfter, fresh });
      const rewritten = [...rewrite.prelude, ...rewrite.body];
      // Work after a send in the callback (a note) ran in Pages before the handler went on: not followed either.
      if (rewrite.escape || rewrite.prelude.length || rewrite.notes.length || !rewritten.some(alwaysExits) || !returnsOnlyAnswers(rewritten, rewrite.answerReturns)) continue;
      // Each answer comes back as a GuardAnswer, apart from the value the promise gives.
      const wrapped = wrapAnswers(snip, rewritten, rewrite.answerReturns);
      // A concise body stays one: `(error) => new GuardAnswer(…)`.
      const concise = callback.body.type !== 'BlockStatement' && wrapped.length === 1 && wrapped[0].type === 'ReturnStatement' && wrapped[0].argument;
      callback.body = concise ? wrapped[0].argument : j.blockStatement(wrapped);
      rewrite.uses.forEach((u) => out.uses.add(u));
      out.uses.add('GuardAnswer');
      const value = found.value ?? fresh('caught');
      if (!found.value) {
        const [declared] = snip.statements(`const ${value} = 0${END}`);
        declared.declarations[0].init = list[i].expression;
        list[i] = snip.withCommentsOf(list[i], declared);
      }
      list.splice(i + 1, 0, returnGuardAnswer(snip, value));
    }
  }
  return out;
}
