/**
 * Wrappers that use what the handler returns (route-wrapper.ts): `const result = await handler(req, res)` and then
 * `if (!res.headersSent && result) res.status(200).json(result)`. The handler either answered itself (headers sent)
 * or returned data for the wrapper to send.
 *
 * In the twin the handler's answer is a Response it returns, so the call becomes
 * `const result = await handler(request, context); if (result instanceof Response) return result;`: the handler's
 * answer goes out at once, as it went out at once in Pages, and any other value is left for the wrapper's code.
 *
 * Only where nothing that follows the call runs once the handler answered (resultCalls): Pages ran nothing more then
 * either. And when every handler call is so, no answer has gone out anywhere the twin's code still runs: every send
 * of the twin is a `return`, and the handler's answer was returned. So `res.headersSent` (and `res.writableEnded`,
 * `res.finished`) reads `false` there; foldAnswered puts that in and folds the conditions it decides. Code that ran
 * after a send in Pages, which the response rewrite may move into `after()`, did see `true`: the caller declines the
 * wrapper then.
 */
import type { JSCodeshift } from 'jscodeshift';
import { END, isFunction, isIdent, memberName, namesIn, statementLists, unwrap, walk, type Node, type Snippets } from './ast.js';

/** Fields of the Pages response that say whether it was sent. */
const SENT_FIELDS = new Set(['headersSent', 'writableEnded', 'finished']);

/** A handler call whose value the wrapper keeps (or drops), found as a statement of a list. */
interface ResultCall {
  list: Node[];
  index: number;
  call: Node;
  /** The name the result is declared under, or null for a call made as a statement. */
  name: string | null;
}

/** Whether `node` runs nothing when evaluated: a name, a literal, a member read of such. */
function isPlainValue(node: Node): boolean {
  const n = unwrap(node);
  if (n?.type === 'Identifier' || /Literal$/.test(n?.type ?? '')) return n.type !== 'TemplateLiteral' || n.expressions.length === 0;
  return (n?.type === 'MemberExpression' || n?.type === 'OptionalMemberExpression') && !n.computed && isPlainValue(n.object);
}

/** Whether the test `node` is false once `res` was sent: `!res.headersSent`, or that `&&` a plain value. */
function falseWhenSent(node: Node, resName: string): boolean {
  const n = unwrap(node);
  if (n?.type === 'UnaryExpression' && n.operator === '!') {
    const arg = unwrap(n.argument);
    return arg?.type === 'MemberExpression' && isIdent(arg.object, resName) && SENT_FIELDS.has(memberName(arg) ?? '');
  }
  if (n?.type !== 'LogicalExpression' || n.operator !== '&&') return false;
  // The right side runs only when the left is true: a left side that runs code would run it in Pages, not here.
  return falseWhenSent(n.left, resName) || (isPlainValue(n.left) && falseWhenSent(n.right, resName));
}

/** Whether `stmt` does nothing once `res` was sent: `if (!res.headersSent) …`, its `else if`s likewise. */
function idleWhenSent(stmt: Node | null | undefined, resName: string): boolean {
  if (!stmt) return true;
  if (stmt.type === 'BlockStatement') return stmt.body.every((s: Node) => idleWhenSent(s, resName));
  return stmt.type === 'IfStatement' && falseWhenSent(stmt.test, resName) && idleWhenSent(stmt.alternate, resName);
}

/**
 * The lists where a handler call is followed by nothing that runs once the handler answered, as the twin's early
 * return of its answer runs nothing after it: the function's own statements, and those of a `try` (without a
 * `finally`) that ends it.
 */
function endingLists(body: Node[]): Node[][] {
  const last = body.at(-1);
  return last?.type === 'TryStatement' && !last.finalizer ? [body, last.block.body] : [body];
}

/** The call a statement makes of one of `calls`: `const r = await handler(…)` or `await handler(…);`. */
function resultCallOf(stmt: Node, calls: Set<Node>): { call: Node; name: string | null } | null {
  // Awaited only: without the await, the wrapper's next statements ran before the handler had answered.
  const awaitedCall = (expr: Node): Node | null => {
    const n = unwrap(expr);
    return n?.type === 'AwaitExpression' && calls.has(unwrap(n.argument)) ? unwrap(n.argument) : null;
  };
  if (stmt.type === 'ExpressionStatement') {
    const call = awaitedCall(stmt.expression);
    return call ? { call, name: null } : null;
  }
  if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) {
    const [decl] = stmt.declarations;
    const call = awaitedCall(decl.init);
    // A destructured result (`const { data } = await handler(…)`) has no whole value to test for a Response.
    return call && decl.id.type === 'Identifier' ? { call, name: decl.id.name } : null;
  }
  return null;
}

/**
 * `const result = await handler(req, res); return result` at the end of the function (or of a `try` that ends it) is
 * `return await handler(req, res)`, a returned answer: each such pair becomes that, in place, when the name is a
 * `const` or `let` that nothing else in the list mentions (makerdao's withApiHandler).
 */
export function returnReturnedResults(j: JSCodeshift, body: Node[], calls: Node[]): void {
  const wanted = new Set(calls);
  for (const list of endingLists(body)) {
    const [kept, returned] = list.slice(-2);
    const hit = kept && resultCallOf(kept, wanted);
    if (!hit?.name || returned?.type !== 'ReturnStatement' || !isIdent(returned.argument, hit.name)) continue;
    // A `var` is the whole function's (a catch or an earlier closure may read it); a `const` or `let` is the list's,
    // where nothing else may mention it (a type query included).
    if (kept.kind === 'var' || namesIn({ type: 'BlockStatement', body: list.slice(0, -2) }).has(hit.name)) continue;
    list.splice(-2, 2, j.returnStatement(kept.declarations[0].init));
  }
}

/**
 * The handler calls of `calls` whose value the wrapper keeps, or after which it answers itself when the handler did
 * not: each followed, in a list that ends the function, by statements that do nothing once the handler answered (a
 * call as a statement, followed by nothing, is the handler's answer: the response rewrite returns it).
 */
function resultCalls(body: Node[], calls: Node[], resName: string): { found: ResultCall[]; runsOn: boolean } {
  const wanted = new Set(calls);
  const found: ResultCall[] = [];
  let runsOn = false;
  for (const list of statementLists(body, true))
    list.forEach((stmt, index) => {
      const hit = resultCallOf(stmt, wanted);
      const rest = list.slice(index + 1);
      if (!hit || (hit.name === null && !rest.length)) return;
      if (endingLists(body).includes(list) && rest.every((s) => idleWhenSent(s, resName))) found.push({ list, index, ...hit });
      else if (hit.name !== null) runsOn = true;
    });
  return { found, runsOn };
}

/**
 * Turns each handler call of `calls` whose value the wrapper keeps into the twin's form (see the file comment), in
 * place. Returns the calls it turned; the others are left for the response rewrite (returned answers), which names
 * any use it cannot follow. `runsOn`: a call whose value is kept is followed by code that runs once the handler
 * answered (for the reason the wrapper has no twin).
 */
export function takeHandlerResults(j: JSCodeshift, snip: Snippets, body: Node[], calls: Node[], names: { res: string; request: string; context: string }, fresh: (base: string) => string): { taken: Set<Node>; runsOn: boolean; values: Set<string> } {
  const taken = new Set<Node>();
  // The names the kept values go by: a handler that answered nothing gave undefined, which `res.json(result)` sent.
  const values = new Set<string>();
  const { request: requestName, context: contextName } = names;
  const { found, runsOn } = resultCalls(body, calls, names.res);
  // From the last: inserting a statement moves the later ones of the same list.
  for (const hit of found.reverse()) {
    hit.call.arguments = [j.identifier(requestName), j.identifier(contextName), ...hit.call.arguments.slice(2)];
    const name = hit.name ?? fresh('answer');
    values.add(name);
    const kept = hit.name ? [hit.list[hit.index]] : snip.statements(`const ${name} = await ${snip.src(hit.call)}${END}`);
    const check = snip.statements(`if (${name} instanceof Response) return ${name}${END}`);
    hit.list.splice(hit.index, 1, ...kept, ...check);
    taken.add(hit.call);
  }
  return { taken, runsOn, values };
}

/** Whether `node` reads whether `res` was sent (`res.headersSent`), not as the target of an assignment. */
function isSentRead(node: Node, parent: Node | null, key: string, resName: string): boolean {
  if (node.type !== 'MemberExpression' || !isIdent(node.object, resName) || !SENT_FIELDS.has(memberName(node) ?? '')) return false;
  return !(parent?.type === 'AssignmentExpression' && key === 'left');
}

/**
 * Whether every read of whether `res` was sent in `statements` (outside nested functions) lies in the `catch` of a
 * `try` without `finally` whose block makes one of the handler's `calls`. In the twin every send is a return, so such
 * a catch runs only on a throw before any answer: the handler's own answer call there threw before it returned one.
 * A handler that answered and then threw in Pages (its code after the send) throws in the twin from `after()`,
 * outside the wrapper, or before its answer is returned on Next.js before 15.1, which the route declines
 * (pages-api-to-route-handler.ts, `readsSent`).
 */
export function sentReadsOnlyInCatches(statements: Node[], resName: string, calls: Node[]): boolean {
  let outside = false;
  const makesCall = (block: Node) => {
    let found = false;
    walk(block, (node) => (found || calls.includes(node) ? ((found = true), false) : undefined), true);
    return found;
  };
  walk(
    { type: 'BlockStatement', body: statements },
    (node, parent, key) => {
      if (outside) return false;
      // Code after the try (`await handler(req, res); try { await audit() } catch …`) runs after the answer.
      if (node.type === 'CatchClause' && parent?.type === 'TryStatement' && !parent.finalizer && makesCall(parent.block)) return false;
      if (parent && isSentRead(node, parent, key, resName)) outside = true;
      return undefined;
    },
    true,
  );
  return !outside;
}

/** A literal `true` / `false`, or null. */
function booleanOf(node: Node): boolean | null {
  const n = unwrap(node);
  return n?.type === 'BooleanLiteral' || (n?.type === 'Literal' && typeof n.value === 'boolean') ? n.value : null;
}

/**
 * `!false` → `true`, `true && x` → `x`, `false || x` → `x`, `false ? a : b` → `b`: the expression `node` folds to, or
 * itself. `x && true` → `x` only as a test (`inTest`): as a value it is `true`, not x.
 */
function foldExpression(j: JSCodeshift, node: Node, inTest: boolean): Node {
  if (node.type === 'UnaryExpression' && node.operator === '!') {
    const value = booleanOf(node.argument);
    return value === null ? node : j.booleanLiteral(!value);
  }
  if (node.type === 'LogicalExpression' && (node.operator === '&&' || node.operator === '||')) {
    const left = booleanOf(node.left);
    const and = node.operator === '&&';
    if (left !== null) return left === and ? node.right : node.left;
    if (inTest && booleanOf(node.right) === and) return node.left;
  }
  if (node.type === 'ConditionalExpression') {
    const value = booleanOf(node.test);
    if (value !== null) return value ? node.consequent : node.alternate;
  }
  return node;
}

/** The statements an `if` whose test folded to `value` leaves: its consequent's or alternate's, or none. */
function branchStatements(stmt: Node, value: boolean): Node[] | null {
  const branch = value ? stmt.consequent : stmt.alternate;
  if (!branch) return [];
  if (branch.type !== 'BlockStatement') return [branch];
  // A block that declares names keeps its braces: its names would otherwise join the enclosing scope.
  const declares = branch.body.some((s: Node) => s.type === 'VariableDeclaration' ? s.kind !== 'var' : s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration');
  return declares ? null : branch.body;
}

/**
 * Replaces every read of whether `res` was sent in `statements` (outside nested functions) with `false` and folds
 * the conditions that decides (see the file comment). Returns how many reads it replaced.
 */
export function foldAnswered(j: JSCodeshift, statements: Node[], resName: string): number {
  let replaced = 0;
  const holder = j.blockStatement(statements);
  walk(
    holder,
    (node, parent, key) => {
      if (!parent || !isSentRead(node, parent, key, resName)) return undefined;
      const slot = parent[key];
      if (Array.isArray(slot)) slot[slot.indexOf(node)] = j.booleanLiteral(false);
      else parent[key] = j.booleanLiteral(false);
      replaced++;
      return false;
    },
    true,
  );
  if (!replaced) return 0;
  foldNode(j, holder);
  statements.splice(0, statements.length, ...holder.body);
  return replaced;
}

/** Folds below `node` first, then `node`'s own conditions and statement lists. */
function foldNode(j: JSCodeshift, node: Node): void {
  if (!node || typeof node.type !== 'string' || isFunction(node)) return;
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'original' || key === 'comments' || key === 'leadingComments' || key === 'trailingComments') continue;
    const child = node[key];
    if (Array.isArray(child)) child.forEach((c) => foldNode(j, c));
    else if (child && typeof child.type === 'string') {
      foldNode(j, child);
      const folded = foldExpression(j, child, key === 'test');
      if (folded !== child) node[key] = folded;
      // `else if (true) {…}` / `else if (false) …`: the alternate becomes the branch that runs.
      const value = key === 'alternate' && child.type === 'IfStatement' ? booleanOf(child.test) : null;
      if (value !== null) node[key] = (value ? child.consequent : child.alternate) ?? null;
    }
  }
  for (const key of ['body', 'consequent'] as const) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    const out: Node[] = [];
    for (const stmt of list) {
      const value = stmt?.type === 'IfStatement' ? booleanOf(stmt.test) : null;
      const kept = value === null ? null : branchStatements(stmt, value);
      if (kept) out.push(...kept);
      else out.push(stmt);
    }
    node[key] = out;
  }
}
