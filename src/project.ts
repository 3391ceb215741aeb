/** Facts about the Next.js app the tool runs on: where its folders are, its Next.js version, TypeScript or not. */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from './errors.js';
import { readPageExtensions } from './page-extensions.js';

export interface Project {
  /** Absolute path of the app root. */
  root: string;
  /** The pages/api folders present, posix and relative to the root: `pages/api`, `src/pages/api`. */
  apiDirs: string[];
  /** The App Router folders present: `app`, `src/app`. */
  appDirs: string[];
  /** True when the app has a tsconfig.json: the shared helper module is then written as TypeScript. */
  typescript: boolean;
  /** The @trpc/server version (installed, else asked for), when the app has it: v9 has no fetch adapter. */
  trpcVersion?: string;
  /** The next-auth version (installed, else asked for), when the app has it: before 4.22 it has no route handler. */
  nextAuthVersion?: string;
  /** The formidable version (installed, else asked for), when the app has it: before v3 a callback gets other shapes. */
  formidableVersion?: string;
  /** next.config's pageExtensions (src/page-extensions.ts); Next.js's default when absent. */
  pageExtensions?: readonly string[];
  /**
   * Extensions the config adds to pageExtensions only under a condition (the build's environment): a pages/api file
   * ending in one of these alone may or may not be a route, which the tool cannot tell (scan.ts stops on it).
   */
  conditionalPageExtensions?: readonly string[];
}

async function isDirectory(abs: string): Promise<boolean> {
  return stat(abs).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isFile(abs: string): Promise<boolean> {
  return stat(abs).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function present(root: string, candidates: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const rel of candidates) if (await isDirectory(path.join(root, rel))) found.push(rel);
  return found;
}

/** Looks at `dir` and fails with one sentence when it is not a folder holding a Next.js app. */
export async function loadProject(dir: string): Promise<Project> {
  const root = path.resolve(dir);
  if (!(await stat(root).catch(() => undefined))) throw new UserError(`The folder ${root} does not exist.`);
  if (!(await isDirectory(root))) throw new UserError(`${root} is not a folder; pass the root folder of a Next.js app.`);
  const pagesDirs = await present(root, ['pages', 'src/pages']);
  if (pagesDirs.length === 0 && !(await isFile(path.join(root, 'package.json')))) {
    throw new UserError(`${root} is not a Next.js app: it has no package.json and no pages folder.`);
  }
  return {
    root,
    apiDirs: await present(root, ['pages/api', 'src/pages/api']),
    appDirs: await present(root, ['app', 'src/app']),
    typescript: await isFile(path.join(root, 'tsconfig.json')),
    ...(await packageVersion(root, '@trpc/server').then((v) => (v ? { trpcVersion: v } : {}))),
    ...(await packageVersion(root, 'next-auth').then((v) => (v ? { nextAuthVersion: v } : {}))),
    ...(await packageVersion(root, 'formidable').then((v) => (v ? { formidableVersion: v } : {}))),
    ...pageExtensionsOf(root),
  };
}

function pageExtensionsOf(root: string): Pick<Project, 'pageExtensions' | 'conditionalPageExtensions'> {
  const { always, conditional } = readPageExtensions(root);
  return { pageExtensions: always, ...(conditional.length ? { conditionalPageExtensions: conditional } : {}) };
}

/** `^15.5.0` → `15.5.0`, `~14.2` → `14.2.0`, `npm:next@16.1.2` → `16.1.2`; undefined when the range names no version. */
export function versionFromRange(range: string): string | undefined {
  const match = /(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?/.exec(range);
  if (!match) return undefined;
  const [, major, minor = '0', patch = '0', pre = ''] = match;
  return `${major}.${minor}.${patch}${pre}`;
}

async function readJson(abs: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(abs, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The version of package `name` Node would load from the app root (node_modules, searched upwards). */
async function installedVersion(root: string, name: string): Promise<string | undefined> {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const pkg = await readJson(path.join(dir, 'node_modules', name, 'package.json'));
    if (typeof pkg?.version === 'string') return pkg.version;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function declaredVersion(root: string, name: string): Promise<string | undefined> {
  const pkg = await readJson(path.join(root, 'package.json'));
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    const range = (pkg?.[field] as Record<string, unknown> | undefined)?.[name];
    if (typeof range === 'string') return range.startsWith('catalog:') ? catalogVersion(root, name, range) : versionFromRange(range);
  }
  return undefined;
}

/** The app root and the folders above it, nearest first: a monorepo keeps its lockfile and workspace file at its top. */
function upwards(root: string): string[] {
  const dirs = [root];
  while (path.dirname(dirs[dirs.length - 1]) !== dirs[dirs.length - 1]) dirs.push(path.dirname(dirs[dirs.length - 1]));
  return dirs;
}

const LOCKFILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'];

/**
 * The version of package `name` the app's lockfile pins (package-lock.json, yarn.lock or pnpm-lock.yaml at the root,
 * else at the nearest folder above it that has one: a workspace's), for an app whose dependencies are not installed:
 * a range such as `^4.16.4` may well have installed 4.24.
 */
async function lockedVersion(root: string, name: string): Promise<string | undefined> {
  const dir = upwards(root).find((d) => LOCKFILES.some((file) => existsSync(path.join(d, file))));
  if (!dir) return undefined;
  // The app's folder as the workspace's lockfile names it (`apps/web`; `.` at the root).
  const member = path.relative(dir, root).split(path.sep).join('/') || '.';
  const npm = await readJson(path.join(dir, 'package-lock.json'));
  const packages = npm?.packages as Record<string, { version?: unknown }> | undefined;
  const dependencies = npm?.dependencies as Record<string, { version?: unknown }> | undefined;
  // A lockfile above the app speaks for it only where it names the app as a workspace member: one of another project
  // (a home folder's, say) would give that project's version, where the app's own package.json says otherwise.
  const inWorkspace = member === '.' || packages?.[member] !== undefined;
  const fromNpm = !inWorkspace ? undefined : (member !== '.' ? packages?.[`${member}/node_modules/${name}`]?.version : undefined) ?? packages?.[`node_modules/${name}`]?.version ?? dependencies?.[name]?.version;
  if (typeof fromNpm === 'string') return versionFromRange(fromNpm);
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const text = (file: string) => readFile(path.join(dir, file), 'utf8').then((t) => t.replace(/\r\n/g, '\n'), () => undefined);
  // yarn.lock does not say which member asks for a version: only the app's own counts.
  const yarn = member === '.' ? await text('yarn.lock') : undefined;
  // `next-auth@^4.16.4:` (or `"next-auth@^4.16.4", "next-auth@^4.2":`) followed by `  version "4.24.5"`.
  const fromYarn = yarn && new RegExp(`^"?${escaped}@[^\\n]*:\\n\\s+version:? "?([^"\\s]+)`, 'm').exec(yarn)?.[1];
  if (fromYarn) return versionFromRange(fromYarn);
  const pnpm = await text('pnpm-lock.yaml');
  if (!pnpm) return undefined;
  // A workspace's own entry under importers (`  apps/web:` … `      next:` `        version: 15.5.18(…)`), which
  // tells its version from another member's; else `  /next-auth@4.24.5:` (lockfile v6) or `  next-auth@4.24.5:` (v9).
  const importer = new RegExp(`^  '?${member.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'?:\\n((?:(?:    .*)?\\n)*)`, 'm').exec(pnpm)?.[1];
  const fromImporter = importer && new RegExp(`^      '?${escaped}'?:\\n(?:        .*\\n)*?        version: '?(\\d[^('\\s]*)`, 'm').exec(importer)?.[1];
  const fromPnpm = fromImporter || (member === '.' ? new RegExp(`^\\s+'?/?${escaped}@(\\d[^:('\\s]*)`, 'm').exec(pnpm)?.[1] : undefined);
  return fromPnpm ? versionFromRange(fromPnpm) : undefined;
}

/**
 * The version a pnpm catalog gives package `name` (`"next": "catalog:"`, or `catalog:<name>` for a named catalog), from
 * the nearest pnpm-workspace.yaml above the app: `catalog:` (or `catalogs:` `<name>:`) then `  next: 15.5.18`.
 */
async function catalogVersion(root: string, name: string, range: string): Promise<string | undefined> {
  const dir = upwards(root).find((d) => existsSync(path.join(d, 'pnpm-workspace.yaml')));
  const yaml = dir && (await readFile(path.join(dir, 'pnpm-workspace.yaml'), 'utf8').catch(() => undefined));
  if (!yaml) return undefined;
  const catalog = range.slice('catalog:'.length).trim() || 'default';
  const lines = yaml.split(/\r?\n/);
  const key = (line: string) => /^(\s*)["']?([^"':#]+?)["']?\s*:\s*(.*?)\s*(?:#.*)?$/.exec(line);
  // The block of the catalog: the lines indented under its heading.
  let start = lines.findIndex((line) => (catalog === 'default' ? /^catalog:\s*(#.*)?$/ : /^catalogs:\s*(#.*)?$/).test(line));
  if (start < 0) return undefined;
  if (catalog !== 'default') {
    const at = lines.findIndex((line, i) => i > start && key(line)?.[1].length === 2 && key(line)?.[2] === catalog);
    if (at < 0) return undefined;
    start = at;
  }
  const indent = (key(lines[start])?.[1].length ?? 0) + 2;
  for (const line of lines.slice(start + 1)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const entry = key(line);
    if (!entry || entry[1].length < indent) return undefined;
    if (entry[1].length === indent && entry[2] === name) return versionFromRange(entry[3].replace(/^["']|["']$/g, ''));
  }
  return undefined;
}

/** The installed version of package `name`, else the one the lockfile pins, else the one package.json asks for. */
async function packageVersion(root: string, name: string): Promise<string | undefined> {
  return (await installedVersion(root, name)) ?? (await lockedVersion(root, name)) ?? (await declaredVersion(root, name));
}

/** The target Next.js version: the installed one, else the one package.json asks for; fails when neither is known. */
export async function detectNextVersion(root: string): Promise<string> {
  const version = await packageVersion(root, 'next');
  if (!version) {
    throw new UserError(
      `Cannot tell which Next.js version ${root} uses (no node_modules/next and no version in package.json); pass --next <version>, e.g. --next 15.5.0.`,
    );
  }
  return version;
}
