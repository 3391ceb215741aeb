/** Locates the default-exported `(req, res)` handler and the statements that declare and export it. */
import { countIdentifiers, isIdent, unwrap, type Node } from './ast.js';

export interface Handler {
  fn: Node;
  /** The function's own name, or the const it was assigned to. */
  name: string | null;
  /** Index in program.body of the statement that declares the handler (the method exports go there). */
  declarationIndex: number;
  /** Index of a separate `export default handler` statement to remove, or -1. */
  exportIndex: number;
  /** `export default withA(withB(handler, opts))`: the wrapper calls, outermost first (see transforms/lib/route-wrapper.ts). */
  /** `factory`: the first call of a curried wrapper (`requestMethod(['GET'])` of `requestMethod(['GET'])(handler)`). */
  wrappers: Array<{ local: string; call: Node; handlerIndex: number; factory?: Node }>;
}

export type FindResult =
  | { handler: Handler }
  | { problem: 'no-default-export' | 'not-followable' | 'commonjs'; wrapper?: string; wrapperCallee?: Node; value?: { name: string; init?: Node; imported?: string } };

function functionFrom(node: Node): Node | null {
  const n = unwrap(node);
  return n && (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration') ? n : null;
}

function findBinding(program: Node, name: string): { fn: Node; index: number } | null {
  for (let i = 0; i < program.body.length; i++) {
    let stmt = program.body[i];
    if (stmt.type === 'ExportNamedDeclaration' && stmt.declaration) stmt = stmt.declaration;
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name === name) return { fn: stmt, index: i };
    if (stmt.type === 'VariableDeclaration') {
      for (const d of stmt.declarations) {
        if (d.id.type === 'Identifier' && d.id.name === name) {
          const fn = d.init && functionFrom(d.init);
          // Only a const (or a let/var never reassigned: we do not check) holding a function is followed.
          return fn && stmt.declarations.length === 1 ? { fn, index: i } : null;
        }
      }
    }
  }
  return null;
}

/**
 * What `export default name` names when it is no function, for the reason: the wrapper of `const handler =
 * withAuth(async (req, res) => …)`, or the value it holds (`const Game = models.Game || model('Game', schema)`, an
 * import).
 */
function boundDefault(program: Node, name: string): { wrapper: string; wrapperCallee: Node } | { value: { name: string; init?: Node; imported?: string } } {
  for (const stmt of program.body) {
    const declarator = stmt.type === 'VariableDeclaration' ? stmt.declarations.find((d: Node) => isIdent(d.id, name)) : null;
    const init = declarator?.init && unwrap(declarator.init);
    if (init?.type === 'CallExpression' && stmt.declarations.length === 1) return { wrapper: isIdent(init.callee) ? init.callee.name : 'a call', wrapperCallee: init.callee };
    if (init) return { value: { name, init: declarator.init } };
    if (stmt.type === 'ImportDeclaration' && stmt.specifiers?.some((s: Node) => isIdent(s.local, name))) return { value: { name, imported: stmt.source.value } };
  }
  return { value: { name } };
}

/**
 * `wrappers`: local names of project wrappers that have a route-handler version, with the position of the handler in
 * their calls.
 */
export function findHandler(program: Node, wrappers: Map<string, number> = new Map(), curried: Set<string> = new Set()): FindResult {
  for (let i = 0; i < program.body.length; i++) {
    const stmt = program.body[i];
    if (stmt.type === 'ExportDefaultDeclaration') {
      let decl = stmt.declaration;
      const calls: Handler['wrappers'] = [];
      for (let call = unwrap(decl), local = wrapperCalled(call, wrappers, curried); local !== null; call = unwrap(decl), local = wrapperCalled(call, wrappers, curried)) {
        const handlerIndex = wrappers.get(local)!;
        const factory = curried.has(local) ? call.callee : undefined;
        if ([...call.arguments, ...(factory?.arguments ?? [])].some((a: Node) => a.type === 'SpreadElement') || !call.arguments[handlerIndex]) return { problem: 'not-followable' };
        calls.push({ local, call, handlerIndex, ...(factory ? { factory } : {}) });
        decl = call.arguments[handlerIndex];
      }
      const direct = functionFrom(decl);
      if (direct) return { handler: { fn: direct, name: direct.id?.name ?? null, declarationIndex: i, exportIndex: -1, wrappers: calls } };
      const call = unwrap(decl);
      if (call?.type === 'CallExpression') return { problem: 'not-followable', wrapper: call.callee.type === 'Identifier' ? call.callee.name : 'a call', wrapperCallee: call.callee };
      const inner = unwrap(decl);
      if (inner?.type === 'Identifier') {
        const found = findBinding(program, inner.name);
        if (!found) return { problem: 'not-followable', ...boundDefault(program, inner.name) };
        return { handler: { fn: found.fn, name: inner.name, declarationIndex: found.index, exportIndex: i, wrappers: calls } };
      }
      return { problem: 'not-followable' };
    }
    if (stmt.type === 'ExportNamedDeclaration' && !stmt.source) {
      const spec = stmt.specifiers?.find((s: Node) => s.exported?.name === 'default');
      if (spec) {
        if (stmt.specifiers.length > 1) return { problem: 'not-followable' };
        const found = findBinding(program, spec.local.name);
        if (!found) return { problem: 'not-followable' };
        return { handler: { fn: found.fn, name: spec.local.name, declarationIndex: found.index, exportIndex: i, wrappers: [] } };
      }
    }
    if (stmt.type === 'ExportNamedDeclaration' && stmt.source && stmt.specifiers?.some((s: Node) => s.exported?.name === 'default')) return { problem: 'not-followable' };
  }
  const hasCommonJs = program.body.some(
    (s: Node) => s.type === 'ExpressionStatement' && s.expression.type === 'AssignmentExpression' && s.expression.left.type === 'MemberExpression' && s.expression.left.object?.name === 'module' && s.expression.left.property?.name === 'exports',
  );
  return { problem: hasCommonJs ? 'commonjs' : 'no-default-export' };
}

/**
 * The local name of the wrapper a call is, `withAuth(handler)`, or of the curried one, `requestMethod(['GET'])(handler)`;
 * null for any other call.
 */
function wrapperCalled(call: Node, wrappers: Map<string, number>, curried: Set<string>): string | null {
  if (call?.type !== 'CallExpression') return null;
  if (isIdent(call.callee)) return wrappers.has(call.callee.name) && !curried.has(call.callee.name) ? call.callee.name : null;
  const factory = call.callee.type === 'CallExpression' && isIdent(call.callee.callee) ? call.callee.callee.name : null;
  return factory && curried.has(factory) ? factory : null;
}

/**
 * `const handler = withAuth(async (req, res) => …); export default handler;` with `withAuth` a wrapper that has a
 * route-handler version (`wrappers`): written as `export default withAuth(…)` where the const stood, which runs the
 * same code in the same order, so that findHandler follows it as it follows that form. Only where nothing else in
 * the module names the const. Changes `program` in place; whether it did.
 */
export function foldBoundDefaultWrapper(program: Node, wrappers: Map<string, number>, curried: Set<string> = new Set()): boolean {
  const exportAt = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration' && isIdent(s.declaration));
  if (exportAt < 0) return false;
  const name: string = program.body[exportAt].declaration.name;
  const declAt = program.body.findIndex((s: Node) => s.type === 'VariableDeclaration' && s.kind === 'const' && s.declarations.length === 1 && isIdent(s.declarations[0].id, name));
  if (declAt < 0 || declAt > exportAt) return false;
  const init = program.body[declAt].declarations[0].init && unwrap(program.body[declAt].declarations[0].init);
  if (wrapperCalled(init, wrappers, curried) === null) return false;
  // The const's own name and the export's are the only places it may appear.
  if (countIdentifiers(program, name) !== 2) return false;
  const declaration = program.body[declAt];
  program.body[declAt] = { type: 'ExportDefaultDeclaration', declaration: init, comments: declaration.comments };
  program.body.splice(exportAt, 1);
  return true;
}
