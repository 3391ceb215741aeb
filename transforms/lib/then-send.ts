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
import { END, freshName, isIdent, memberName, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';

function mentionsName(root: Node, name: string): boolean {
  let found = false;
  walk(root, (node, parent, key) => {
    if (found) return false;
    const isProperty = (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed;
    if (isIdent(node, name) && !isProperty && !(parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) found = true;
    return undefined;
  });
  return found;
}

function usesRes(root: Node, resName: string): boolean {
  return mentionsName(root, resName);
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

/** Rewrites such statements of `body` (and of the blocks inside it, not of nested functions) in place. */
/** Whether `name` appears anywhere in `root` outside `skip`. */
function usedOutside(root: Node, skip: Node, name: string): boolean {
  let found = false;
  walk(root, (node) => {
    if (found || node === skip) return false;
    if (isIdent(node, name)) found = true;
    return undefined;
  });
  return found;
}

/** `taken`: names this rewrite has already given out. */
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
      if (callback.async || callback.generator || !usesRes(callback.body, resName)) continue;
      let hasReturn = false;
      if (callback.body.type === 'BlockStatement') {
        walk(callback.body, (node) => {
          if (node.type === 'ReturnStatement') hasReturn = true;
          return undefined;
        }, true);
      }
      if (hasReturn || mentionsName(callback.body, 'this') || mentionsName(callback.body, 'arguments')) continue;
      if (found.assigned && [...after(i)].some((s) => mentionsName(s, found.assigned!))) continue;
      // A name free in the module: the callback's parameter may repeat one of the handler's own.
      let name = param?.name;
      if (name && (taken.has(name) || usedOutside(program, callback, name))) {
        const fresh = freshName(name, new Set([...taken, ...namesIn(program)]));
        walk(callback.body, (node, parent, key) => {
          const isProperty = (parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed;
          if (isIdent(node, name) && !isProperty && !(parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) {
            if (parent?.type === 'ObjectProperty' && parent.shorthand) parent.shorthand = false;
            node.name = fresh;
          }
          return undefined;
        });
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
