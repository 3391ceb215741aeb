/**
 * Inside a project dispatcher of another module (`withMiddlewares(handlers, options)` returning `async (req, res) =>
 * { const h = handlers[req.method]; if (!h) return res.status(405)…; return h(req, res) }`): finds every call of a
 * handler looked up by the request's method, so that its route-handler version can call `h(request, context)`.
 *
 * The map may be read only in ways that keep each handler running for its own method alone: `handlers[req.method]`
 * (casts and `?? ''` allowed, the method also through `const method = req.method`) called with `(req, res)`, stored
 * in a `const` (or a `let` never assigned again) that is only called so or tested, or tested itself (`if (!handlers[method])`); `Object.keys(handlers)`
 * and `method in handlers`, and `typeof handlers` in a type. Anything else (the map spread into another object, passed on, a lookup by another key) and
 * the dispatcher is not followed.
 */
import { isIdent, isWrapper, memberName, unwrap, walk, type Node } from './ast.js';
import { isAssignedIn } from './free-names.js';

export interface MethodLookups {
  /** `h(req, res)` where `h` holds the looked-up handler. */
  aliasCalls: Node[];
  /** `handlers[req.method](req, res)`: the callee is the lookup itself. */
  directCalls: Node[];
  /** The `const h = handlers[req.method]` declarators. */
  aliases: Node[];
}

/** A read whose value only decides a branch: `!h`, `if (h)`, `h ? … : …`, `h && …`, `h === undefined`, `typeof h`. */
function isTest(parent: Node, key: string): boolean {
  if (parent.type === 'UnaryExpression') return parent.operator === '!' || parent.operator === 'typeof';
  if (parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') return key === 'test';
  if (parent.type === 'LogicalExpression') return key === 'left';
  return parent.type === 'BinaryExpression' && ['===', '!==', '==', '!='].includes(parent.operator);
}

/** `req.method`, also with a fallback a request never needs (`req.method ?? ''`) and casts. */
function isMethodRead(node: Node, reqName: string): boolean {
  const n = unwrap(node);
  if (n?.type === 'LogicalExpression' && (n.operator === '??' || n.operator === '||') && n.right.type === 'StringLiteral') return isMethodRead(n.left, reqName);
  return memberName(n) === 'method' && isIdent(unwrap(n.object), reqName);
}

export function methodLookups(body: Node, mapName: string, reqName: string, resName: string): MethodLookups | null {
  const parents = new Map<Node, { parent: Node; key: string }>();
  const methodLocals = new Set<string>();
  walk(body, (node, parent, key) => {
    if (parent) parents.set(node, { parent, key });
    // `const method = req.method as HttpMethod`
    if (node.type === 'VariableDeclarator' && parent?.kind === 'const' && isIdent(node.id) && node.init && isMethodRead(node.init, reqName)) methodLocals.add(node.id.name);
  });
  /** The node above `node` once TypeScript casts and parentheses are passed. */
  const above = (node: Node) => {
    let at = parents.get(node);
    while (at && isWrapper(at.parent)) at = parents.get(at.parent);
    return at;
  };
  const isMethodKey = (key: Node) => isMethodRead(key, reqName) || (isIdent(unwrap(key)) && methodLocals.has(unwrap(key).name));
  /** A `const`, or a `let` whose variable no assignment in the body changes: it holds the looked-up handler throughout. */
  const isFixed = (declaration: Node | undefined, name: string) => {
    if (declaration?.kind === 'const') return true;
    if (declaration?.kind !== 'let' || declaration.declarations.length !== 1) return false;
    return !isAssignedIn(body, name);
  };
  const calledWithReqRes = (call: Node) => call.arguments.length === 2 && isIdent(call.arguments[0], reqName) && isIdent(call.arguments[1], resName);

  const found: MethodLookups = { aliasCalls: [], directCalls: [], aliases: [] };
  const uses = (name: string): Node[] => {
    const out: Node[] = [];
    walk(body, (node, parent, key) => {
      if (!isIdent(node, name) || !parent) return;
      if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed) return;
      if ((parent.type === 'ObjectProperty' || parent.type === 'ObjectMethod') && key === 'key' && !parent.computed) return;
      out.push(node);
    });
    return out;
  };
  for (const ref of uses(mapName)) {
    const { parent, key } = parents.get(ref)!;
    if (parent.type === 'BinaryExpression' && parent.operator === 'in' && key === 'right') continue;
    // `keyof typeof handlers` in a cast: a type, no read of the map.
    if (parent.type === 'TSTypeQuery') continue;
    if (parent.type === 'CallExpression' && key === 'arguments' && parent.arguments.length === 1 && memberName(parent.callee) === 'keys' && isIdent(parent.callee.object, 'Object')) continue;
    if (parent.type !== 'MemberExpression' || key !== 'object' || !parent.computed || !isMethodKey(parent.property)) return null;
    const at = above(parent);
    if (!at) return null;
    if (at.parent.type === 'CallExpression' && at.key === 'callee') {
      if (!calledWithReqRes(at.parent)) return null;
      found.directCalls.push(at.parent);
    } else if (at.parent.type === 'VariableDeclarator' && at.key === 'init' && isIdent(at.parent.id) && isFixed(parents.get(at.parent)?.parent, at.parent.id.name)) {
      found.aliases.push(at.parent);
    } else if (!isTest(at.parent, at.key)) return null;
  }
  for (const alias of found.aliases) {
    for (const ref of uses(alias.id.name)) {
      if (ref === alias.id) continue;
      const at = above(ref);
      if (!at) return null;
      if (at.parent.type === 'CallExpression' && at.key === 'callee' && calledWithReqRes(at.parent)) found.aliasCalls.push(at.parent);
      else if (!isTest(at.parent, at.key)) return null;
    }
  }
  return found.aliasCalls.length + found.directCalls.length > 0 ? found : null;
}
