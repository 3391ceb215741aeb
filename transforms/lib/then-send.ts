/**
 * `await promise.then((data) => res.status(200).json(data))`: a send inside a `.then` callback that the handler
 * awaits (or returns). Written as statements, it reads the same and runs in the same order:
 * `const data = await promise; res.status(200).json(data)`, which the response rewrite then handles like any send.
 *
 * Only when nothing can tell the difference: the callback takes at most one plain parameter and has no `return` of
 * its own (its value would have gone to the awaited result), the awaited result is dropped or kept in a variable
 * nobody reads, and `.then` has no second (rejection) callback. A rejected promise throws at the `await` either way.
 */
import type { JSCodeshift } from 'jscodeshift';
import { END, countIdentifiers, freshName, memberName, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { referencesTo, renameReferences } from './scope.js';

/** Whether `root` reads the variable `name` (scope-aware, as the request and response rewrites see it). */
function mentionsName(root: Node, name: string): boolean {
  return referencesTo([root], name).length > 0;
}

/** The `.then(cb)` call awaited or returned by `stmt`, with the variable it is assigned to. */
function awaitedThen(stmt: Node): { call: Node; assigned?: string } | null {
  let expr: Node;
  let assigned: string | undefined;
  if (stmt.type === 'ExpressionStatement') expr = stmt.expression;
  else if (stmt.type === 'ReturnStatement' && stmt.argument) expr = stmt.argument;
  else if (stmt.type === 'VariableDeclaration' && stmt.kind !== 'var' && stmt.declarations.length === 1 && stmt.declarations[0].id.type === 'Identifier' && stmt.declarations[0].init) {
    expr = stmt.declarations[0].init;
    assigned = stmt.declarations[0].id.name;
  } else return null;
  let call = unwrap(expr);
  if (call?.type === 'AwaitExpression') call = unwrap(call.argument);
  else if (stmt.type !== 'ReturnStatement') return null;
  if (call?.type !== 'CallExpression' || memberName(call.callee) !== 'then' || call.callee.computed || call.arguments.length !== 1) return null;
  return { call, assigned };
}

function usesThis(root: Node): boolean {
  let found = false;
  walk(root, (node) => {
    if (node.type === 'ThisExpression') found = true;
  }, true);
  return found;
}

/**
 * Rewrites such statements of `body` (and of the blocks inside it, not of nested functions) in place.
 * `taken`: names this rewrite has already given out.
 */
export function inlineThenSends(j: JSCodeshift, snip: Snippets, program: Node, body: Node[], resName: string, taken: Set<string>): void {
  const rewriteList = (list: Node[], after: (i: number) => Node[]): void => {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const found = awaitedThen(stmt);
      if (!found) continue;
      const callback = unwrap(found.call.arguments[0]);
      if (!callback || (callback.type !== 'ArrowFunctionExpression' && callback.type !== 'FunctionExpression') || callback.params.length > 1) continue;
      const param = callback.params[0];
      if (param && param.type !== 'Identifier') continue;
      if (callback.async || callback.generator || !mentionsName(callback.body, resName)) continue;
      let hasReturn = false;
      if (callback.body.type === 'BlockStatement') {
        walk(callback.body, (node) => {
          if (node.type === 'ReturnStatement') hasReturn = true;
          return undefined;
        }, true);
      }
      // `arguments`, and a function expression's own `this`, would change meaning inlined.
      if (hasReturn || mentionsName(callback.body, 'arguments') || (callback.type === 'FunctionExpression' && usesThis(callback.body))) continue;
      if (found.assigned && [...after(i)].some((s) => mentionsName(s, found.assigned!))) continue;
      // A name free in the module: the callback's parameter may repeat one of the handler's own.
      let name = param?.name;
      if (name && (taken.has(name) || countIdentifiers(program, name, callback) > 0)) {
        const fresh = freshName(name, new Set([...taken, ...namesIn(program)]));
        renameReferences([callback.body], name, fresh);
        name = fresh;
      }
      if (name) taken.add(name);
      const promise = snip.src(found.call.callee.object);
      const awaited = snip.statements(name ? `const ${name} = await ${promise}${END}` : `await ${promise}${END}`);
      const work: Node[] = callback.body.type === 'BlockStatement' ? callback.body.body : [j.expressionStatement(callback.body)];
      // `return promise.then(…)`: the handler ended there.
      const ending = stmt.type === 'ReturnStatement' ? snip.statements(`return${END}`) : [];
      awaited[0] = snip.withCommentsOf(stmt, awaited[0]);
      list.splice(i, 1, ...awaited, ...work, ...ending);
      i += awaited.length + work.length + ending.length - 1;
    }
    list.forEach(visitStatement);
  };
  const visitBlock = (node: Node | null | undefined) => {
    if (node?.type === 'BlockStatement') rewriteList(node.body, (k) => node.body.slice(k + 1));
    else if (node) visitStatement(node);
  };
  function visitStatement(stmt: Node): void {
    switch (stmt.type) {
      case 'BlockStatement':
        return visitBlock(stmt);
      case 'IfStatement':
        visitBlock(stmt.consequent);
        return visitBlock(stmt.alternate);
      case 'TryStatement':
        visitBlock(stmt.block);
        visitBlock(stmt.handler?.body);
        return visitBlock(stmt.finalizer);
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
        return visitBlock(stmt.body);
      case 'SwitchStatement':
        for (const c of stmt.cases) rewriteList(c.consequent, (k) => c.consequent.slice(k + 1));
        return;
      default:
    }
  }
  rewriteList(body, (k) => body.slice(k + 1));
}
