/**
 * How the passes across files see the project: imports resolved through relative paths and the `paths` (and
 * `baseUrl`) of tsconfig.json / jsconfig.json, and one cache of the files' texts and syntax trees for the run.
 * Reads the disk, never writes it.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { apiFor, type Node } from '../transforms/lib/ast.js';
import { readTextOrUndefined } from './sync-fs.js';

export interface PathAliases {
  baseUrl: string;
  paths: Record<string, string[]>;
  /** tsconfig sets baseUrl: then `utils/api` may name `<baseUrl>/utils/api.ts`, as TypeScript and Next resolve it. */
  fromBaseUrl?: boolean;
}

/** `text` with its comments blanked out, each character kept in place (a search in it gives places in `text`). */
export function blankJsoncComments(text: string): string {
  return text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string: string | undefined) => string ?? match.replace(/[^\n]/g, ' '));
}

/** tsconfig.json allows comments and trailing commas; JSON.parse does not. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(blankJsoncComments(text).replace(/,(\s*[}\]])/g, '$1'));
}

/**
 * What a config and the ones it extends set: baseUrl (absolute) and paths, with the folder of the config that set the
 * paths. `null` is an option cleared (`"baseUrl": null` undoes an inherited one, as in TypeScript); undefined, not set.
 */
interface ConfigAliases {
  baseUrl?: string | null;
  paths?: Record<string, string[]> | null;
  pathsDir?: string;
}

const CONFIG_DIR = '${configDir}';

/** Whether `spec` names a file by its path (TypeScript's rule: `./`, `../` or rooted), not a package. */
function isPathSpec(spec: string): boolean {
  return /^\.\.?(?:[\\/]|$)/.test(spec) || path.isAbsolute(spec);
}

/**
 * The file an `extends` names: a path from the config's folder (`.json` added when missing), or a package's file in a
 * node_modules above it (its package.json's `tsconfig` field or an `exports` entry of the subpath, else the path
 * itself, with `.json`, or its folder's tsconfig.json).
 */
function extendedFile(dir: string, spec: string): string | null {
  if (isPathSpec(spec)) return [path.resolve(dir, spec), `${path.resolve(dir, spec)}.json`].find(isFile) ?? null;
  const [, name, subpath] = /^((?:@[^/]+\/)?[^/]+)(?:\/(.*))?$/.exec(spec) ?? [];
  if (!name) return null;
  for (let at = dir; ; at = path.dirname(at)) {
    const root = path.join(at, 'node_modules', name);
    const manifest = readJsonObject(path.join(root, 'package.json'));
    const exported = manifest?.exports && typeof manifest.exports === 'object' ? (manifest.exports as Record<string, unknown>)[subpath ? `./${subpath}` : '.'] : undefined;
    const named = typeof exported === 'string' ? exported : !subpath && typeof manifest?.tsconfig === 'string' ? manifest.tsconfig : null;
    const base = path.join(root, subpath ?? 'tsconfig.json');
    const found = [named ? path.join(root, named) : null, base, `${base}.json`, path.join(base, 'tsconfig.json')].find((f): f is string => !!f && isFile(f));
    if (found) return found;
    if (path.dirname(at) === at) return null;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A JSON(C) object read from `file`, or null (unreadable, not JSON, or not an object). */
function readJsonObject(file: string): Record<string, unknown> | null {
  try {
    const value = parseJsonc(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `paths` as TypeScript takes it: its patterns whose targets are a list of strings (it reports the others). */
function validPaths(value: unknown): Record<string, string[]> | null | undefined {
  if (value === null) return null;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, targets]) => Array.isArray(targets) && targets.every((t) => typeof t === 'string')));
}

/**
 * The aliases `file` sets, following its `extends` (a string, or a list whose later entries win) as TypeScript does:
 * the config's own baseUrl and paths win over those it extends; a baseUrl is relative to the config that sets it, and
 * paths without a baseUrl are relative to the config that sets them. `${configDir}` is the folder of the app's own
 * config (`rootDir`). Null when the file cannot be read as a JSON object. `chain`: the configs on the way here (a loop
 * stops where it comes back).
 */
function configAliases(file: string, rootDir: string, chain: string[] = [], read = new Map<string, ConfigAliases | null>()): ConfigAliases | null {
  // Each config once per read (a list that extends the same chain many times would go over it again and again).
  if (read.has(file)) return read.get(file)!;
  const found = ownAndInherited(file, rootDir, chain, read);
  read.set(file, found);
  return found;
}

function ownAndInherited(file: string, rootDir: string, chain: string[], read: Map<string, ConfigAliases | null>): ConfigAliases | null {
  const config = readJsonObject(file);
  if (!config) return null;
  const dir = path.dirname(file);
  const options = config.compilerOptions && typeof config.compilerOptions === 'object' ? (config.compilerOptions as Record<string, unknown>) : {};
  let inherited: ConfigAliases = {};
  const parents = typeof config.extends === 'string' ? [config.extends] : Array.isArray(config.extends) ? config.extends.filter((e): e is string => typeof e === 'string') : [];
  for (const spec of parents) {
    const parentFile = extendedFile(dir, spec);
    const parent = parentFile && !chain.includes(parentFile) && chain.length < 16 ? configAliases(parentFile, rootDir, [...chain, file], read) : null;
    if (parent) inherited = overlay(inherited, parent);
  }
  const baseUrl = typeof options.baseUrl === 'string' ? path.resolve(dir, options.baseUrl.replace(CONFIG_DIR, rootDir)) : options.baseUrl === null ? null : undefined;
  const paths = validPaths(options.paths);
  return overlay(inherited, { baseUrl, paths, pathsDir: dir });
}

/** `over`'s options where it sets them (`null` too: an option cleared), `under`'s elsewhere; paths with their folder. */
function overlay(under: ConfigAliases, over: ConfigAliases): ConfigAliases {
  return {
    baseUrl: over.baseUrl !== undefined ? over.baseUrl : under.baseUrl,
    ...(over.paths !== undefined ? { paths: over.paths, pathsDir: over.pathsDir } : { paths: under.paths, pathsDir: under.pathsDir }),
  };
}

function readPathAliases(root: string): PathAliases {
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    // No such file, or not JSON we can read: the next, and relative imports still resolve.
    const found = configAliases(path.join(root, name), root);
    if (!found) continue;
    const base = found.baseUrl ?? found.pathsDir ?? root;
    // `${configDir}/src/*`: the app's own folder, from the folder the targets are relative to.
    const fromBase = path.relative(base, root).split(path.sep).join('/') || '.';
    const paths = Object.fromEntries(Object.entries(found.paths ?? {}).map(([pattern, targets]) => [pattern, targets.map((t) => t.replace(CONFIG_DIR, fromBase))]));
    return { baseUrl: path.relative(root, base).split(path.sep).join('/') || '.', paths, fromBaseUrl: typeof found.baseUrl === 'string' };
  }
  return { baseUrl: '.', paths: {} };
}

/** Whether `rel` reaches its file without passing a symlink (inside or outside the root). */
function isRealPath(root: string, rel: string): boolean {
  try {
    return realpathSync(path.join(root, rel)) === path.join(realpathSync(root), rel);
  } catch {
    return false;
  }
}

const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '/index.ts', '/index.tsx', '/index.js', '/index.jsx'];

/** The project file an import specifier names, relative to the root (posix), or null (a package, or outside). */
function resolveSpecifier(root: string, fromFile: string, specifier: string, aliases: PathAliases): string | null {
  const bases: string[] = [];
  if (specifier.startsWith('.')) bases.push(path.join(root, path.dirname(fromFile), specifier));
  for (const [pattern, targets] of Object.entries(aliases.paths)) {
    const star = pattern.endsWith('*');
    const prefix = star ? pattern.slice(0, -1) : pattern;
    if (star ? !specifier.startsWith(prefix) : specifier !== pattern) continue;
    for (const target of targets) bases.push(path.join(root, aliases.baseUrl, target.replace('*', specifier.slice(prefix.length))));
  }
  // After the paths, before packages: a project file under baseUrl wins over a package of that name, as in tsc.
  if (aliases.fromBaseUrl && !specifier.startsWith('.') && !specifier.startsWith('/')) bases.push(path.join(root, aliases.baseUrl, specifier));
  for (const base of bases) {
    for (const ext of EXTENSIONS) {
      const file = base + ext;
      const rel = path.relative(root, file);
      if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('node_modules')) continue;
      // No symlink on the way: the module may get a twin, and the tool never writes through a link.
      if (existsSync(file) && statSync(file).isFile() && isRealPath(root, rel)) return rel.split(path.sep).join('/');
    }
  }
  return null;
}

/**
 * What every pass across files shares, one per run: tsconfig's aliases, the import resolution, the texts of the project
 * files the passes read and the syntax trees of those they parse (a pages/api file is often looked at by two). Each
 * file is read once, whichever pass asks first; the passes only read the texts and the trees.
 */
export interface Resolver {
  aliases: PathAliases;
  /** resolveSpecifier, once per folder and specifier (the tree does not change while the plan is made). */
  resolve(fromFile: string, specifier: string): string | null;
  /**
   * The text of `file` (relative to the root, posix), read once per run; null when it cannot be read. With `keepIf`,
   * a text read now stays cached only when it passes: the walk over every source file of the project (moved-exports.ts)
   * would otherwise hold the whole project's text until the plan is made.
   */
  text(file: string, keepIf?: (text: string) => boolean): string | null;
  /**
   * The program of `file`, parsed once; null when it does not parse or cannot be read. `text` is the file's text when
   * the caller holds it already (a pages/api source as the plan read it); otherwise text(file).
   */
  program(file: string, text?: string): Node | null;
}

/**
 * `read`: the files the plan has read already (the pages/api sources it could decode), which start the cache. Their
 * text is what a read here would give: valid UTF-8, decoded with the BOM kept, as readFileSync does.
 */
export function createResolver(root: string, read: Array<{ source: string; text: string }> = []): Resolver {
  const aliases = readPathAliases(root);
  const resolved = new Map<string, string | null>();
  const texts = new Map<string, string | null>(read.map(({ source, text }) => [source, text]));
  const programs = new Map<string, Node | null>();
  const text = (file: string, keepIf?: (text: string) => boolean): string | null => {
    if (texts.has(file)) return texts.get(file)!;
    const read = readTextOrUndefined(path.join(root, file)) ?? null;
    if (!keepIf || (read !== null && keepIf(read))) texts.set(file, read);
    return read;
  };
  return {
    aliases,
    resolve(fromFile, specifier) {
      const key = specifier.startsWith('.') ? `${path.posix.dirname(fromFile)}\0${specifier}` : specifier;
      let module = resolved.get(key);
      if (module === undefined) resolved.set(key, (module = resolveSpecifier(root, fromFile, specifier, aliases)));
      return module;
    },
    text,
    program(file, given) {
      if (!programs.has(file)) {
        const source = given ?? text(file);
        let program: Node | null = null;
        try {
          if (source !== null) program = apiFor(file)(source.replace(/^\uFEFF/, '')).get().node.program;
        } catch {
          program = null;
        }
        programs.set(file, program);
      }
      return programs.get(file) ?? null;
    },
  };
}
