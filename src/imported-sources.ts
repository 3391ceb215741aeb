/**
 * Other project files that import a pages/api file the run removes. The values a handler file exports besides the
 * handler have their own pass (src/moved-exports.ts); this one covers what is left once a file has none: the file's
 * types (`export type Rows = …` that a component imports) and the handler itself (a handler left in place, or a
 * test, that imports another handler and calls it). Without it the run removes a file that is still imported, and the
 * app no longer compiles.
 *
 * Types stay exported from the route file (a route file may export types), so a TypeScript importer that takes only
 * those types is pointed at the route file. Any other importer (the default export, a namespace used whole, a path in
 * a string, a JavaScript file) keeps the source in place (SOURCE_IMPORTED). Importers are read as the run leaves them:
 * project files from the disk, routes to be written by their text. Reads the disk, never writes it.
 */
import path from 'node:path';
import type { Node } from '../transforms/lib/ast.js';
import { filesMentioning, namedImportsOnly, namesImported, needleOf, quotedNames, quotedPaths, SPECIFIER } from './moved-exports.js';
import { isWritable, type PlannedFile } from './plan-types.js';
import type { Resolver } from './resolver.js';
import { moduleSpecifier } from './specifiers.js';

/** A removed source whose types its importers now take from its route file. */
export interface TypesRetarget {
  source: string;
  route: string;
  /** Project files (not routes of this run) that import it, with the text the plan read. */
  importers: Array<{ path: string; text: string }>;
  /** `text` of `file` with its imports of the source pointed at the route file (unchanged if none). */
  rewrite(text: string, file: string): string;
}

export interface ImportedSources {
  /** Source → why it stays in place. */
  left: Map<string, string>;
  retargets: TypesRetarget[];
}

const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/;

/** The types `program` exports by declaration (`export type A = …`, `export interface B {}`). */
function declaredTypeExports(program: Node): string[] {
  return program.body
    .filter((s: Node) => s.type === 'ExportNamedDeclaration' && (s.declaration?.type === 'TSTypeAliasDeclaration' || s.declaration?.type === 'TSInterfaceDeclaration'))
    .map((s: Node) => s.declaration.id.name as string);
}

/** Whether the route's text still declares the exported type `name`. */
function routeExportsType(route: string, name: string): boolean {
  return new RegExp(`(?:^|\\n)\\s*export\\s+(?:declare\\s+)?(?:type|interface)\\s+${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(route);
}

/**
 * `removed`: the writable files of the run whose sources go away and have no exports move. `selected`: every file of
 * the run, for the routes' texts and to tell the sources that go away from those that stay.
 */
export function findImportedSources(root: string, removed: PlannedFile[], selected: PlannedFile[], resolver: Resolver): ImportedSources {
  const result: ImportedSources = { left: new Map(), retargets: [] };
  if (!removed.length) return result;
  const { aliases } = resolver;
  // What else imports after the run: the routes written, and the modules their other exports move to (a route an
  // earlier run wrote is on the disk too: it is read as planned).
  const writable = selected.filter(isWritable);
  const targets = new Set(writable.map((f) => f.target));
  // A source the run removes imports nothing afterwards: its route (among `written`) stands for it.
  const sources = new Set(writable.map((f) => f.source));
  const onDisk = filesMentioning(root, [...new Set(removed.map((f) => needleOf(f.source)))], resolver).filter((f) => !targets.has(f.path) && !sources.has(f.path));
  const written = writable.flatMap((f) => [
    { path: f.target, text: f.output as string },
    ...(f.exportsModule ? [{ path: f.exportsModule.path, text: f.exportsModule.content }] : []),
  ]);
  // The files that may import each needle, by the names their quoted paths end with: one look at each text, where a
  // search of every text for every removed source grew with their product (thousands of routes in one run).
  const byName = new Map<string, Array<{ path: string; text: string }>>();
  for (const importer of [...onDisk, ...written])
    for (const name of quotedNames(importer.text)) {
      const list = byName.get(name);
      if (list) list.push(importer);
      else byName.set(name, [importer]);
    }
  for (const file of removed) {
    const needle = needleOf(file.source);
    const quoted = quotedPaths(needle);
    const refers = (importer: { path: string; text: string }) =>
      importer.path !== file.source && importer.text.includes(needle) && [...importer.text.matchAll(quoted)].some((m) => resolver.resolve(importer.path, m[1]) === file.source);
    const importers = (byName.get(needle) ?? []).filter(refers);
    if (!importers.length) continue;
    const program = resolver.program(file.source, file.input);
    const types = program ? declaredTypeExports(program).filter((name) => routeExportsType(file.output as string, name)) : [];
    let why: string | undefined;
    for (const importer of importers) {
      const isSource = (specifier: string) => specifier.includes(needle) && resolver.resolve(importer.path, specifier) === file.source;
      const used = namedImportsOnly(importer.text, quoted, isSource) ?? namesImported(resolver, importer.path, importer.text, isSource);
      if ('unsure' in used) why = used.unsure;
      else if (!TYPESCRIPT.test(importer.path)) why = `${importer.path} imports it, and is JavaScript (it cannot import types)`;
      else {
        const others = [...used.names].filter((name) => !types.includes(name));
        if (others.includes('default')) why = `${importer.path} imports its default export (the handler)`;
        else if (others.length) why = `${importer.path} imports ${others.join(', ')}, which the route file does not export`;
      }
      if (why) break;
    }
    if (why !== undefined) {
      result.left.set(file.source, why);
      continue;
    }
    const route = file.target;
    result.retargets.push({
      source: file.source,
      route,
      importers: onDisk.filter(refers),
      rewrite: (text, at) =>
        !text.includes(needle) ? text : text.replace(SPECIFIER, (match, lead: string, quote: string, specifier: string) => {
          if (!specifier.includes(needle) || resolver.resolve(at, specifier) !== file.source) return match;
          return `${lead}${quote}${moduleSpecifier(aliases, at, route, !specifier.startsWith('.'))}${quote}`;
        }),
    });
  }
  return result;
}

/** The note on a file whose importers now take its types from the route. */
export function retargetNote(retarget: TypesRetarget, importers: string[]): string {
  return `its exported types stay in ${path.posix.basename(retarget.route)}; ${importers.join(', ')} now import${importers.length === 1 ? 's' : ''} them from there`;
}
