/**
 * `export default apiHandler({ GET: handleGet, POST: handlePost })`, where `apiHandler` is defined in this file and
 * is a plain dispatcher: it returns a `(req, res)` function that looks the handler up with `handlers[req.method]`
 * (directly or through a const), answers itself when there is none, and calls it with `(req, res)`.
 * The dispatcher's own body is kept; the lookup becomes `['GET', 'POST'].includes(req.method)`, `Object.keys(handlers)`
 * the list of methods, and the call an `if` per method with that handler's body inlined.
 */
import { ALL_METHODS } from './split-methods.js';
import { namesIn, unwrap, memberName, isIdent, isWrapper, replaceChild, stringValue, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { NotRewritable, resolveFunction, referencesOutside, inlineBody, ifChain, methodTest, replaceWithHandler, type FunctionRef } from './dispatch.js';


/** The `(handlers) => (req, res) => …` function returned by the dispatcher, or null. */
function innerHandler(dispatcher: Node): Node | null {
  let body = dispatcher.body;
  if (body.type === 'BlockStatement') {
    const last = body.body[body.body.length - 1];
    if (body.body.length !== 1 || last.type !== 'ReturnStatement') return null;
    body = last.argument;
  }
  const inner = unwrap(body);
  return inner && (inner.type === 'ArrowFunctionExpression' || inner.type === 'FunctionExpression') && inner.params.length === 2 && inner.params.every((p: Node) => p.type === 'Identifier') ? inner : null;
}

/** `{ GET: handleGet, POST(req, res) {…} }`: each method with its function (inline or of this file), or null. */
export function mapEntries(program: Node, map: Node): Array<{ method: string; ref: FunctionRef }> | null {
  if (map?.type !== 'ObjectExpression') return null;
  const entries: Array<{ method: string; ref: FunctionRef }> = [];
  for (const prop of map.properties) {
    if ((prop.type !== 'ObjectProperty' && prop.type !== 'ObjectMethod') || prop.computed) return null;
    const method = prop.key.type === 'Identifier' ? prop.key.name : stringValue(prop.key);
    if (!method || !ALL_METHODS.includes(method)) return null;
    const ref = prop.type === 'ObjectMethod' ? { fn: prop, index: -1 } : resolveFunction(program, prop.value);
    if (!ref) return null;
    entries.push({ method, ref });
  }
  return entries.length ? entries : null;
}

/** True when `node` is `handlers[req.method]` (TypeScript casts allowed on either part). */
function isLookup(node: Node, mapName: string, reqName: string): boolean {
  const n = unwrap(node);
  if (n?.type !== 'MemberExpression' || !n.computed || !isIdent(unwrap(n.object), mapName)) return false;
  const key = unwrap(n.property);
  return memberName(key) === 'method' && isIdent(unwrap(key.object), reqName);
}

/**
 * Rewrites the matched default export in place. Returns false when the default export is not a call of a method
 * map; throws NotRewritable when it is one but the tool cannot keep its behaviour.
 */
export function rewriteMethodMap(snip: Snippets, program: Node, exportIndex: number): boolean {
  const call = unwrap(program.body[exportIndex].declaration);
  if (call?.type !== 'CallExpression' || call.arguments.length !== 1 || !isIdent(call.callee)) return false;
  const entries = mapEntries(program, unwrap(call.arguments[0]));
  if (!entries) return false;
  const line = call.loc?.start.line;
  const dispatcherRef = resolveFunction(program, call.callee);
  // A dispatcher imported from another module is that module's to analyse: not this shape.
  if (!dispatcherRef || dispatcherRef.index < 0) return false;
  const inner = innerHandler(dispatcherRef.fn);
  const mapParam = dispatcherRef.fn.params[0];
  if (!inner || dispatcherRef.fn.params.length !== 1 || mapParam.type !== 'Identifier') throw new NotRewritable(line, `${call.callee.name} is not a plain method dispatcher`);
  const [reqName, resName] = inner.params.map((p: Node) => p.name);

  const remove = new Set<number>([dispatcherRef.index]);
  for (const { ref } of entries) if (ref.index >= 0) remove.add(ref.index);
  for (const name of [call.callee.name, ...entries.map((e) => e.ref.name).filter(Boolean)]) {
    if (referencesOutside(program, name, new Set([...remove, exportIndex])) > 0) throw new NotRewritable(line, `${name} is used elsewhere in the file`);
  }

  const body: Node[] = inlineBody(snip, inner, [reqName, resName]);
  const methods = entries.map((e) => e.method);
  const listText = `[${methods.map((m) => snip.str(m)).join(', ')}]`;
  const known = `${listText}.includes(${reqName}.method)`;
  const aliases = new Set<string>();
  body.forEach((stmt, i) => {
    if (stmt.type !== 'VariableDeclaration' || stmt.declarations.length !== 1) return;
    const d = stmt.declarations[0];
    if (d.id.type === 'Identifier' && isLookup(d.init, mapParam.name, reqName)) {
      aliases.add(d.id.name);
      body[i] = null;
    }
  });
  const calls: Node[] = [];
  const isHandlerRef = (n: Node) => isLookup(n, mapParam.name, reqName) || (isIdent(unwrap(n)) && aliases.has(unwrap(n).name));
  const replaceUses = (name: string) => {
    for (const ref of referencesTo(body.filter(Boolean), name)) {
      const { parent, ancestors } = ref;
      const grand = ancestors[ancestors.length - 2];
      if (name === mapParam.name && parent.type === 'MemberExpression' && parent.object === ref.node && isLookup(parent, mapParam.name, reqName)) {
        // `handlers[req.method as Method]!(req, res)`: the call is above the TypeScript wrappers.
        let at = ancestors.length - 2;
        while (at > 0 && isWrapper(ancestors[at])) at--;
        const outer = ancestors[at];
        if (outer?.type === 'CallExpression' && unwrap(outer.callee) === parent) calls.push(outer);
        else if (grand?.type === 'VariableDeclarator') throw new NotRewritable(line, `${call.callee.name} stores the handler in a nested variable`);
        else replaceChild(grand, parent, snip.expression(known));
      } else if (name === mapParam.name && parent.type === 'CallExpression' && memberName(parent.callee) === 'keys' && isIdent(parent.callee.object, 'Object')) {
        replaceChild(grand, parent, snip.expression(listText));
      } else if (name === mapParam.name && parent.type === 'BinaryExpression' && parent.operator === 'in' && parent.right === ref.node) {
        replaceChild(grand, parent, snip.expression(known));
      } else if (aliases.has(name) && parent.type === 'CallExpression' && parent.callee === ref.node) calls.push(parent);
      else if (aliases.has(name) && parent.type !== 'VariableDeclarator') replaceChild(parent, ref.node, snip.expression(known));
      else throw new NotRewritable(line, `${call.callee.name} uses ${name} in a way the tool does not follow`);
    }
  };
  replaceUses(mapParam.name);
  aliases.forEach(replaceUses);
  if (calls.length !== 1) throw new NotRewritable(line, `${call.callee.name} calls the handler ${calls.length} times`);
  const [handlerCall] = calls;
  if (!isHandlerRef(handlerCall.callee) || handlerCall.arguments.length !== 2 || !isIdent(handlerCall.arguments[0], reqName) || !isIdent(handlerCall.arguments[1], resName)) {
    throw new NotRewritable(line, `${call.callee.name} does not call the handler with (${reqName}, ${resName})`);
  }
  const cases = entries.map(({ method, ref }) => ({ test: methodTest(snip, reqName, [method]), body: inlineBody(snip, ref.fn, [reqName, resName]) }));
  // The original threw calling an undefined handler: kept for the methods the dispatcher lets through unanswered.
  const chain = ifChain(snip, cases, snip.statements(`throw new TypeError(${snip.str(`${call.callee.name}: no handler for this method`)})`));
  const statements = body.filter(Boolean);
  placeCall(statements, handlerCall, chain, cases.some((c) => returnsEarly(c.body)), line);

  const taken = namesIn(program);
  const handlerName = taken.has('handler') ? `${call.callee.name}Handler` : 'handler';
  replaceWithHandler(snip, program, exportIndex, remove, { handler: handlerName, req: reqName, res: resName }, statements);
  return true;
}

/** True when a function body has a `return` of its own (not in a nested function) before its last statement. */
function returnsEarly(body: Node[]): boolean {
  let found = false;
  const visit = (node: Node) => {
    if (!node || typeof node.type !== 'string' || found) return;
    if (node.type === 'ReturnStatement') found = true;
    if (/Function|ObjectMethod|ClassMethod/.test(node.type)) return;
    for (const k of Object.keys(node)) if (k !== 'loc' && k !== 'original' && k !== 'tokens') (Array.isArray(node[k]) ? node[k] : [node[k]]).forEach(visit);
  };
  body.slice(0, -1).forEach(visit);
  return found;
}

/**
 * Replaces the statement holding the handler call (`h(req, res)`, `await h(…)`, `return h(…)`) with the `if` chain.
 * A `return` inside an inlined handler ends the whole dispatcher, so when the call is not a `return` itself the
 * statement must be the dispatcher's last (or the last of a `try` that is).
 */
function placeCall(statements: Node[], handlerCall: Node, chain: Node[], inlinedReturns: boolean, line?: number): void {
  const isCall = (e: Node) => {
    const n = unwrap(e);
    return n === handlerCall || (n?.type === 'AwaitExpression' && unwrap(n.argument) === handlerCall);
  };
  const visit = (list: Node[], endsFunction: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const last = endsFunction && i === list.length - 1;
      if ((stmt.type === 'ReturnStatement' && isCall(stmt.argument)) || (stmt.type === 'ExpressionStatement' && isCall(stmt.expression))) {
        if (stmt.type !== 'ReturnStatement' && !last && inlinedReturns) throw new NotRewritable(line, 'code runs after the handler call, and a handler returns early');
        // `return h(req, res)` ended the dispatcher after the handler, also where the handler itself does not return.
        list.splice(i, 1, ...chain, ...(stmt.type === 'ReturnStatement' && !last ? [{ type: 'ReturnStatement', argument: null }] : []));
        return true;
      }
      if (stmt.type === 'TryStatement' && !stmt.finalizer && visit(stmt.block.body, last)) return true;
      if (stmt.type === 'IfStatement') {
        for (const branch of [stmt.consequent, stmt.alternate]) {
          if (branch?.type === 'BlockStatement' && visit(branch.body, last)) return true;
          const single = [branch];
          if (branch && branch.type !== 'BlockStatement' && visit(single, false)) {
            const block = { type: 'BlockStatement', body: single, directives: [] };
            if (branch === stmt.consequent) stmt.consequent = block;
            else stmt.alternate = block;
            return true;
          }
        }
      }
    }
    return false;
  };
  if (!visit(statements, true)) throw new NotRewritable(line, 'the handler call is not a statement the tool can follow');
}
