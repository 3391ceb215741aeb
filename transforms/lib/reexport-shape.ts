/**
 * pages/api files whose handler lives in another module: the file only re-exports it or delegates to it.
 *
 *   export { default } from '@/lib/x'                       export { handler as default, config } from './x'
 *   import h from '@/lib/x'; export default h               import { h } from './x'; export { h as default }
 *   export default async function handle(req, res) { return handleRoute(req, res) }   (also `return await …`, no return)
 *
 * Pure: finds the shape, says which module export holds the handler, and which statements the route drops.
 */
import { functionOf, isIdent, unwrap, walk, type Node } from './ast.js';
import { isConfigExport } from './config.js';

export interface ReexportShape {
  /** The import specifier as the pages file writes it. */
  specifier: string;
  /** The export of that module that is the handler: `default` or a name. */
  imported: string;
  /** `export { default, config } from …`: the segment config is the module's. */
  configFromModule: boolean;
  /** program.body indices the route drops: the default export, a delegating function, the page's own config. */
  drop: number[];
  /** The local name of the handler's import, dropped from its import declaration (shells and import-then-export). */
  importLocal?: string;
}


/** The import that binds `local`: its specifier and the name imported (`default` for a default import). */
function importOf(program: Node, local: string): { specifier: string; imported: string } | null {
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.importKind === 'type') continue;
    for (const s of stmt.specifiers ?? []) {
      if (s.local?.name !== local || s.importKind === 'type') continue;
      if (s.type === 'ImportDefaultSpecifier') return { specifier: stmt.source.value, imported: 'default' };
      if (s.type === 'ImportSpecifier') return { specifier: stmt.source.value, imported: s.imported.name ?? s.imported.value };
    }
  }
  return null;
}

/**
 * The call a `(req, res)` function only makes: its one statement `call(…)`, `await call(…)`, `return [await] call(…)`,
 * or its expression body; with whether its value was awaited or returned (a bare call's rejection went unhandled).
 */
export function onlyCallOf(fn: Node): { call: Node; awaitedOrReturned: boolean } | null {
  const [req, res] = fn.params ?? [];
  if (fn.params?.length !== 2 || req?.type !== 'Identifier' || res?.type !== 'Identifier') return null;
  let expression: Node;
  let returned = true;
  if (fn.body.type === 'BlockStatement') {
    if (fn.body.body.length !== 1) return null;
    const [stmt] = fn.body.body;
    if (stmt.type === 'ReturnStatement' && stmt.argument) expression = stmt.argument;
    else if (stmt.type === 'ExpressionStatement') [expression, returned] = [stmt.expression, false];
    else return null;
  } else expression = fn.body;
  let call = unwrap(expression);
  const awaited = call?.type === 'AwaitExpression';
  if (awaited) call = unwrap(call.argument);
  return call?.type === 'CallExpression' && call.callee.type === 'Identifier' ? { call, awaitedOrReturned: awaited || returned } : null;
}

/** `return callee(req, res)`, `return await callee(req, res)`, `await callee(req, res)`: the callee's name. */
export function delegateOf(fn: Node): string | null {
  const only = onlyCallOf(fn);
  if (!only || only.call.arguments.length !== 2) return null;
  const [a, b] = only.call.arguments;
  const [req, res] = fn.params;
  return isIdent(a, req.name) && isIdent(b, res.name) ? only.call.callee.name : null;
}

/** A local function declared at the top of the module: `function f` or `const f = (…) => …`. */
function localFunction(program: Node, name: string): { fn: Node; index: number } | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name === name) return { fn: stmt, index };
    if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) {
      const d = stmt.declarations[0];
      if (d.id.type === 'Identifier' && d.id.name === name) {
        const fn = d.init && functionOf(d.init);
        return fn ? { fn, index } : null;
      }
    }
  }
  return null;
}

/** How many times `name` is referenced outside import declarations. */
function referencesOf(program: Node, name: string): number {
  let count = 0;
  for (const stmt of program.body) {
    if (stmt.type === 'ImportDeclaration') continue;
    walk(stmt, (n, parent, key) => {
      if (n.type !== 'Identifier' || n.name !== name) return;
      if ((parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed) return;
      if ((parent?.type === 'ObjectProperty' || parent?.type === 'TSPropertySignature') && key === 'key' && !parent.computed) return;
      count++;
    });
  }
  return count;
}

/** Statements a re-export file may hold besides its default export: imports, types, its config. */
function isBystander(stmt: Node): boolean {
  if (stmt.type === 'ImportDeclaration' || stmt.type === 'TSTypeAliasDeclaration' || stmt.type === 'TSInterfaceDeclaration') return true;
  if (stmt.type === 'ExportNamedDeclaration' && (stmt.exportKind === 'type' || stmt.declaration?.type === 'TSTypeAliasDeclaration' || stmt.declaration?.type === 'TSInterfaceDeclaration')) return true;
  return false;
}

/** `export const config = …` declaring nothing else: the route drops the whole statement. */
function isOwnConfig(stmt: Node): boolean {
  return isConfigExport(stmt) && stmt.declaration.declarations.length === 1;
}

export function reexportShapeOf(program: Node): ReexportShape | null {
  let shape: ReexportShape | null = null;
  const drop: number[] = [];
  const configIndex = program.body.findIndex(isOwnConfig);
  if (configIndex >= 0) drop.push(configIndex);
  /** The handler is the import bound to `local`, reached through the statements at `indices`. */
  const viaImport = (local: string, indices: number[]): ReexportShape | null => {
    const found = importOf(program, local);
    if (!found) return null;
    // The import's name must serve only the handler: the route drops it.
    if (referencesOf(program, local) !== 1) return null;
    return { ...found, configFromModule: false, drop: indices, importLocal: local };
  };
  for (let i = 0; i < program.body.length; i++) {
    const stmt = program.body[i];
    if (stmt.type === 'ExportNamedDeclaration' && stmt.source && stmt.exportKind !== 'type') {
      const specs = stmt.specifiers ?? [];
      const def = specs.find((s: Node) => s.exported?.name === 'default');
      if (!def) return null;
      const others = specs.filter((s: Node) => s !== def);
      if (others.some((s: Node) => s.exported?.name !== 'config' || s.local?.name !== 'config')) return null;
      if (shape || (configIndex >= 0 && others.length)) return null;
      shape = { specifier: stmt.source.value, imported: def.local.name, configFromModule: others.length > 0, drop: [i] };
      continue;
    }
    if (stmt.type === 'ExportDefaultDeclaration') {
      if (shape) return null;
      const fn = functionOf(stmt.declaration);
      const inner = unwrap(stmt.declaration);
      if (fn) {
        const callee = delegateOf(fn);
        shape = callee ? viaImport(callee, [i]) : null;
      } else if (inner?.type === 'Identifier') {
        const local = localFunction(program, inner.name);
        const callee = local && delegateOf(local.fn);
        shape = local ? (callee && referencesOf(program, inner.name) === 1 ? viaImport(callee, [i, local.index]) : null) : viaImport(inner.name, [i]);
      }
      if (!shape) return null;
      continue;
    }
    if (stmt.type === 'ExportNamedDeclaration' && !stmt.source && stmt.specifiers?.some((s: Node) => s.exported?.name === 'default')) {
      if (shape || stmt.specifiers.length !== 1) return null;
      shape = viaImport(stmt.specifiers[0].local.name, [i]);
      if (!shape) return null;
    }
  }
  if (!shape) return null;
  shape.drop.push(...drop);
  // Anything else (a constant, another function, side effects) means the file is more than a re-export.
  const rest = program.body.filter((s: Node, i: number) => !shape!.drop.includes(i) && !isBystander(s));
  return rest.length ? null : shape;
}
