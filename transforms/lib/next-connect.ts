/**
 * next-connect routers, v1 (`createRouter().get(fn).post(fn)`, exported as `router.handler({ onError, onNoMatch })`)
 * and v0 (`nc({ onError, onNoMatch }).get(fn)`, exported as is), rewritten into one dispatching handler that does
 * what the router does (next-connect 1.0.0 src/node.ts and router.ts, 0.13 src/index.js):
 *  - a request runs, in registration order, every `.use(fn)` and every route of its method (`.all` for any method,
 *    GET routes for HEAD too); each function but the last calls `next()` as its last statement, so the chain is the
 *    bodies one after the other. A middleware that answers and returns without `next()` ends it, as before;
 *  - a method with no route (only middleware) runs onNoMatch, by default 404 `Route GET /api/x not found` (v1) or
 *    404 `not found` (v0), without running the middleware;
 *  - anything thrown runs onError, by default 500 `Internal Server Error` (v1) or `err.status || 500` with
 *    `err.message` (v0): the chain is wrapped in try/catch.
 */
import { namesIn, unwrap, memberName, isIdent, stringValue, freshName, walk, END, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { valueImports } from './imports.js';
import { DEFAULT_METHODS } from './split-methods.js';
import { NotRewritable, resolveFunction, inlineBody, ifChain, methodTest, replaceWithHandler, type FunctionRef } from './dispatch.js';

const ROUTE_METHODS: Record<string, string> = { get: 'GET', head: 'HEAD', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE', options: 'OPTIONS', all: '' };

interface ChainCall {
  name: string;
  args: Node[];
}

interface Route {
  /** HTTP method, '' for any (`.all`, `.use`). */
  method: string;
  middleware: boolean;
  fns: FunctionRef[];
}

/** `base.a(…).b(…)` → the base (a factory call or the router's name) and the calls in order. */
function parseChain(expr: Node): { base: Node; calls: ChainCall[] } {
  const calls: ChainCall[] = [];
  let n = unwrap(expr);
  while (n?.type === 'CallExpression' && (n.callee.type === 'MemberExpression' || n.callee.type === 'OptionalMemberExpression') && memberName(n.callee)) {
    calls.unshift({ name: memberName(n.callee)!, args: n.arguments });
    n = unwrap(n.callee.object);
  }
  return { base: n, calls };
}

function routerImports(program: Node): { v1: Set<string>; v0: Set<string> } {
  const found = { v1: new Set<string>(), v0: new Set<string>() };
  for (const { local, imported } of valueImports(program, 'next-connect')) {
    if (imported === 'default') found.v0.add(local);
    if (imported === 'createRouter') found.v1.add(local);
  }
  return found;
}

/** `{ onError, onNoMatch }` → their functions; any other option (attachParams, …) cannot be kept. */
function options(program: Node, node: Node | undefined, line?: number): { onError?: FunctionRef; onNoMatch?: FunctionRef } {
  if (!node) return {};
  const obj = unwrap(node);
  if (obj.type !== 'ObjectExpression') throw new NotRewritable(line, 'the router options are not an object literal');
  const out: { onError?: FunctionRef; onNoMatch?: FunctionRef } = {};
  for (const prop of obj.properties) {
    const key = prop.key && !prop.computed ? (prop.key.type === 'Identifier' ? prop.key.name : stringValue(prop.key)) : null;
    if (key !== 'onError' && key !== 'onNoMatch') throw new NotRewritable(line, `router option ${key ?? '…'} is not kept`);
    const ref = prop.type === 'ObjectMethod' ? { fn: prop, index: -1 } : resolveFunction(program, prop.value);
    if (!ref) throw new NotRewritable(line, `${key} is not a function of this file`);
    out[key as 'onError' | 'onNoMatch'] = ref;
  }
  return out;
}

/**
 * Rewrites a next-connect router exported as default into a dispatching handler. Returns false when the default
 * export is not one; throws NotRewritable when it is, but uses something whose behaviour the tool cannot keep.
 */
export function rewriteNextConnect(snip: Snippets, program: Node, exportIndex: number, typescript: boolean): boolean {
  const imports = routerImports(program);
  if (!imports.v0.size && !imports.v1.size) return false;
  const exported = parseChain(program.body[exportIndex].declaration);
  const line = program.body[exportIndex].loc?.start.line;
  const isFactory = (n: Node) => n?.type === 'CallExpression' && isIdent(n.callee) && (imports.v0.has(n.callee.name) || imports.v1.has(n.callee.name));

  // The statements that build the router: its declaration, `router.get(…)` statements, the export.
  const statements: Array<{ index: number; calls: ChainCall[] }> = [];
  let factory: Node;
  if (isFactory(exported.base)) factory = exported.base;
  else if (isIdent(exported.base)) {
    const name = exported.base.name;
    const declIndex = program.body.findIndex((s: Node) => s.type === 'VariableDeclaration' && s.declarations.length === 1 && isIdent(s.declarations[0].id, name));
    const decl = program.body[declIndex]?.declarations[0];
    const built = decl && parseChain(decl.init);
    if (!built || !isFactory(built.base)) return false;
    factory = built.base;
    statements.push({ index: declIndex, calls: built.calls });
    program.body.forEach((stmt: Node, i: number) => {
      if (i === declIndex || i === exportIndex || !referencesTo([stmt], name).length) return;
      const chain = stmt.type === 'ExpressionStatement' ? parseChain(stmt.expression) : null;
      if (!chain || !isIdent(chain.base, name) || !chain.calls.length) throw new NotRewritable(stmt.loc?.start.line, `the router ${name} is used other than to add routes`);
      statements.push({ index: i, calls: chain.calls });
    });
  } else return false;
  const v1 = imports.v1.has(factory.callee.name);
  statements.push({ index: exportIndex, calls: exported.calls });
  statements.sort((a, b) => a.index - b.index);

  let opts = v1 ? {} : options(program, factory.arguments[0], line);
  if (v1 && factory.arguments.length) throw new NotRewritable(line, 'createRouter takes no options');
  const routes: Route[] = [];
  const all = statements.flatMap((s) => s.calls);
  all.forEach((c, i) => {
    if (v1 && c.name === 'handler' && i === all.length - 1) {
      opts = options(program, c.args[0], line);
      return;
    }
    const method = c.name === 'use' ? '' : ROUTE_METHODS[c.name];
    if (method === undefined || (v1 && c.name === 'options')) throw new NotRewritable(line, `router.${c.name}() is not followed`);
    if (c.args.length && stringValue(c.args[0]) !== null) throw new NotRewritable(line, `router.${c.name}() with a path: routes by path are not followed`);
    const fns = c.args.map((a) => resolveFunction(program, a));
    if (!fns.length || fns.some((f) => !f)) throw new NotRewritable(line, `router.${c.name}() takes something other than functions of this file`);
    routes.push({ method, middleware: c.name === 'use', fns: fns as FunctionRef[] });
  });
  if (v1 && all[all.length - 1]?.name !== 'handler') throw new NotRewritable(line, 'the exported router is not router.handler()');
  if (!routes.length) throw new NotRewritable(line, 'the router has no routes');

  const reqName = 'req';
  const resName = 'res';
  const taken = namesIn(program);
  // The bodies moved into one function must not clash with names of the module they now read.
  const remove = new Set(statements.map((s) => s.index).filter((i) => i !== exportIndex));
  const declared = [...routes.flatMap((r) => r.fns), ...[opts.onError, opts.onNoMatch].filter((f): f is FunctionRef => !!f)];
  for (const ref of declared) if (ref.index >= 0) remove.add(ref.index);
  for (const ref of declared) {
    if (ref.name && referencesTo(program.body.filter((_: Node, i: number) => !remove.has(i) && i !== exportIndex), ref.name).length) {
      throw new NotRewritable(line, `${ref.name} is used elsewhere in the file`);
    }
  }

  // HEAD too: both versions run GET routes for it (and `.all` ones), which an App Router route's HEAD then does.
  const universe = [...new Set<string>([...DEFAULT_METHODS, 'HEAD', ...routes.map((r) => r.method).filter((m) => m)])];
  const groups: Array<{ methods: string[]; fns: FunctionRef[] }> = [];
  for (const method of universe) {
    const matching = routes.filter((r) => r.method === '' || r.method === method || (method === 'HEAD' && r.method === 'GET'));
    if (matching.every((r) => r.middleware)) continue;
    const fns = matching.flatMap((r) => r.fns);
    const same = groups.find((g) => g.fns.length === fns.length && g.fns.every((f, i) => f.fn === fns[i].fn));
    if (same) same.methods.push(method);
    else groups.push({ methods: [method], fns });
  }
  const cases = groups.map((g) => ({ test: methodTest(snip, reqName, g.methods), body: chainBody(snip, g.fns, reqName, resName, line) }));
  const noMatch = opts.onNoMatch
    ? inlineBody(snip, opts.onNoMatch.fn, [reqName, resName])
    : snip.statements(v1 ? `${resName}.status(404).end(\`Route \${${reqName}.method} \${${reqName}.url} not found\`)${END}` : `${resName}.status(404).end(${snip.str('not found')})${END}`);
  const errName = opts.onError?.fn.params[0]?.type === 'Identifier' ? opts.onError.fn.params[0].name : freshName('err', new Set(taken));
  const onError = opts.onError
    ? inlineBody(snip, opts.onError.fn, [errName, reqName, resName])
    : snip.statements(
        v1
          ? `console.error(${errName})${END}\n${resName}.status(500).end(${snip.str('Internal Server Error')})${END}`
          : `${resName}.status(${errName}.status || 500).end(${errName}.message)${END}`,
      );
  // Handlers throw anything; the default onError of v0 reads err.status and err.message.
  const [tryStmt] = snip.statements(`try {} catch (${errName}${typescript ? ': any' : ''}) {}`);
  tryStmt.block.body = ifChain(snip, cases, noMatch);
  tryStmt.handler.body.body = onError;
  const handlerName = taken.has('handler') ? freshName('routerHandler', taken) : 'handler';
  const importIndex = program.body.findIndex((s: Node) => s.type === 'ImportDeclaration' && s.source.value === 'next-connect');
  const factoryName = factory.callee.name;
  if (referencesTo(program.body.filter((_: Node, i: number) => !remove.has(i) && i !== exportIndex && i !== importIndex), factoryName).length === 0) {
    const spec = program.body[importIndex].specifiers;
    spec.splice(spec.findIndex((s: Node) => s.local.name === factoryName), 1);
    if (!spec.length) remove.add(importIndex);
  }
  replaceWithHandler(snip, program, exportIndex, remove, { handler: handlerName, req: reqName, res: resName }, [tryStmt]);
  return true;
}

/** The bodies of a chain of functions, each but the last ending with its `next()` call. */
function chainBody(snip: Snippets, fns: FunctionRef[], reqName: string, resName: string, line?: number): Node[] {
  const [first, ...rest] = fns;
  const nextParam = first.fn.params[2];
  const body = inlineBody(snip, first.fn, [reqName, resName, nextParam?.type === 'Identifier' ? nextParam.name : 'next']);
  if (!nextParam || !rest.length) {
    if (nextParam && referencesTo(body, nextParam.name).length) throw new NotRewritable(line, 'the last handler calls next()');
    return body;
  }
  const nextName = nextParam.name;
  const last = body[body.length - 1];
  const call = unwrap(last?.type === 'ReturnStatement' ? last.argument : last?.type === 'ExpressionStatement' ? last.expression : null);
  const nextCall = call?.type === 'AwaitExpression' ? unwrap(call.argument) : call;
  const callsNext = nextCall?.type === 'CallExpression' && isIdent(nextCall.callee, nextName) && nextCall.arguments.length === 0;
  if (!callsNext || referencesTo(body.slice(0, -1), nextName).length) throw new NotRewritable(line, 'a middleware calls next() other than as its last statement');
  const restBody = chainBody(snip, rest, reqName, resName, line);
  const before = body.slice(0, -1);
  const own = new Set(before.flatMap(topLevelNames));
  const clash = [...namesIn({ type: 'BlockStatement', body: restBody })].filter((n) => own.has(n));
  const restOwn = new Set(restBody.flatMap(topLevelNames));
  if (clash.some((n) => !restOwn.has(n))) throw new NotRewritable(line, `a middleware declares ${clash.join(', ')}, which a later handler reads`);
  // A `var` of a later handler would be hoisted over the middleware's body, a block or not; so would a function
  // declaration where the build compiles it as a var (Next 14's did: the middleware's call then found undefined).
  const read = namesIn({ type: 'BlockStatement', body: before });
  const hoisted = hoistedNames(restBody).filter((n) => read.has(n) || own.has(n));
  if (hoisted.length) throw new NotRewritable(line, `a later handler declares ${hoisted.join(', ')} with var or function, a name the middleware before it uses`);
  // A later handler that declares a name the middleware reads (a module's `limit`, a function declaration) would
  // shadow it there (a read before the declaration throws): a block keeps the two apart, as it does names both declare.
  if (!clash.length && ![...restOwn].some((n) => read.has(n))) return [...before, ...restBody];
  const [block] = snip.statements('{}');
  block.body = restBody;
  return [...before, block];
}

/** The names `var` and function declarations declare in the statements, at any depth but inside functions. */
function hoistedNames(statements: Node[]): string[] {
  const names: string[] = [];
  walk({ type: 'BlockStatement', body: statements }, (node) => {
    if (node.type === 'VariableDeclaration' && node.kind === 'var') names.push(...namesIn({ type: 'Program', body: node.declarations.map((d: Node) => d.id) }));
    if (node.type === 'FunctionDeclaration' && node.id) names.push(node.id.name);
  }, true);
  return names;
}

function topLevelNames(stmt: Node): string[] {
  if (stmt.type === 'VariableDeclaration') return [...namesIn({ type: 'Program', body: stmt.declarations.map((d: Node) => d.id) })];
  if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && stmt.id) return [stmt.id.name];
  return [];
}
