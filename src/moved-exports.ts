/**
 * pages/api files that export values besides the handler: `export const searchParamsSchema = …` that a component
 * imports, `export async function findServers(…)` that another handler imports, next-auth's `authOptions` that every
 * `getServerSession` caller imports. A route file may not export them, and the file goes away, so they move to a new
 * module (transforms/lib/split-exports.ts, transforms/next-auth.ts): `shared.ts` in the route's folder, or
 * `lib/auth-options.ts` for next-auth. Every project file that imports the old path is pointed at the new one: routes
 * migrated in the same run (their text), other files (module updates, written only while they hold what the plan
 * read, as helper twins are), pages/api files left in place included. An importer the tool cannot follow (it imports
 * the handler, or names the file in a way it cannot rewrite) keeps the file in place. Reads the disk, never writes it.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { walk, type Node } from '../transforms/lib/ast.js';
import { movableExports, ROUTE_EXPORTS } from '../transforms/lib/split-exports.js';
import { nextAuthModulePath, nextAuthShapeOf, otherExportsOf } from '../transforms/next-auth.js';
import type { ExportsModuleRef } from '../transforms/types.js';
import type { Resolver } from './resolver.js';
import { routeFileFor, routeFolderFor, sourceExtension } from './routes.js';
import { moduleSpecifier } from './specifiers.js';
import { parseProblem } from './output-check.js';
import { isWritable, markLeft, type PlannedFile } from './plan-types.js';
import { folderProblem } from './target-checks.js';
import { existsNoFollow } from './sync-fs.js';
import { MAX_SOURCE_BYTES } from './read-source.js';

const SKIP_FOLDERS = new Set(['node_modules', '.git', '.next', 'out', 'build', 'dist', 'coverage']);
const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
/** Import specifiers in code: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
export const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\2/g;
/** A cheap test before parsing: a value export other than the default one and the segment config. */
const OTHER_EXPORT = /^\s*export\s+(?:(?:async\s+)?function\b|class\b|enum\b|let\b|var\b|const\s+(?!(?:config|runtime|maxDuration|preferredRegion|dynamic|revalidate|fetchCache|dynamicParams)\b)|\{|\*)/m;

export interface ExportsMove {
  /** The pages/api source. */
  source: string;
  /** The new module, relative to the root. */
  modulePath: string;
  /** How the route imports it. */
  routeSpecifier: string;
  /** Every name that moves (the importers may import these and nothing else). */
  names: string[];
  /** Project files outside the migrated sources that import the old path, with their text. */
  importers: Array<{ path: string; text: string }>;
  /** Why nothing moves: the file stays in place with EXTRA_EXPORTS. */
  left?: string;
  /** `text` of the file at `file` with its imports of the old path pointed at the new module (unchanged if none). */
  rewrite(text: string, file: string): string;
}

/** What the transform of `move.source` is told. */
export function exportsModuleRef(move: ExportsMove | undefined): ExportsModuleRef | undefined {
  if (!move) return undefined;
  return move.left !== undefined ? { left: move.left } : { modulePath: move.modulePath, routeSpecifier: move.routeSpecifier };
}

/**
 * Every source file of the project with a path in quotes that may name one of `needles` (quotedNames), with its text
 * (one walk for all moves). The texts are read through the run's cache, which keeps only those of the files found.
 */
export function filesMentioning(root: string, needles: string[], resolver: Resolver): Array<{ path: string; text: string }> {
  const found: Array<{ path: string; text: string }> = [];
  const wanted = new Set(needles);
  const visit = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !SKIP_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) visit(child);
      else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        try {
          if (statSync(path.join(root, child)).size > MAX_SOURCE_BYTES) continue;
          // By the names its paths end with: one look at the text, however many needles (a run removes thousands).
          const mentions = (text: string) => {
            for (const name of quotedNames(text)) if (wanted.has(name)) return true;
            return false;
          };
          const text = resolver.text(child, mentions);
          if (text !== null && mentions(text)) found.push({ path: child, text });
        } catch {
          // Unreadable: it cannot be rewritten either.
        }
      }
    }
  };
  visit('');
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A string in quotes or backticks, on one line. */
const QUOTED = /['"`]([^'"`\n]+)['"`]/g;

/**
 * The names the paths in `text` end with (each string in quotes or backticks, read as a path): its last part, with
 * and without an extension, and the folder before an `index`. A specifier that names a module ends with the module's
 * needle (needleOf) so, as its file name or its folder's: a file whose names miss every needle imports none of them,
 * which is known without searching its text for each needle.
 */
export function quotedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, quoted] of text.matchAll(QUOTED)) {
    const parts = quoted.replace(/\/+$/, '').split('/');
    const last = parts[parts.length - 1];
    const bare = last.replace(/\.\w+$/, '');
    names.add(last).add(bare);
    if (bare === 'index' && parts.length > 1) names.add(parts[parts.length - 2]);
  }
  return names;
}

/** Every string (in quotes or backticks) that contains `needle`: the paths that may name the module. */
export function quotedPaths(needle: string): RegExp {
  return new RegExp(`['"\`]([^'"\`\n]*${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^'"\`\n]*)['"\`]`, 'g');
}

/** The part of the source's path every specifier naming it contains: its name, or its folder's for an index file. */
export function needleOf(source: string): string {
  const name = path.posix.basename(source).replace(/\.\w+$/, '');
  return name === 'index' ? path.posix.basename(path.posix.dirname(source)) : name;
}

/**
 * The names `file` takes from the module that `isSource` recognises, or why the tool cannot tell: a default or
 * namespace import used whole, `export *` from it, a dynamic import or require it cannot follow, the path in a
 * string that is no import (`jest.mock('…')`).
 */
export function namesImported(resolver: Resolver, file: string, text: string, isSource: (specifier: string) => boolean): { names: Set<string> } | { unsure: string } {
  const program = resolver.program(file, text);
  if (!program) return { unsure: `${file} does not parse` };
  const names = new Set<string>();
  const handled = new Set<Node>();
  let unsure: string | undefined;
  const fail = (why: string) => void (unsure ??= `${file} ${why}`);
  const literalOf = (node: Node) => (node?.type === 'StringLiteral' && isSource(node.value) ? node : null);
  walk(program, (node, parent) => {
    if (unsure) return false;
    if ((node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && literalOf(node.source)) {
      handled.add(node.source);
      if (node.type === 'ExportAllDeclaration') return fail('re-exports everything from it (export *)');
      for (const spec of node.specifiers ?? []) {
        if (spec.type === 'ImportDefaultSpecifier' || spec.local?.name === 'default') fail('imports its default export (the handler)');
        else if (spec.type === 'ImportNamespaceSpecifier' || spec.type === 'ExportNamespaceSpecifier') {
          const members = spec.local ? namespaceMembers(program, spec.local.name) : null;
          if (!members) fail(`uses all of it as ${spec.local?.name ?? spec.exported?.name}`);
          else members.forEach((m) => names.add(m));
        } else names.add(spec.imported?.name ?? spec.imported?.value ?? spec.local.name);
      }
      return;
    }
    const dynamic = node.type === 'ImportExpression' || (node.type === 'CallExpression' && (node.callee.type === 'Import' || (node.callee.type === 'Identifier' && node.callee.name === 'require')));
    const argument = node.type === 'ImportExpression' ? node.source : node.arguments?.[0];
    if (dynamic && literalOf(argument)) {
      handled.add(argument);
      const taken = dynamicNames(program, node);
      if (!taken) return fail('imports it dynamically in a way the tool cannot follow');
      taken.forEach((n) => names.add(n));
      return;
    }
    if (node.type === 'TSImportType' && literalOf(node.argument?.literal ?? node.argument)) {
      handled.add(node.argument?.literal ?? node.argument);
      const first = node.qualifier?.type === 'Identifier' ? node.qualifier.name : node.qualifier?.left?.name;
      if (!first) return fail('uses a type of it the tool cannot name');
      names.add(first);
      return;
    }
    if (node.type === 'StringLiteral' && !handled.has(node) && isSource(node.value) && parent?.type !== 'ImportDeclaration') fail(`names it in a string the tool cannot rewrite ('${node.value}')`);
  });
  return unsure ? { unsure } : { names };
}

/**
 * The common case without parsing: every mention of the module is `import { a, type B } from '…'` (or `import type`).
 * Null when some mention is anything else.
 */
export function namedImportsOnly(text: string, quoted: RegExp, isSource: (specifier: string) => boolean): { names: Set<string> } | null {
  const names = new Set<string>();
  for (const match of text.matchAll(quoted)) {
    if (!isSource(match[1])) continue;
    const clause = /\bimport\s+(?:type\s+)?\{([^{}]*)\}\s*from\s*$/.exec(text.slice(Math.max(0, match.index - 2000), match.index));
    if (!clause) return null;
    for (const part of clause[1].split(',').map((p) => p.trim()).filter(Boolean)) {
      const name = /^(?:type\s+)?([\w$]+)(?:\s+as\s+[\w$]+)?$/.exec(part)?.[1];
      if (!name) return null;
      names.add(name);
    }
  }
  return { names };
}

/** `ns.a`, `ns.b` for every use of the namespace `ns`; null when it is used whole. */
function namespaceMembers(program: Node, ns: string): string[] | null {
  const members: string[] = [];
  let whole = false;
  walk(program, (node, parent, key) => {
    if (node.type !== 'Identifier' || node.name !== ns) return;
    if (parent?.type === 'ImportNamespaceSpecifier') return;
    if ((parent?.type === 'MemberExpression' || parent?.type === 'TSQualifiedName') && key === (parent.type === 'MemberExpression' ? 'object' : 'left')) {
      const property = parent.type === 'MemberExpression' ? (!parent.computed ? parent.property.name : null) : parent.right.name;
      if (property) return void members.push(property);
    }
    whole = true;
  });
  return whole ? null : members;
}

/** The names a dynamic import or require takes: `const { a } = await import(…)`, `(await import(…)).a`, `.then(({ a }) => …)`. */
function dynamicNames(program: Node, call: Node): string[] | null {
  let result: string[] | null = null;
  const fromPattern = (pattern: Node): string[] | null => {
    if (pattern?.type !== 'ObjectPattern' || pattern.properties.some((p: Node) => p.type !== 'ObjectProperty' || p.computed)) return null;
    return pattern.properties.map((p: Node) => p.key.name ?? p.key.value);
  };
  walk(program, (node) => {
    if (result) return false;
    const awaited = (n: Node) => n === call || (n?.type === 'AwaitExpression' && n.argument === call);
    if (node.type === 'VariableDeclarator' && awaited(node.init)) result = fromPattern(node.id);
    else if (node.type === 'MemberExpression' && awaited(node.object) && !node.computed && !(node.property.name === 'then' && node.object === call)) result = [node.property.name];
    else if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.object === call && node.callee.property.name === 'then') {
      const callback = node.arguments[0];
      if (callback?.params?.length === 1) result = fromPattern(callback.params[0]);
    }
  });
  return result;
}

function hasJsx(program: Node): boolean {
  let found = false;
  walk(program, (node) => {
    if (node.type === 'JSXElement' || node.type === 'JSXFragment') found = true;
  });
  return found;
}

/** Where a file's other exports go: `shared.ts` in the route's folder (`shared-2.ts`… when the name is taken). */
function sharedModulePath(source: string, taken: (withoutExtension: string) => boolean, pageExtensions?: readonly string[]): string | null {
  const ext = sourceExtension(source);
  if (ext === '.cjs' || ext === '.cts') return null;
  const base = `${routeFolderFor(source, pageExtensions)}/shared`;
  let candidate = base;
  for (let n = 2; taken(candidate); n++) candidate = `${base}-${n}`;
  return candidate + ext;
}

export function findExportsMoves(root: string, sources: Array<{ source: string; text: string }>, resolver: Resolver, pageExtensions?: readonly string[]): ExportsMove[] {
  const { aliases } = resolver;
  const moves: ExportsMove[] = [];
  const planned = new Set<string>();
  const routeFolders = new Set(sources.map((s) => routeFolderFor(s.source, pageExtensions)));
  // A name is taken by a file with any extension, a folder (a route answered below it), or another move of this run.
  const taken = (base: string) =>
    planned.has(base) ||
    routeFolders.has(base) ||
    ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '/index.ts', '/index.js'].some((ext) => existsNoFollow(path.join(root, base + ext)));
  for (const { source, text } of sources) {
    if (!OTHER_EXPORT.test(text)) continue;
    const program = resolver.program(source, text);
    if (!program) continue;
    const values = otherExportsOf(program).filter((name) => name !== 'default' && !ROUTE_EXPORTS.includes(name));
    const hasDefault = program.body.some((s: Node) => s.type === 'ExportDefaultDeclaration' || (s.type === 'ExportNamedDeclaration' && s.specifiers?.some((x: Node) => x.exported?.name === 'default')));
    if (!values.length || !hasDefault) continue;
    const nextAuth = nextAuthShapeOf(program) !== null;
    const movable = movableExports(program);
    let left = 'unsure' in movable && !nextAuth ? movable.unsure : undefined;
    const target = routeFileFor(source, pageExtensions);
    const modulePath = nextAuth ? nextAuthModulePath(source, taken, /\.[jt]sx$/.test(source) && hasJsx(program)) : sharedModulePath(source, taken, pageExtensions);
    if (modulePath === null) left = 'a .cjs file is CommonJS';
    const needle = needleOf(source);
    const move: ExportsMove = {
      source,
      modulePath: modulePath ?? '',
      // next-auth's options module is far from the route: through the `@/` alias when there is one.
      routeSpecifier: modulePath ? moduleSpecifier(aliases, target, modulePath, nextAuth) : '',
      names: 'unsure' in movable ? values : movable.names,
      importers: [],
      left,
      rewrite: (fileText, file) =>
        // Only a specifier naming the file (`…/[...nextauth]`, with or without extension) can resolve to it.
        !fileText.includes(needle) ? fileText : fileText.replace(SPECIFIER, (match, lead: string, quote: string, specifier: string) => {
          if (!specifier.includes(needle) || resolver.resolve(file, specifier) !== source) return match;
          return `${lead}${quote}${moduleSpecifier(aliases, file, move.modulePath, !specifier.startsWith('.'))}${quote}`;
        }),
    };
    if (modulePath) planned.add(modulePath.replace(/\.\w+$/, ''));
    moves.push(move);
  }
  if (!moves.length) return moves;
  const mentioning = filesMentioning(root, [...new Set(moves.map((m) => needleOf(m.source)))], resolver);
  for (const move of moves.filter((m) => m.left === undefined)) {
    const needle = needleOf(move.source);
    // The needle in a string: an import, or a path the rewrite would miss (`vi.mock('…')`), either way a file to read.
    const quoted = quotedPaths(needle);
    const refers = (file: { path: string; text: string }) => [...file.text.matchAll(quoted)].some((m) => resolver.resolve(file.path, m[1]) === move.source);
    for (const file of mentioning.filter((f) => f.path !== move.source && refers(f))) {
      const isSource = (specifier: string) => specifier.includes(needle) && resolver.resolve(file.path, specifier) === move.source;
      const used = namedImportsOnly(file.text, quoted, isSource) ?? namesImported(resolver, file.path, file.text, isSource);
      if ('names' in used && move.rewrite(file.text, file.path) === file.text) continue;
      move.importers.push(file);
      const missing = 'names' in used ? [...used.names].filter((n) => !move.names.includes(n)) : [];
      if ('unsure' in used) move.left = used.unsure;
      else if (missing.length) move.left = `${file.path} imports ${missing.join(', ')}, which stays with the handler`;
      if (move.left) break;
    }
  }
  return moves;
}

/**
 * The first half of carrying out the moves: a file whose module does not parse or has no place to go (or that gets a
 * helper twin, or whose route was made without moving its exports) stays in place. Per file: it depends on no other.
 */
export async function settleMoves(root: string, moves: ExportsMove[], selected: PlannedFile[], twinned: Set<string>): Promise<void> {
  for (const move of moves) {
    const file = writtenRoute(move, selected);
    if (!file) continue;
    const module = file.exportsModule;
    // A transform that made the route another way (a re-exported handler) did not move the exports: then it stays.
    const parsed = module && !twinned.has(move.source) ? parseProblem(module.path, module.content) : undefined;
    const problem = !module
      ? { reason: 'EXTRA_EXPORTS' as const, detail: `export ${move.names.join(', ')}: the route was made without moving them` }
      : twinned.has(move.source)
        ? { reason: 'EXTRA_EXPORTS' as const, detail: `export ${move.names.join(', ')}: another handler calls one of them with res, and its route-handler twin goes into this file` }
      : parsed !== undefined
        ? { reason: 'INTERNAL_ERROR' as const, detail: `the module its exports move to does not parse (${parsed})` }
        : await folderProblem(root, path.posix.dirname(module.path));
    if (problem) {
      markLeft(file, problem);
      file.exportsModule = undefined;
    }
  }
}

/** The route of `move`, while it is to be written with its exports moved. */
function writtenRoute(move: ExportsMove, selected: PlannedFile[]): PlannedFile | undefined {
  return selected.find((f) => f.source === move.source && isWritable(f) && move.left === undefined);
}

/**
 * The moves whose route is to be written, carried out on the selected files: every route that imports an old path,
 * and every other moved module, imports the new module instead (and needs it written). Called once no file can be
 * left any more: a move goes only with its route, and a route left afterwards would keep the code the new module has
 * a copy of (or import a file that went away). Returns the moves that happen.
 */
export function carryOutMoves(moves: ExportsMove[], selected: PlannedFile[]): ExportsMove[] {
  const fileOf = (move: ExportsMove) => writtenRoute(move, selected);
  const active = moves.filter((m) => fileOf(m)?.exportsModule);
  const needs = (file: PlannedFile, module: string) => (file.needs = [...new Set([...(file.needs ?? []), module])]);
  for (const move of active) {
    for (const file of selected.filter((f) => isWritable(f) && f.source !== move.source)) {
      const output = move.rewrite(file.output as string, file.target);
      if (output !== file.output) {
        file.output = output;
        needs(file, move.modulePath);
      }
      const module = file.exportsModule;
      const content = module && move.rewrite(module.content, module.path);
      if (module && content !== module.content) {
        module.content = content as string;
        needs(file, move.modulePath);
      }
    }
    needs(fileOf(move)!, move.modulePath);
  }
  return active;
}
