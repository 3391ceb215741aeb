/**
 * A pages/api file that exports values besides its handler (`export const searchParamsSchema = z.object(…)`,
 * `export function logWebhookError(…)`): a route file may not export them, so they move to a module of their own
 * with the declarations and imports they need. What the handler needs too is declared once, in the module, which
 * exports it to the route. Pure: the plan chooses the module and points the importers at it (src/moved-exports.ts).
 */
import { posix } from 'node:path';
import type { TransformContext } from '../types.js';
import { isFunction, isIdent, isTypeScriptPath, nodeText, walk, Snippets, END, type Node } from './ast.js';
import { declaredNames, freeNames } from './free-names.js';
import { SEGMENT_EXPORTS } from './config.js';
import { fixRelativeImports, importWith, moveSpecifier } from './imports.js';
import { printProgram } from './print.js';
import { parseSource } from './source-text.js';
import { isTrpcHandlerExport } from './trpc.js';

/** Exports a route file keeps: its segment config (`config` is turned into segment exports by the transform). */
export const ROUTE_EXPORTS = ['config', ...SEGMENT_EXPORTS];

export interface Unsure {
  unsure: string;
  line?: number;
}

/** `code`: a top-level statement that declares nothing (`if (!SECRET) console.error(…)`), run when the file loads. */
type Role = 'import' | 'route' | 'export' | 'declaration' | 'ambient' | 'code';

const lineOf = (node: Node): number | undefined => node.loc?.start.line;

function isTypeOnlyDeclaration(stmt: Node): boolean {
  const decl = stmt.type === 'ExportNamedDeclaration' && stmt.declaration ? stmt.declaration : stmt;
  return decl.type === 'TSTypeAliasDeclaration' || decl.type === 'TSInterfaceDeclaration' || (decl.declare === true && decl.type !== 'TSModuleDeclaration');
}

/** What each top-level statement is to the split, or why the tool cannot follow the file. */
function rolesOf(program: Node): Role[] | Unsure {
  const roles: Role[] = [];
  for (const stmt of program.body) {
    const line = lineOf(stmt);
    if (stmt.type === 'ImportDeclaration') roles.push('import');
    else if (stmt.type === 'ExportDefaultDeclaration') roles.push('route');
    else if (stmt.type === 'ExportAllDeclaration') return { unsure: 'export * from another module', line };
    else if (stmt.type === 'ExportNamedDeclaration') {
      const specifiers = stmt.specifiers ?? [];
      const defaults = specifiers.filter((s: Node) => s.exported?.name === 'default');
      if (stmt.source) {
        if (stmt.exportKind === 'type' || specifiers.every((s: Node) => s.exportKind === 'type')) roles.push('export');
        else return { unsure: `export { ${specifiers.map((s: Node) => s.exported?.name).join(', ')} } from ${stmt.source.value}`, line };
      } else if (defaults.length) {
        if (defaults.length !== specifiers.length) return { unsure: 'the handler is exported in one list with other names', line };
        roles.push('route');
      } else if (stmt.declaration) {
        const names = declaredNames(stmt);
        if (!names.length) return { unsure: 'an export the tool cannot name', line };
        roles.push(names.every((n) => ROUTE_EXPORTS.includes(n)) ? 'route' : names.some((n) => ROUTE_EXPORTS.includes(n)) ? 'ambient' : 'export');
        if (roles.at(-1) === 'ambient') return { unsure: 'segment config declared together with other exports', line };
      } else roles.push(specifiers.every((s: Node) => ROUTE_EXPORTS.includes(s.exported?.name)) ? 'route' : 'export');
    } else if (declaredNames(stmt).length) roles.push('declaration');
    else if (stmt.type === 'TSModuleDeclaration' && stmt.declare) roles.push('ambient');
    else if (stmt.type === 'EmptyStatement') roles.push('ambient');
    else if (stmt.type === 'ExpressionStatement' && isCommonJsExport(stmt.expression)) return { unsure: 'module.exports', line };
    else roles.push('code');
  }
  return roles;
}

function isCommonJsExport(expression: Node): boolean {
  let found = false;
  walk(expression, (n) => {
    if (n.type === 'MemberExpression' && ((n.object?.name === 'module' && n.property?.name === 'exports') || n.object?.name === 'exports')) found = true;
  });
  return found;
}

/** The names other modules import from the file: every export but the handler and the segment config. */
function exportedNames(stmt: Node): string[] {
  if (stmt.declaration) return declaredNames(stmt);
  return (stmt.specifiers ?? []).map((s: Node) => s.exported?.name ?? s.exported?.value);
}

export interface MovableExports {
  /** Every name that moves (types included). */
  names: string[];
  /** The value names among them: without one, nothing needs to move (a route file may export types). */
  values: string[];
}

/** What a move would take from the file, or why the tool cannot follow it. */
export function movableExports(program: Node): MovableExports | Unsure {
  const roles = rolesOf(program);
  if ('unsure' in roles) return roles;
  const names: string[] = [];
  const values: string[] = [];
  program.body.forEach((stmt: Node, i: number) => {
    if (roles[i] !== 'export') return;
    const types = stmt.exportKind === 'type' || isTypeOnlyDeclaration(stmt);
    for (const spec of stmt.declaration ? [] : (stmt.specifiers ?? [])) {
      const name = spec.exported?.name ?? spec.exported?.value;
      names.push(name);
      if (!types && spec.exportKind !== 'type') values.push(name);
    }
    if (stmt.declaration) {
      names.push(...exportedNames(stmt));
      if (!types) values.push(...exportedNames(stmt));
    }
  });
  return { names, values };
}

export interface ExportsSplit {
  /** program.body indices of the statements that move (imports excluded). */
  moved: Set<number>;
  /** For each import (by index), the local names the module keeps; a side-effect import stays in both. */
  moduleImports: Map<number, Set<string>>;
  /** For each import, the local names only the module reads: the route drops them. */
  routeDrops: Map<number, Set<string>>;
  /** Names the route imports from the module. */
  shared: { values: string[]; types: string[] };
  /** Of those, the ones the module declares without exporting them: it exports them now. */
  toExport: string[];
  /** The exports that move, for the report. */
  exports: string[];
  /** Top-level code moves too: the route imports the module even where it reads nothing of it. */
  runsCode: boolean;
}

/** Top-level names that the default export uses outside function bodies: the handler and its wrappers stay. */
function handlerNames(program: Node, roles: Role[]): Set<string> {
  const names = new Set<string>();
  program.body.forEach((stmt: Node, i: number) => {
    if (roles[i] !== 'route') return;
    declaredNames(stmt).forEach((n) => names.add(n));
    if (stmt.type === 'ExportNamedDeclaration') (stmt.specifiers ?? []).forEach((s: Node) => names.add(s.local?.name));
    if (stmt.type !== 'ExportDefaultDeclaration' || isFunction(stmt.declaration) || isTrpcHandlerExport(program, i)) return;
    walk(stmt.declaration, (n) => {
      if (n.type === 'Identifier') names.add(n.name);
    }, true);
  });
  return names;
}

export function splitExports(program: Node): ExportsSplit | Unsure {
  const roles = rolesOf(program);
  if ('unsure' in roles) return roles;
  const body: Node[] = program.body;
  const uses = body.map((stmt, i) => (roles[i] === 'import' ? { reads: new Set<string>(), writes: new Set<string>() } : freeNames(stmt)));
  const jsx = body.map((stmt, i) => {
    let found = false;
    if (roles[i] !== 'import') walk(stmt, (n) => void (n.type === 'JSXElement' || n.type === 'JSXFragment' ? (found = true) : undefined));
    return found;
  });
  // Who declares each top-level name (a function's overloads, merged interfaces: several statements).
  const declaring = new Map<string, number[]>();
  body.forEach((stmt, i) => {
    if (roles[i] === 'import' || roles[i] === 'ambient') return;
    for (const name of declaredNames(stmt)) declaring.set(name, [...(declaring.get(name) ?? []), i]);
  });

  const labelOf = (i: number) => (roles[i] === 'code' ? `the top-level code at line ${lineOf(body[i]) ?? '?'}` : exportLabel(body[i]));
  // Everything the exports need, transitively. Top-level code goes with them: it ran whenever the file was imported,
  // by the exports' importers as by the route, and the module is loaded by both (the route imports it for that).
  const moved = new Set<number>();
  const queue = body.map((_, i) => i).filter((i) => roles[i] === 'export' || roles[i] === 'code');
  const reached = new Map<number, number>();
  queue.forEach((i) => reached.set(i, i));
  while (queue.length) {
    const i = queue.shift()!;
    if (moved.has(i)) continue;
    moved.add(i);
    // The names code assigns are its own business too (`count = 0`): their declarations go with it.
    for (const name of [...uses[i].reads, ...(roles[i] === 'code' ? uses[i].writes : []), ...declaredNames(body[i])]) {
      for (const j of declaring.get(name) ?? []) {
        if (moved.has(j)) continue;
        if (roles[j] === 'route') return { unsure: `${labelOf(reached.get(i)!)} needs ${name}, which stays with the handler`, line: lineOf(body[i]) };
        reached.set(j, reached.get(i)!);
        queue.push(j);
      }
    }
  }
  const stays = handlerNames(program, roles);
  for (const i of moved) {
    const name = declaredNames(body[i]).find((n) => stays.has(n));
    const label = labelOf(reached.get(i)!);
    // The handler itself (`export const x = …; export default x`), or a name its default export expression reads.
    const isHandler =
      name &&
      body.some(
        (stmt, k) =>
          roles[k] === 'route' &&
          (declaredNames(stmt).includes(name) || (stmt.type === 'ExportDefaultDeclaration' && isIdent(stmt.declaration, name)) || (stmt.type === 'ExportNamedDeclaration' && (stmt.specifiers ?? []).some((s: Node) => s.local?.name === name))),
      );
    if (name && label === `export ${name}`) return { unsure: isHandler ? `${label} is also the default export` : `${label} is read by the default export's own expression, which stays with the handler`, line: lineOf(body[i]) };
    if (name) return { unsure: `${label} needs ${name}, which the default export uses directly`, line: lineOf(body[i]) };
  }

  // What the route still reads from the module, and whether it assigns any of it (an import is read-only).
  const movedNames = new Set([...moved].flatMap((i) => declaredNames(body[i])));
  const routeReads = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    if (moved.has(i) || roles[i] === 'import') continue;
    for (const name of uses[i].writes) if (movedNames.has(name)) return { unsure: `the handler assigns ${name}, which the exports need too`, line: lineOf(body[i]) };
    uses[i].reads.forEach((n) => routeReads.add(n));
    if (body[i].type === 'ExportNamedDeclaration' && !body[i].declaration) body[i].specifiers.forEach((s: Node) => routeReads.add(s.local.name));
  }
  const moduleReads = new Set<string>();
  for (const i of moved) {
    uses[i].reads.forEach((n) => moduleReads.add(n));
    if (body[i].type === 'ExportNamedDeclaration' && !body[i].declaration && !body[i].source) body[i].specifiers.forEach((s: Node) => moduleReads.add(s.local.name));
    // The classic JSX runtime reads React without naming it.
    if (jsx[i]) moduleReads.add('React');
  }
  const sharedNames = [...movedNames].filter((n) => routeReads.has(n)).sort();
  const exported = new Set([...moved].filter((i) => roles[i] === 'export').flatMap((i) => (body[i].declaration ? declaredNames(body[i]) : body[i].specifiers.filter((s: Node) => s.local?.name === (s.exported?.name ?? s.exported?.value)).map((s: Node) => s.local.name))));
  const typeOnly = (name: string) => (declaring.get(name) ?? []).every((i) => isTypeOnlyDeclaration(body[i]));

  const moduleImports = new Map<number, Set<string>>();
  const routeDrops = new Map<number, Set<string>>();
  body.forEach((stmt, i) => {
    if (roles[i] !== 'import') return;
    const locals: string[] = (stmt.specifiers ?? []).map((s: Node) => s.local.name);
    moduleImports.set(i, new Set(locals.filter((n) => moduleReads.has(n))));
    routeDrops.set(i, new Set(locals.filter((n) => moduleReads.has(n) && !routeReads.has(n))));
  });
  return {
    moved,
    moduleImports,
    routeDrops,
    shared: { values: sharedNames.filter((n) => !typeOnly(n)), types: sharedNames.filter(typeOnly) },
    toExport: sharedNames.filter((n) => !exported.has(n)),
    exports: (movableExports(program) as MovableExports).names,
    runsCode: [...moved].some((i) => roles[i] === 'code'),
  };
}

function exportLabel(stmt: Node): string {
  const names = stmt.type === 'ExportNamedDeclaration' ? exportedNames(stmt) : declaredNames(stmt);
  return `export ${names.join(', ')}`;
}

/** `import { a, b } from 'x'` with only the specifiers `keep` accepts; null when none is left. */
function narrowImport(snip: Snippets, stmt: Node, keep: (local: string) => boolean): Node | null {
  const kept = stmt.specifiers.filter((s: Node) => keep(s.local.name));
  if (kept.length === stmt.specifiers.length) return stmt;
  return kept.length ? importWith(snip, stmt, kept) : null;
}

/** The route's side: the moved statements go, and what the route still reads comes from the module. */
export function applyRouteSide(snip: Snippets, program: Node, split: ExportsSplit, specifier: string, typescript: boolean): void {
  const body: Node[] = [];
  program.body.forEach((stmt: Node, i: number) => {
    if (split.moved.has(i)) return;
    const drops = split.routeDrops.get(i);
    const narrowed = drops?.size ? narrowImport(snip, stmt, (local) => !drops.has(local)) : stmt;
    if (narrowed) body.push(narrowed);
  });
  const { values, types } = split.shared;
  const typeNames = typescript ? types : [];
  const lines: string[] = [];
  if (values.length) lines.push(`import { ${[...values, ...typeNames.map((t) => `type ${t}`)].join(', ')} } from ${snip.str(specifier)}${END}`);
  else {
    // A type-only import would not load the module, whose top-level code ran with the route before.
    if (split.runsCode) lines.push(`import ${snip.str(specifier)}${END}`);
    if (typeNames.length) lines.push(`import type { ${typeNames.join(', ')} } from ${snip.str(specifier)}${END}`);
  }
  if (lines.length) {
    let at = 0;
    while (body[at]?.type === 'ImportDeclaration') at++;
    body.splice(at, 0, ...snip.statements(lines.join('\n')));
  }
  program.body = body;
}

/** The module's text: the moved statements and the imports they read, fixed for its folder. */
export function exportsModuleText(rawSource: string, sourcePath: string, modulePath: string, split: ExportsSplit): string {
  const { source, j, snip, program } = parseSource(rawSource, sourcePath);
  const body: Node[] = [];
  program.body.forEach((stmt: Node, i: number) => {
    const keep = split.moduleImports.get(i);
    if (keep) {
      // A side-effect import (`import './setup'`) runs for the route and for the module's importers alike.
      const narrowed = stmt.specifiers?.length ? narrowImport(snip, stmt, (local) => keep.has(local)) : stmt;
      if (narrowed) body.push(narrowed);
    } else if (split.moved.has(i)) {
      body.push(declaredNames(stmt).some((n) => split.toExport.includes(n)) && stmt.type !== 'ExportNamedDeclaration' ? exported(snip, stmt, source.text) : stmt);
    }
  });
  program.body = body;
  fixRelativeImports(program, sourcePath, modulePath);
  return source.restore(printProgram(j, program, source.text, modulePath));
}

/** `const cache = new Map()` → `export const cache = new Map()`, its comments kept above it. */
function exported(snip: Snippets, stmt: Node, text: string): Node {
  return snip.withCommentsOf(stmt, snip.statements(`export ${nodeText(stmt, text)}`)[0]);
}

/** The report's note on the file whose exports moved. */
export function movedNote(exports: string[], modulePath: string): string {
  return `${exports.join(', ')} moved to ${modulePath}, and their importers now import from there`;
}

/**
 * When the plan gives the file a module for its other exports: splits them off `program` (the route's side) and
 * returns the split, for exportsModuleText. Null when there is no module to move to.
 */
export function splitForRoute(snip: Snippets, program: Node, ctx: TransformContext): ExportsSplit | Unsure | null {
  const ref = ctx.exportsModule;
  if (!ref || !('modulePath' in ref)) return null;
  const split = splitExports(program);
  if ('unsure' in split) return split;
  // Written as seen from the source: the transform then moves it to the route's folder with the other imports.
  const specifier = moveSpecifier(ref.routeSpecifier, posix.dirname(ctx.targetPath), posix.dirname(ctx.sourcePath));
  applyRouteSide(snip, program, split, specifier, isTypeScriptPath(ctx.sourcePath));
  return split;
}
