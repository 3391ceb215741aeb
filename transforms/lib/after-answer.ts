/**
 * What Pages ran after a send that a route now ends at (`res.status(400).json(…)` without a return): the lines of the
 * handler's statements after which Pages could only end the handler, with nothing done, read from the source before
 * any rewrite.
 *
 * What runs next is followed through the statements after it, then after the blocks it ends: an `if` branch, a plain
 * block, a `try` block or `catch` without a `finally`, a `switch` case (into the next case, or after the switch at a
 * `break`). The handler ends with nothing done when that reaches, past res calls that do nothing the client sees once
 * an answer is out, with arguments that run nothing: `status`, `setHeader` (Next, from 14 on, ignores it then: its
 * server patches setHeader to return at once once the headers are sent), `json`, `send` and `end` (their headers
 * ignored, their write after the end failing later, in an 'error' event, not at the call):
 *  - the handler's end, or a `return` of nothing, of a name, of a literal, or of such a res call (`return
 *    res.status(405).json({ … })`: it returns whatever the call did);
 *  - outside a `try` (whose catch would run, and may do anything): a `throw` of a name, a literal or a constructor
 *    called with those (`throw new Error('Unauthorized')`), or a res call that Node makes throw ERR_HTTP_HEADERS_SENT
 *    before it writes anything (`writeHead`, `appendHeader`, `removeHeader`, and Next's `redirect`, which calls
 *    writeHead), with arguments that run nothing. Not after `res.send(x)` of a value that may be a stream: that send
 *    only started a pipe, and the next one (or a throw's error answer) could still go out; only the handler's end or a
 *    return of nothing counts then.
 * An `if` on the method (`if (req.method === 'GET')`, also through `const { method } = req`, as split-methods.ts
 * reads it) is followed where the send's own path fixed the method (it lies in the branch of such a test): into the
 * branch the test takes then.
 * A loop's next turn, a `finally` and any other statement are not looked into: the route marks the send for review.
 * Pure: a syntax tree in, line numbers out.
 */
import { isIdent, memberName, statementLists, unwrap, walk, type Node } from './ast.js';
import { isAssignedIn } from './free-names.js';
import { ALL_METHODS, evalCondition, type MethodReader } from './split-methods.js';

/** res methods that throw (ERR_HTTP_HEADERS_SENT) once the headers are sent, before they write anything: Node's own checks. */
const REFUSED = new Set(['appendHeader', 'removeHeader', 'writeHead', 'redirect']);

/**
 * res methods that do nothing the client sees once the headers are sent, and throw nothing then: Next's server ignores
 * setHeader (json and send set headers through it first), and a write after the end fails in an 'error' event later.
 */
const IGNORED = new Set(['status', 'setHeader', 'json', 'send', 'end']);

/** An expression that runs nothing: a name, a literal, a member of a name, an array or object of those. */
export function inert(node: Node | null | undefined): boolean {
  const n = node && unwrap(node);
  if (!n) return true;
  if (n.type === 'TemplateLiteral') return n.expressions.every(inert);
  if (n.type === 'Identifier' || /Literal$/.test(n.type)) return true;
  if (n.type === 'MemberExpression') return !n.computed && inert(n.object);
  if (n.type === 'ArrayExpression') return n.elements.every(inert);
  if (n.type === 'ObjectExpression') return n.properties.every((p: Node) => p.type === 'ObjectProperty' && !p.computed && inert(p.value));
  return false;
}

/**
 * The methods of a call chain on res, first to last (`res.status(400).json(x)` → status, json); with `inertArgs`, only
 * where its arguments run nothing.
 */
function resChain(node: Node | null | undefined, resName: string, inertArgs = true): string[] | null {
  const names: string[] = [];
  let n = node && unwrap(node);
  if (n?.type === 'AwaitExpression' && !inertArgs) n = unwrap(n.argument);
  while (n?.type === 'CallExpression') {
    const callee = unwrap(n.callee);
    if (callee.type !== 'MemberExpression' || callee.computed || (inertArgs && !n.arguments.every(inert))) return null;
    names.unshift(memberName(callee) ?? '');
    n = unwrap(callee.object);
  }
  return names.length && isIdent(n, resName) ? names : null;
}

/** The method a chain ends in after any `status(…)` (`res.status(400).json(x)` → json), or null for another chain. */
function afterStatus(chain: string[] | null): string | null {
  return chain && chain.slice(0, -1).every((name) => name === 'status') ? chain[chain.length - 1] : null;
}

/** A value that is neither null nor undefined, whatever runs: a literal but null, a template, an object, an array. */
function present(node: Node | undefined): boolean {
  const n = node && unwrap(node);
  return !!n && n.type !== 'NullLiteral' && (/Literal$/.test(n.type) || n.type === 'ObjectExpression' || n.type === 'ArrayExpression');
}

/** A res call that throws once an answer is out, before it writes anything (REFUSED), with arguments that run nothing. */
function refused(node: Node | null | undefined, resName: string): boolean {
  const method = afterStatus(resChain(node, resName));
  return !!method && REFUSED.has(method);
}

/** res methods that send the answer at once (a helper's send may come later: it may await first). */
const SENDS = new Set(['json', 'send', 'end', 'redirect']);

/**
 * A statement that does nothing the client sees once an answer is out (IGNORED): `res.status(…)`, `res.setHeader(…)`,
 * `res.status(405).json({ … })`, `res.end()`, with arguments that run nothing.
 */
function idle(stmt: Node, resName: string): boolean {
  if (stmt.type !== 'ExpressionStatement') return false;
  const method = afterStatus(resChain(stmt.expression, resName));
  return !!method && IGNORED.has(method);
}

/** `return res.status(405).json({ … })` and the like: a res call, with arguments that run nothing, returned. */
function returnedResCall(stmt: Node, resName: string): boolean {
  const method = afterStatus(resChain(stmt.argument, resName));
  return !!method && (IGNORED.has(method) || REFUSED.has(method));
}

/** `throw new Error('…')`, `throw name`: a throw of values that run nothing. */
function plainThrow(stmt: Node): boolean {
  const thrown = unwrap(stmt.argument);
  return inert(thrown) || (thrown.type === 'NewExpression' && isIdent(thrown.callee) && thrown.arguments.every(inert));
}

function endsHandler(stmt: Node, resName: string | null, inTry: boolean): boolean {
  if (stmt.type === 'ReturnStatement' && inert(stmt.argument)) return true;
  if (inTry) return false;
  // After a send that may only have started a pipe, a throw reached Next's error answer, which could still go out.
  if (resName === null) return false;
  if (stmt.type === 'ReturnStatement') return returnedResCall(stmt, resName);
  if (stmt.type === 'ThrowStatement') return plainThrow(stmt);
  return stmt.type === 'ExpressionStatement' && refused(stmt.expression, resName);
}

/**
 * Where Pages goes on: `list` from `index`, then `after`; a `break` goes to `breakTo`. null is the handler's end;
 * UNKNOWN, a place not looked into.
 */
interface Place {
  list: Node[];
  index: number;
  inTry: boolean;
  after: Place | null;
  breakTo: Place | null;
}

/**
 * The one method of those a route serves for which `test` holds (`equal`), or fails: the method fixed on the path
 * into its branch (`if (req.method === 'GET')`'s consequent, `if (req.method !== 'POST')`'s alternate); null for none.
 */
function fixedMethod(test: Node, equal: boolean, reader: MethodReader | null): string | null {
  if (!reader) return null;
  const taking = ALL_METHODS.filter((m) => evalCondition(test, m, reader) !== !equal);
  return taking.length === 1 && evalCondition(test, taking[0], reader) === equal ? taking[0] : null;
}

const UNKNOWN: Place = { list: [], index: 0, inTry: false, after: null, breakTo: null };

/** `resName` null: no res call counts (the answer may not be out yet, see mayStream). */
function harmless(start: Place | null, resName: string | null, method: string | null, reader: MethodReader | null): boolean {
  let place = start;
  for (let steps = 0; steps < 100; steps++) {
    if (place === null) return true;
    if (place === UNKNOWN) return false;
    if (place.index >= place.list.length) {
      place = place.after;
      continue;
    }
    const stmt = place.list[place.index];
    if (endsHandler(stmt, resName, place.inTry)) return true;
    if (stmt.type === 'BreakStatement' && !stmt.label) {
      place = place.breakTo;
      continue;
    }
    // An if on the method, which the send's path fixed: into the branch it takes.
    const holds = stmt.type === 'IfStatement' && method !== null && reader ? evalCondition(stmt.test, method, reader) : undefined;
    if (holds !== undefined) {
      const next: Place = { ...place, index: place.index + 1 };
      const branch = holds ? stmt.consequent : stmt.alternate;
      place = branch ? { list: branch.type === 'BlockStatement' ? branch.body : [branch], index: 0, inTry: place.inTry, after: next, breakTo: place.breakTo } : next;
      continue;
    }
    if (resName === null || !idle(stmt, resName)) return false;
    place = { ...place, index: place.index + 1 };
  }
  return false;
}

/** A res call that writes the answer's head before it returns: `json`, `end`, `redirect`, `send` of a value not a stream. */
function sendsNow(node: Node | null | undefined, resName: string): boolean {
  const call = node && unwrap(node);
  const method = afterStatus(resChain(call, resName, false));
  return !!method && SENDS.has(method) && (method !== 'send' || present(call.arguments[0]));
}

/** `list` ends, on every path through its last statement, in a send of `sendsNow`'s kind, a return right after one, or a throw. */
function endsAnswered(list: Node[], resName: string): boolean {
  const last = list[list.length - 1];
  const asList = (node: Node): Node[] => (node.type === 'BlockStatement' ? node.body : [node]);
  if (!last) return false;
  if (last.type === 'ThrowStatement') return true;
  if (last.type === 'ReturnStatement') return last.argument ? sendsNow(last.argument, resName) : list.length > 1 && endsAnswered(list.slice(0, -1), resName);
  if (last.type === 'ExpressionStatement') return sendsNow(last.expression, resName);
  if (last.type === 'BlockStatement') return endsAnswered(last.body, resName);
  return last.type === 'IfStatement' && !!last.alternate && endsAnswered(asList(last.consequent), resName) && endsAnswered(asList(last.alternate), resName);
}

/**
 * Whether the function `fn`, which takes the Pages response as `resName`, has written its answer's head by the time a
 * call of it returns, on every path that returns (`function errorhandler(err, res) { if (…) return
 * res.status(400).end(msg); return res.status(500).json({ … }) }`): not async, every return a send (or a bare return
 * right after one) and its last statement one too, both branches of a last `if` alike, or a throw, which returns
 * nothing; a throw only before any use of res (one after a send would reach the caller's catch with the answer out,
 * code the route's return of the answer skips), and no loop (whose next turn could come after a send). So a call of it
 * is a send for what Pages ran next (harmlessAfterAnswer). A `switch`, a `try` or anything after the send: not looked
 * into.
 */
export function answersAtOnce(fn: Node, resName: string): boolean {
  if (fn.async || fn.generator || isAssignedIn(fn.body, resName)) return false;
  if (fn.body.type !== 'BlockStatement') return sendsNow(fn.body, resName);
  let returnsAnswer = true;
  let firstResUse = Infinity;
  const throws: Node[] = [];
  walk(fn.body, (n) => {
    if (isIdent(n, resName) && n.start < firstResUse) firstResUse = n.start;
  });
  walk(
    fn.body,
    (n, parent, key) => {
      if (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(n.type)) returnsAnswer = false;
      if (n.type === 'ThrowStatement') throws.push(n);
      if (n.type !== 'ReturnStatement' || !parent) return;
      if (n.argument) returnsAnswer &&= sendsNow(n.argument, resName);
      else {
        // A bare return right after a send in the same list (not `if (x) return;`, which may come before any).
        const list: Node[] | undefined = Array.isArray(parent[key]) ? parent[key] : undefined;
        const before = list ? list[list.indexOf(n) - 1] : undefined;
        returnsAnswer &&= before?.type === 'ExpressionStatement' && sendsNow(before.expression, resName);
      }
    },
    true,
  );
  return returnsAnswer && throws.every((t) => t.end <= firstResUse) && endsAnswered(fn.body.body, resName);
}

/**
 * The lines of the handler `fn`'s sends (`res.…json(…)`, `send`, `end`, `redirect`) after which Pages could only end
 * the handler (see above). A line that holds more than one statement (an `if` aside) is left out: the route's note
 * names a line. `atOnce`: helpers that answer at once (answersAtOnce), by name, with the position of res in their
 * calls: `errorhandler(error, res)` is such a send too.
 */
export function harmlessAfterAnswer(fn: Node, resName: string, reader: MethodReader | null = null, atOnce: Map<string, number> = new Map()): Set<number> {
  const lines = new Set<number>();
  const statementsOn = new Map<number, number>();
  walk(fn, (n) => {
    // An `if` is not counted: `if (!item) res.status(404).json(…)` holds one statement the note could mean.
    const line = /Statement$|Declaration$/.test(n.type) && n.type !== 'BlockStatement' && n.type !== 'IfStatement' ? n.loc?.start.line : undefined;
    if (line !== undefined) statementsOn.set(line, (statementsOn.get(line) ?? 0) + 1);
  });
  const helperSends = (expression: Node) => {
    const awaited = unwrap(expression);
    const call = awaited.type === 'AwaitExpression' ? unwrap(awaited.argument) : awaited;
    const at = call.type === 'CallExpression' && isIdent(call.callee) ? atOnce.get(call.callee.name) : undefined;
    return at !== undefined && isIdent(call.arguments[at], resName);
  };
  const sends = (stmt: Node) => stmt.type === 'ExpressionStatement' && (SENDS.has(afterStatus(resChain(stmt.expression, resName, false)) ?? '') || helperSends(stmt.expression));
  // A send of a value that may be a stream (`res.send(file)`) only pipes it: the headers go out later, so a send or
  // an end() right after it still acts. After one, only the handler's end counts.
  const mayStream = (stmt: Node) => {
    const call = unwrap(stmt.expression);
    const send = call.type === 'AwaitExpression' ? unwrap(call.argument) : call;
    return afterStatus(resChain(send, resName, false)) === 'send' && !present(send.arguments[0]);
  };
  const asList = (node: Node | null | undefined): Node[] => (!node ? [] : node.type === 'BlockStatement' ? node.body : [node]);
  // `method`: the request's method on this path, where a test on it fixed it.
  let method: string | null = null;
  const visitList = (list: Node[], after: Place | null, inTry: boolean, breakTo: Place | null) => {
    list.forEach((stmt, i) => {
      const next: Place = { list, index: i + 1, inTry, after, breakTo };
      const line = stmt.loc?.start.line;
      if (line !== undefined && statementsOn.get(line) === 1 && sends(stmt) && harmless(next, mayStream(stmt) ? null : resName, method, reader)) lines.add(line);
      visitStatement(stmt, next, inTry, breakTo);
    });
  };
  const visitStatement = (stmt: Node, next: Place, inTry: boolean, breakTo: Place | null) => {
    switch (stmt.type) {
      case 'BlockStatement':
        return visitList(stmt.body, next, inTry, breakTo);
      case 'IfStatement': {
        const outer = method;
        method = fixedMethod(stmt.test, true, reader) ?? outer;
        visitList(asList(stmt.consequent), next, inTry, breakTo);
        method = fixedMethod(stmt.test, false, reader) ?? outer;
        visitList(asList(stmt.alternate), next, inTry, breakTo);
        method = outer;
        return;
      }
      case 'TryStatement': {
        // A finally runs next: not looked into.
        const afterTry = stmt.finalizer ? UNKNOWN : next;
        visitList(stmt.block.body, afterTry, inTry || !!stmt.handler || !!stmt.finalizer, breakTo);
        if (stmt.handler) visitList(stmt.handler.body.body, afterTry, inTry || !!stmt.finalizer, breakTo);
        if (stmt.finalizer) visitList(stmt.finalizer.body, next, inTry, breakTo);
        return;
      }
      case 'SwitchStatement': {
        // A case goes on into the next one; a break, after the switch.
        let fallsInto: Place = next;
        const places: Place[] = [];
        for (let k = stmt.cases.length - 1; k >= 0; k--) {
          places[k] = { list: stmt.cases[k].consequent, index: 0, inTry, after: fallsInto, breakTo: next };
          fallsInto = places[k];
        }
        stmt.cases.forEach((c: Node, k: number) => visitList(c.consequent, places[k + 1] ?? next, inTry, next));
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        return visitList(asList(stmt.body), UNKNOWN, inTry, UNKNOWN);
      case 'LabeledStatement':
        return visitStatement(stmt.body, UNKNOWN, inTry, UNKNOWN);
      default:
    }
  };
  if (fn.body?.type === 'BlockStatement') visitList(fn.body.body, null, false, UNKNOWN);
  return lines;
}

const CONSOLE = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace']);

/**
 * A value whose reading cannot throw nor depends on the answer: a literal, a name other than res (whose statusCode and
 * headersSent the send changes), a template of those. Not a member: `e.response.data` throws where `e.response` is
 * undefined, which before the answer would change it.
 */
function safeToLog(node: Node, resName: string): boolean {
  const n = unwrap(node);
  if (n.type === 'TemplateLiteral') return n.expressions.every((e: Node) => safeToLog(e, resName));
  return /Literal$/.test(n.type) || (n.type === 'Identifier' && n.name !== resName);
}

/** `console.error('delete failed', err)`, `console.log(`sent ${id}`)`: a log of values safe to log first. */
function plainLog(stmt: Node, resName: string): boolean {
  const call = stmt.type === 'ExpressionStatement' && unwrap(stmt.expression);
  if (call?.type !== 'CallExpression') return false;
  const callee = unwrap(call.callee);
  return callee.type === 'MemberExpression' && !callee.computed && isIdent(unwrap(callee.object), 'console') && CONSOLE.has(memberName(callee) ?? '') && call.arguments.every((a: Node) => safeToLog(a, resName));
}

/**
 * Logs right after a send (`res.status(500).json({ error: 'failed' }); console.error(e)`) move before it, in the
 * handler `fn` and the blocks it holds (not nested functions), so that the route's return there keeps them. Only a
 * send whose arguments run nothing, and logs of values that cannot throw (safeToLog): neither can change what the
 * other reads, so the order shows only in when the line is logged, which no request sees.
 */
export function logsBeforeAnswers(fn: Node, resName: string): void {
  if (fn.body?.type !== 'BlockStatement') return;
  for (const list of statementLists([fn.body], true)) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      if (stmt.type !== 'ExpressionStatement' || !SENDS.has(afterStatus(resChain(stmt.expression, resName)) ?? '')) continue;
      let logs = 0;
      while (i + 1 + logs < list.length && plainLog(list[i + 1 + logs], resName)) logs++;
      // Logs that end the handler stay: the route runs them in after(), as trailing work (response.ts).
      if (logs && !(list === fn.body.body && i + 1 + logs === list.length)) list.splice(i, logs + 1, ...list.slice(i + 1, i + 1 + logs), stmt);
      i += logs;
    }
  }
}
