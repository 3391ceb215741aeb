/**
 * Shared by the method-map and router shapes (method-map.ts, next-connect.ts): they are rewritten into the one shape
 * the transform already knows, a default-exported `(req, res)` handler that dispatches on `req.method`, with the
 * bodies of the per-method functions inlined into its branches. The split by method then gives one export each.
 */
import { cloneNode, isFunction, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { referencesTo, renameReferences } from './scope.js';

/** Why a shape was recognised but cannot be rewritten: the file is left with this reason. */
export class NotRewritable extends Error {
  constructor(
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface FunctionRef {
  fn: Node;
  /** Index in program.body of the statement declaring it, or -1 for an inline function. */
  index: number;
  /** The name it is referenced by, for a declared function. */
  name?: string;
}

/** A function given inline, or a module-level function / const function of this file named by an identifier. */
export function resolveFunction(program: Node, node: Node): FunctionRef | null {
  const n = unwrap(node);
  if (n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionExpression') return { fn: n, index: -1 };
  if (n?.type !== 'Identifier') return null;
  for (let i = 0; i < program.body.length; i++) {
    const stmt = program.body[i];
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name === n.name) return { fn: stmt, index: i, name: n.name };
    if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) {
      const d = stmt.declarations[0];
      const init = unwrap(d.init);
      if (d.id.type === 'Identifier' && d.id.name === n.name) {
        return init && (init.type === 'ArrowFunctionExpression' || init.type === 'FunctionExpression') && stmt.kind === 'const' ? { fn: init, index: i, name: n.name } : null;
      }
    }
  }
  return null;
}

/** How many times `name` is referenced in the program outside the statements at `skip`. */
export function referencesOutside(program: Node, name: string, skip: Set<number>): number {
  return referencesTo(
    program.body.filter((_: Node, i: number) => !skip.has(i)),
    name,
  ).length;
}

/** `this` or `arguments` of `fn` itself (not of a nested non-arrow function): they change meaning when `fn` goes. */
export function ownThisOrArguments(fn: Node): 'this' | 'arguments' | null {
  let uses: 'this' | 'arguments' | null = null;
  walk(fn.body, (n) => {
    if (n.type === 'ThisExpression' || (n.type === 'Identifier' && n.name === 'arguments')) uses = n.type === 'ThisExpression' ? 'this' : 'arguments';
    if (isFunction(n) && n.type !== 'ArrowFunctionExpression') return false;
  });
  return uses;
}

/**
 * The body of `fn` as statements for a block of the dispatching handler: its parameters renamed to `names`
 * (`req`, `res`, and for middleware `next`, for an error handler the caught error first). An expression body
 * becomes `return expr`.
 */
export function inlineBody(snip: Snippets, fn: Node, names: string[]): Node[] {
  const uses = ownThisOrArguments(fn);
  if (uses) throw new NotRewritable(fn.loc?.start.line, `a handler uses ${uses}`);
  if (fn.params.length > names.length) throw new NotRewritable(fn.loc?.start.line, `a handler takes ${fn.params.length} parameters`);
  const body = cloneNode(fn.body);
  const statements: Node[] = body.type === 'BlockStatement' ? body.body : snip.statements('return 0');
  if (body.type !== 'BlockStatement') statements[0].argument = body;
  const inner = namesIn({ type: 'BlockStatement', body: statements });
  fn.params.forEach((param: Node, i: number) => {
    if (param.type !== 'Identifier') throw new NotRewritable(fn.loc?.start.line, 'a handler destructures its parameters');
    if (param.name !== names[i] && inner.has(names[i])) throw new NotRewritable(fn.loc?.start.line, `a handler uses the name ${names[i]} for something else`);
    renameReferences(statements, param.name, names[i]);
  });
  return statements;
}

/** `req.method === 'GET' || req.method === 'POST'`. */
export function methodTest(snip: Snippets, reqName: string, methods: string[]): string {
  return methods.map((m) => `${reqName}.method === ${snip.str(m)}`).join(' || ');
}

/** `if (<test0>) { body0 } else if (…) … else { elseBody }`, the bodies placed as nodes. */
export function ifChain(snip: Snippets, cases: Array<{ test: string; body: Node[] }>, elseBody?: Node[]): Node[] {
  if (!cases.length) return elseBody ?? [];
  const text = cases.map((c, i) => `${i ? ' else ' : ''}if (${c.test}) {}`).join('') + (elseBody ? ' else {}' : '');
  const [stmt] = snip.statements(text);
  let at = stmt;
  cases.forEach((c, i) => {
    at.consequent.body = c.body;
    if (i < cases.length - 1) at = at.alternate;
  });
  if (elseBody) at.alternate.body = elseBody;
  return [stmt];
}

/**
 * Puts `export default async function handler(req, res) { body }` where the statement at `exportIndex` was, and
 * removes the statements at `remove` (the router, the handlers now inlined, the dispatcher).
 */
export function replaceWithHandler(snip: Snippets, program: Node, exportIndex: number, remove: Set<number>, names: { handler: string; req: string; res: string }, body: Node[]): void {
  const [handler] = snip.statements(`export default async function ${names.handler}(${names.req}, ${names.res}) {}`);
  handler.declaration.body.body = body;
  program.body[exportIndex] = snip.withCommentsOf(program.body[exportIndex], handler);
  program.body = program.body.filter((_: Node, i: number) => i === exportIndex || !remove.has(i));
}
