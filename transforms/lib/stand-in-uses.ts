/**
 * Uses of the Pages req and res that the compat module's stand-ins (nextAuthRequest, nextAuthResponse) answer as Pages
 * did, for the helpers routes call with them: Supabase's (supabase-helper.ts) and those that build next-auth's options
 * from the request (stand-in-helper.ts). Also the module's functions by name, which both follow.
 */
import { isIdent, isMember, memberName, pastWrappers, stringValue, unwrap, type Node } from './ast.js';
import { aliasReads, constAliasOf } from './carrier-param.js';

/** The module's functions by name: declarations and consts bound to a function, exported or not. */
export function functionsByName(program: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' || raw.type === 'ExportDefaultDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'FunctionDeclaration' && stmt.id) out.set(stmt.id.name, stmt);
    if (stmt?.type === 'VariableDeclaration')
      for (const d of stmt.declarations) {
        const init = d.init && unwrap(d.init);
        if (isIdent(d.id) && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) out.set(d.id.name, init);
      }
  }
  return out;
}

const RESPONSE_CALLS = new Set(['setHeader', 'appendHeader']);
/** Calls that only read the object they are given: `Object.keys(req.cookies)`. */
const OBJECT_READS = new Set(['keys', 'values', 'entries']);

/**
 * Whether `node` (a member, or one read off it; under `parent`, itself under `grand`) is assigned, updated or deleted:
 * also as a target of a destructuring (`[cookies.seen] = …`, `({ a: cookies.seen } = …)`, `…cookies.rest`), of a
 * default (`[cookies.seen = '1'] = …`) or of a `for…of` / `for…in`.
 */
export function isWrittenAt(node: Node, parent: Node | undefined, grand: Node | undefined): boolean {
  if (parent?.type === 'AssignmentExpression' || parent?.type === 'AssignmentPattern' || parent?.type === 'ForOfStatement' || parent?.type === 'ForInStatement') return parent.left === node;
  if (parent?.type === 'ArrayPattern' || parent?.type === 'RestElement') return true;
  if (parent?.type === 'ObjectProperty' && parent.value === node) return grand?.type === 'ObjectPattern';
  return parent?.type === 'UpdateExpression' || (parent?.type === 'UnaryExpression' && parent.operator === 'delete');
}

/** `{}`: what `req.cookies || {}` falls back to, which holds nothing to write to. */
const isEmptyObject = (node: Node) => unwrap(node).type === 'ObjectExpression' && unwrap(node).properties.length === 0;

/** `console.log(…, node)`: logged, which only reads it. */
function isLogged(node: Node, holder: Node | undefined): boolean {
  const callee = holder?.type === 'CallExpression' && holder.arguments.includes(node) ? holder.callee : null;
  return isMember(callee) && isIdent(callee.object, 'console') && !callee.computed;
}

/**
 * `req.cookies` / `req.headers` (`start`, with its ancestors from a root) only read from: the object of a
 * read of one of them (`req.headers.authorization`, `req.cookies[name]`), given to `Object.keys` and the like or to
 * `console.log`, also past a cast or a `|| {}`, or held in a const that is only read from in the same ways
 * (`const cookies = (req.cookies as Record<string, string>) || {}`). Any other use may write to them, which the
 * handler would see in Pages.
 */
export function onlyReadFrom(start: Node, ancestors: Node[], aliases = 1): boolean {
  let { node, at } = pastWrappers(start, ancestors);
  while (ancestors[at]?.type === 'LogicalExpression' && ancestors[at].left === node && ['||', '??'].includes(ancestors[at].operator) && isEmptyObject(ancestors[at].right)) ({ node, at } = pastWrappers(ancestors[at], ancestors.slice(0, at)));
  const [above, further] = [ancestors[at], ancestors[at - 1]];
  if (isMember(above) && above.object === node) return !isWrittenAt(above, further, ancestors[at - 2]);
  if (isLogged(node, above)) return true;
  const callee = above?.type === 'CallExpression' && above.arguments.length === 1 && above.arguments[0] === node ? above.callee : null;
  if (isMember(callee) && isIdent(callee.object, 'Object') && OBJECT_READS.has(memberName(callee) ?? '')) return true;
  const alias = aliases > 0 ? constAliasOf(node, ancestors, at) : null;
  return alias !== null && aliasReads(alias).every((ref) => onlyReadFrom(ref.node, ref.ancestors, aliases - 1));
}

/**
 * `const existing = res.getHeader('Set-Cookie')` (`call`, with its ancestors), read only to add the cookies set so far
 * to others: tested with both `typeof existing === 'string'` and `Array.isArray(existing)`, and otherwise only pushed
 * (`all.push(existing)`), spread into an array (`[...existing]`) or put in one on its own (`[existing]`). Node gives
 * back what was set, a string set as one (by the route before the helper) or the array itself; the stand-in gives a
 * new array. Code that takes either form
 * into a list of its own reads both the same; any other use (`[existing, cookie]`, `existing.push(cookie)`) would not
 * (a log of it, `console.log(existing)`, prints the other form).
 */
function addsSetCookies(call: Node, ancestors: Node[]): boolean {
  const { node, at } = pastWrappers(call, ancestors);
  const alias = constAliasOf(node, ancestors, at);
  if (!alias) return false;
  const uses = { typeof: false, isArray: false };
  const ok = aliasReads(alias).every(({ node: ref, parent, key }) => {
    if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') return (uses.typeof = true);
    if (isLogged(ref, parent)) return true;
    const callee = parent.type === 'CallExpression' && key === 'arguments' && parent.arguments.length === 1 ? parent.callee : null;
    if (isMember(callee) && !callee.computed && isIdent(callee.object, 'Array') && memberName(callee) === 'isArray') return (uses.isArray = true);
    if (isMember(callee) && !callee.computed && memberName(callee) === 'push') return true;
    // `[existing]` (the string on its own in a list), `[...existing]`.
    return (parent.type === 'ArrayExpression' && parent.elements.length === 1) || (parent.type === 'SpreadElement' && parent.argument === ref);
  });
  return ok && uses.typeof && uses.isArray;
}

/**
 * A use of the Pages response the stand-in answers as Pages did: a header set by a statement of its own (a call's value
 * would be the stand-in, which has no `status()` to chain), the cookies set so far asked for to add to them
 * (addsSetCookies), or a test of whether there is a response.
 */
export function isHeaderUse(ref: { node: Node; parent: Node; key: string; ancestors: Node[] }): boolean {
  const { node, parent } = ref;
  if ((parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && parent.test === node) return true;
  if (parent.type === 'UnaryExpression' && parent.operator === '!') return true;
  if (!isMember(parent) || ref.key !== 'object' || parent.computed) return false;
  const [call, statement] = [ref.ancestors.at(-2), ref.ancestors.at(-3)];
  if (call?.type !== 'CallExpression' || call.callee !== parent) return false;
  const method = memberName(parent) ?? '';
  if (method === 'getHeader') return call.arguments.length === 1 && stringValue(call.arguments[0])?.toLowerCase() === 'set-cookie' && addsSetCookies(call, ref.ancestors.slice(0, -2));
  return RESPONSE_CALLS.has(method) && statement?.type === 'ExpressionStatement';
}
