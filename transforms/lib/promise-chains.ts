/**
 * A promise chain that answers in its callbacks, as handlers written before async/await do:
 *
 *     fetch(url)
 *       .then((r) => r.json())
 *       .then((data) => res.status(200).json(data))
 *       .catch((error) => res.status(500).json({ error: error.message }));
 *
 * becomes the same steps, awaited in order, in a `try` whose `catch` is the chain's `.catch`:
 *
 *     try {
 *       const r = await fetch(url);
 *       const data = await r.json();
 *       res.status(200).json(data);
 *     } catch (error) {
 *       res.status(500).json({ error: error.message });
 *     }
 *
 * which the response rewrite then handles like any send (a chain without `.catch` goes into a plain block).
 *
 * Why it runs the same: each `.then` callback ran with the value the step before resolved to, after it; `.catch` ran
 * with whatever the promise or any callback before it rejected with or threw, and so does the `catch` block. Not
 * followed, and left to the response rewrite to report as before (`res is used inside a callback`):
 *  - a chain not awaited (`fetch(url).then(…)` as a statement) unless nothing of the handler runs after it: Pages'
 *    handler went on at once, and the route would wait; a chain assigned (`const x = await p.then(…)`), whose value
 *    the rest reads;
 *  - `.then(onFulfilled, onRejected)`, `.finally`, a `.catch` before a `.then`, a callback that is not an inline
 *    function of at most one plain parameter, or that uses `arguments` or (a function expression's) `this`;
 *  - a `.then` callback before the last that does not give its value by an expression body or a last `return`;
 *  - a `return` in the last callbacks (the last `.then`, the `.catch`) that returns anything but an answer, or where
 *    the handler would run on after it (the chain not the handler's last work);
 *  - names that the inlined callbacks would share: one declaring what another declares or reads.
 * An unawaited chain without `.catch` whose promise rejects left the Pages request without an answer (an unhandled
 * rejection); the route answers 500 then, and the report says so.
 *
 * The same walk finds the handler's last work done by a call with an error-first callback that answers
 * (`fs.readFile(file, (err, data) => …)`): error-first-callbacks.ts.
 */
import type { JSCodeshift } from 'jscodeshift';
import { END, freshName, isIdent, memberName, namesIn, unwrap, usesOwnThisOrArguments, walk, type Node, type Snippets } from './ast.js';
import { renameReferences } from './scope.js';
import { returnsOf } from './res-helpers.js';
import { inlineErrorFirstCallback } from './error-first-callbacks.js';
import { declaredNames, freeNames } from './free-names.js';

interface Link {
  kind: 'then' | 'catch';
  callback: Node;
  /**
   * The comments written about the link: on lines of their own before it (`// parse it` above `.then(…)`), or at the
   * end of its line (`.then((r) => r.json()) // parse`). Both are held as trailing comments of what precedes them.
   */
  comments: Node[];
}

/** Whether comment `c` stands on the line where `node` ends (`.then(…) // parse`): it is about what ends there. */
function onEndLine(c: Node, node: Node): boolean {
  return !!c.loc && !!node.loc && c.loc.start.line === node.loc.end.line;
}

/**
 * `base.then(a).then(b).catch(c)`: the base and its links in order, or null when it is no such chain. `after`: the
 * comments after the whole chain (its statement's trailing ones), which are about its last link; `baseComments`, the
 * ones at the end of the base's line.
 */
function chainOf(expr: Node, after: Node[] = []): { base: Node; links: Link[]; baseComments: Node[] } | null {
  const links: Link[] = [];
  let node = unwrap(expr);
  // The promise as written: a type assertion on it (`(get(id) as Promise<User>)`) types what the first step awaits.
  let base = expr;
  // Comments at the end of the line where the link found next (going inward) ends.
  let endOfLine = after;
  while (node?.type === 'CallExpression' && node.callee.type === 'MemberExpression' && !node.callee.computed) {
    const name = memberName(node.callee);
    if (name !== 'then' && name !== 'catch') break;
    if (node.arguments.length !== 1) return null;
    const object = node.callee.object;
    const trailing: Node[] = (object.comments ?? []).filter((c: Node) => c.trailing);
    const ownLines = trailing.filter((c) => !onEndLine(c, object));
    links.unshift({ kind: name, callback: unwrap(node.arguments[0]), comments: [...ownLines, ...endOfLine] });
    endOfLine = trailing.filter((c) => onEndLine(c, object));
    base = object;
    node = unwrap(base);
  }
  if (!links.some((l) => l.kind === 'then')) return null;
  // Only `.then`s, then at most one `.catch` at the end.
  const catches = links.filter((l) => l.kind === 'catch');
  if (catches.length > 1 || (catches.length === 1 && links[links.length - 1].kind !== 'catch')) return null;
  return { base, links, baseComments: endOfLine };
}

/** A comment as source text. */
function commentText(c: Node): string {
  return c.type === 'CommentLine' ? `//${c.value}` : `/*${c.value}*/`;
}

/** Expressions that `await x` takes whole; any other (`a ? b : c`, `a || b`, `x as T`) goes in parentheses. */
const TIGHT = new Set(['Identifier', 'CallExpression', 'OptionalCallExpression', 'MemberExpression', 'OptionalMemberExpression', 'NewExpression', 'StringLiteral', 'NumericLiteral', 'BooleanLiteral', 'NullLiteral', 'TemplateLiteral', 'ArrayExpression', 'ThisExpression']);

/** `await` of `node` as source text, parenthesised where needed. */
function awaitOf(snip: Snippets, node: Node, text = snip.src(node)): string {
  // A node written in parentheses may bring them in its text.
  const inParens = node.extra?.parenthesized && text.startsWith('(') && text.endsWith(')');
  return TIGHT.has(node.type) || inParens ? `await ${text}` : `await (${text})`;
}

/** The return statements of a callback's own body (not of functions inside it); none for an expression body. */
function ownReturns(fn: Node): Node[] {
  return fn.body.type === 'BlockStatement' ? returnsOf(fn.body.body) : [];
}

/** A send on res (`res.status(404).json(…)`, awaited or not): the root of its call chain is res. */
function isSendOn(expr: Node | null | undefined, resName: string): boolean {
  let node = expr && unwrap(expr);
  if (node?.type === 'AwaitExpression') node = unwrap(node.argument);
  if (node?.type !== 'CallExpression') return false;
  while (node?.type === 'CallExpression' && node.callee.type === 'MemberExpression') node = unwrap(node.callee.object);
  return isIdent(node, resName);
}

/**
 * The promise's source without the line breaks before its member calls (`db\n  .findUser(id)` → `db.findUser(id)`),
 * which a chain split over lines had and a `const x = await …` would keep. Only when nothing in it could span or end
 * a line: a template literal, a string, a comment.
 */
function oneLine(text: string, node: Node): string {
  let kept = /\/\/|\/\*|\\/.test(text);
  walk(node, (n) => {
    if (n.type === 'TemplateLiteral') kept = true;
  });
  return kept ? text : text.replace(/\n\s*(\?\.|\.)/g, '$1');
}

/** `node` without the parentheses around it (their text is not the node's: `awaitOf` adds its own). */
function unwrapParens(node: Node): Node {
  return node.type === 'ParenthesizedExpression' ? unwrapParens(node.expression) : node;
}

export interface PromiseChains {
  /** Report notes (an unawaited chain without `.catch` now answers 500 on a rejection). */
  notes: string[];
}

/**
 * Rewrites such statements of `body` (and of the blocks inside it, not of nested functions) in place.
 */
/**
 * `laterAnswers`: an answer given after the handler returned still counts (no wrapper acts on the handler's return):
 * an unawaited chain and an error-first callback as the handler's last work are followed only then.
 */
export function inlinePromiseChains(j: JSCodeshift, snip: Snippets, body: Node[], resName: string, typescript: boolean, laterAnswers = true): PromiseChains {
  const notes: string[] = [];
  let names: Set<string> | undefined;
  const handlerNames = () => (names ??= namesIn(j.blockStatement(body)));

  /**
   * The statements that replace `stmt`, or null when the chain is not followed. `tail`: nothing runs after it.
   * `settled`: nothing of the handler runs after it once it completes (a `finally` aside), though a rejection may
   * still reach a `catch` around it: the last work of a `try` block that ends the handler. An awaited chain there
   * ends the handler when it settles, so a `return` in its last callbacks may end the route function.
   * `caughtBy`: the `try` whose block ends the handler with this statement, when it is not the handler's last work itself.
   */
  const rewrite = (stmt: Node, tail: boolean, settled: boolean, caughtBy: Node | null): Node[] | null => {
    let expr: Node | null = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
    if (!expr) return null;
    expr = unwrap(expr);
    const awaited = expr.type === 'AwaitExpression';
    if (awaited) expr = unwrap(expr.argument);
    // A comment at the end of the statement's line is about its last link; one on a line of its own after it stays after it.
    const trailing: Node[] = (stmt.comments ?? []).filter((c: Node) => c.trailing);
    const chain = chainOf(expr, trailing.filter((c) => onEndLine(c, stmt)));
    // Not a chain: maybe a Node-style call whose error-first callback answers (error-first-callbacks.ts).
    if (!chain) return awaited || !laterAnswers ? null : inlineErrorFirstCallback(stmt, tail || caughtBy !== null, { j, snip, resName, typescript, isSend: (e) => isSendOn(e, resName), taken: handlerNames(), caughtBy }, notes);
    const returned = stmt.type === 'ReturnStatement';
    // Not awaited: Pages' handler went on at once. Only the handler's last work waits the same.
    if (!awaited && !returned && (!tail || !laterAnswers)) return null;
    const ends = returned || tail || (awaited && settled);
    const thens = chain.links.filter((l) => l.kind === 'then');
    const caught = chain.links.find((l) => l.kind === 'catch');
    let mentionsRes = false;
    for (const { callback } of chain.links) {
      if (callback.type !== 'ArrowFunctionExpression' && callback.type !== 'FunctionExpression') return null;
      if (callback.generator || callback.params.length > 1 || (callback.params[0] && (callback.params[0].type !== 'Identifier' || callback.params[0].optional))) return null;
      if (usesOwnThisOrArguments(callback)) return null;
      walk(callback.body, (node) => {
        if (isIdent(node, resName)) mentionsRes = true;
      });
    }
    // A chain that never touches res is the route's own business, as it was the handler's.
    if (!mentionsRes) return null;

    // The .then callbacks share the try block: a parameter that repeats an earlier one's name (`.then((item) => …)
    // .then((item) => …)`, common) is renamed; any other name one declares that another declares or reads (or the
    // promise reads) leaves the chain as it is.
    const declaredBy = (callback: Node): string[] => [
      ...(callback.params[0] ? [callback.params[0].name as string] : []),
      ...(callback.body.type === 'BlockStatement' ? callback.body.body.flatMap((s: Node) => declaredNames(s)) : []),
    ];
    const renames: Array<{ callback: Node; to: string }> = [];
    const seen = new Set<string>();
    const everyName = new Set<string>([...namesIn(j.blockStatement(body)), ...thens.flatMap(({ callback }) => [...namesIn(callback)])]);
    for (const { callback } of thens) {
      const param: string | undefined = callback.params[0]?.name;
      if (param && seen.has(param)) {
        const to = freshName(param, everyName);
        everyName.add(to);
        renames.push({ callback, to });
        seen.add(to);
      } else if (param) seen.add(param);
      for (const name of declaredBy(callback).slice(param ? 1 : 0)) seen.add(name);
    }
    const units = thens.map(({ callback }) => {
      const renamed = renames.find((r) => r.callback === callback)?.to;
      const own = declaredBy(callback);
      const reads = new Set(freeNames(callback.body).reads);
      if (renamed) {
        own[0] = renamed;
        reads.delete(callback.params[0].name);
        reads.add(renamed);
      }
      return { declared: own, reads };
    });
    const all = units.flatMap((u) => u.declared);
    if (new Set(all).size !== all.length) return null;
    const baseReads = freeNames(chain.base).reads;
    if (all.some((n) => baseReads.has(n))) return null;
    for (const [i, unit] of units.entries()) if (units.some((other, k) => k !== i && other.declared.some((n) => unit.reads.has(n)))) return null;
    // Whatever a callback does with its returns, checked before anything changes.
    for (const [i, { callback }] of thens.entries()) {
      const returns = ownReturns(callback);
      if (i === thens.length - 1) {
        if (!returns.every((r) => !r.argument || isSendOn(r.argument, resName)) || (returns.length && !ends)) return null;
      } else if (callback.body.type === 'BlockStatement') {
        // Its value is the last statement's `return`, and nothing else returns.
        const inner: Node[] = callback.body.body;
        if (returns.length !== 1 || inner[inner.length - 1] !== returns[0] || !returns[0].argument) return null;
      }
    }
    const catchReturns = caught ? ownReturns(caught.callback) : [];
    if (!catchReturns.every((r) => !r.argument || isSendOn(r.argument, resName)) || (catchReturns.length && !ends)) return null;

    for (const { callback, to } of renames) {
      renameReferences([callback.body], callback.params[0].name, to);
      callback.params[0].name = to;
    }
    const statements: Node[] = [];
    // A comment before a link goes before the statements made of it, not after the promise (or nowhere).
    const linkComments = (link: Link): string[] => link.comments.map(commentText);
    const inChain = new Set([...chain.links.flatMap((l) => l.comments), ...chain.baseComments]);
    const baseNode = unwrapParens(chain.base);
    for (const node of [chain.base, baseNode]) if (node.comments) node.comments = node.comments.filter((c: Node) => !inChain.has(c));
    const baseText = oneLine(snip.src(baseNode), chain.base);
    // What the promise's own expression throws (`db.get(JSON.parse(text))`) did not reach .catch: it is made before
    // the try, which then awaits it.
    const ahead: Node[] = [];
    let value = awaitOf(snip, unwrapParens(chain.base), baseText);
    if (caught && unwrapParens(chain.base).type !== 'Identifier') {
      const promise = freshName('promise', everyName);
      ahead.push(...snip.statements(`const ${promise} = ${baseText}${END}`));
      value = `await ${promise}`;
    }
    for (const [i, link] of thens.entries()) {
      const { callback } = link;
      const last = i === thens.length - 1;
      const param = callback.params[0];
      // The parameter's own type annotation, if any, goes with it; one the callback assigns is a `let`.
      const kind = param && freeNames(callback.body).writes.has(param.name) ? 'let' : 'const';
      statements.push(...snip.statements(param ? `${kind} ${snip.src(param)} = ${value}${END}` : `${value}${END}`, linkComments(link)));
      if (callback.body.type === 'BlockStatement') {
        const inner: Node[] = callback.body.body;
        if (last) statements.push(...inner);
        else {
          statements.push(...inner.slice(0, -1));
          value = awaitOf(snip, inner[inner.length - 1].argument);
        }
      } else if (last) statements.push(j.expressionStatement(isSendOn(callback.body, resName) ? callback.body : j.awaitExpression(callback.body)));
      else value = awaitOf(snip, callback.body);
    }

    let replacement: Node;
    if (caught) {
      const { callback } = caught;
      const param: string | undefined = callback.params[0]?.name;
      // A .catch callback's parameter was `any`; a catch clause's is `unknown` under strict TypeScript.
      const caughtParam = param ? (typescript ? `${param}: any` : param) : null;
      const handlerBody: Node[] = callback.body.type === 'BlockStatement' ? callback.body.body : [j.expressionStatement(isSendOn(callback.body, resName) ? callback.body : j.awaitExpression(callback.body))];
      if (handlerBody.length && caught.comments.length) handlerBody[0] = snip.withCommentsOf(handlerBody[0], handlerBody[0], linkComments(caught));
      else if (caught.comments.length) handlerBody.push(...snip.statements('', linkComments(caught)));
      const [tryStatement] = snip.statements(`try {} catch${caughtParam ? ` (${caughtParam})` : ''} {}`);
      tryStatement.block.body = statements;
      tryStatement.handler.body.body = handlerBody;
      replacement = tryStatement;
    } else {
      replacement = j.blockStatement(statements);
      if (!awaited && !returned) notes.push(`line ${stmt.loc?.start.line ?? '?'}: the promise chain is now awaited; when it rejects the route answers 500, where Pages never answered (no .catch)`);
    }
    const out = [...ahead, replacement];
    out[0] = snip.withCommentsOf(stmt, out[0], chain.baseComments.map(commentText));
    const below = trailing.filter((c) => !onEndLine(c, stmt));
    if (below.length) out[out.length - 1].comments = [...(out[out.length - 1].comments ?? []), ...below];
    // `return promise.then(…)`: the handler ended there (where more follows).
    if (returned && !tail) out.push(...snip.statements(`return${END}`));
    return out;
  };

  /**
   * `tail`: nothing of the handler runs after the list; `endsThere`: nothing runs after its last statement either
   * (false for a switch case that falls through into the next); `breakEnds`: a `break` after a statement ends it.
   */
  const rewriteList = (list: Node[], tail: boolean, settled: boolean, endsThere: boolean, breakEnds: boolean, caughtBy: Node | null): void => {
    for (let i = 0; i < list.length; i++) {
      const rest = list.slice(i + 1);
      const isBreak = (s: Node | undefined) => breakEnds && s?.type === 'BreakStatement' && !s.label;
      // A case's block that ends in its own `break` (`case 'POST': { …; break }`) falls through into nothing.
      const ownBreak = list[i].type === 'BlockStatement' && isBreak(list[i].body[list[i].body.length - 1]);
      const last = (rest.length === 0 && (endsThere || ownBreak)) || (rest.length === 1 && ((rest[0].type === 'ReturnStatement' && !rest[0].argument) || isBreak(rest[0])));
      const replaced = rewrite(list[i], tail && last, settled && last, last ? caughtBy : null);
      if (replaced) {
        list.splice(i, 1, ...replaced);
        i += replaced.length - 1;
        continue;
      }
      visitStatement(list[i], tail && last, settled && last, breakEnds, last ? caughtBy : null);
    }
  };
  // Inside a switch case (loops are not entered), a `break` in a nested block leaves the switch too.
  const visitBlock = (node: Node | null | undefined, tail: boolean, settled: boolean, breakEnds: boolean, caughtBy: Node | null) => {
    if (node?.type === 'BlockStatement') rewriteList(node.body, tail, settled, true, breakEnds, caughtBy);
  };
  function visitStatement(stmt: Node, tail: boolean, settled: boolean, breakEnds: boolean, caughtBy: Node | null): void {
    switch (stmt.type) {
      case 'BlockStatement':
        return visitBlock(stmt, tail, settled, breakEnds, caughtBy);
      case 'IfStatement':
        visitBlock(stmt.consequent, tail, settled, breakEnds, caughtBy);
        return visitBlock(stmt.alternate, tail, settled, breakEnds, caughtBy);
      case 'TryStatement':
        // A rejection would now reach this try's catch, where it reached none before: no statement in it ends the
        // handler. An error-first callback at its end may still be run there (error-first-callbacks.ts), unless a
        // finally would then run after the callback, where it ran before it.
        // Once the block's last work settles, nothing but a finally runs: it is `settled` there.
        visitBlock(stmt.block, false, settled, breakEnds, (tail || caughtBy) && stmt.handler && !stmt.finalizer ? stmt : null);
        visitBlock(stmt.handler?.body, tail && !stmt.finalizer, settled, breakEnds, stmt.finalizer ? null : caughtBy);
        return visitBlock(stmt.finalizer, tail, settled, breakEnds, caughtBy);
      case 'SwitchStatement':
        // A case's last statement falls through into the next case unless a break ends it, or it is the last case.
        stmt.cases.forEach((c: Node, k: number) => rewriteList(c.consequent, tail, settled, k === stmt.cases.length - 1, true, caughtBy));
        return;
      default:
    }
  }
  rewriteList(body, true, true, true, false, null);
  return { notes };
}
