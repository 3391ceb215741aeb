/**
 * Reads folder listings under the app root. Symlinks are followed only while they stay inside the root; a link that
 * leads out is reported, never entered. Writes nothing. Synchronous calls (see sync-fs.ts): a listing makes one per
 * folder, one after the other.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Project } from './project.js';
import { DEFAULT_PAGE_EXTENSIONS, pageExtension, sourceExtension } from './routes.js';
import { existsNoFollow, realpathOrUndefined } from './sync-fs.js';
import { UserError } from './errors.js';

export interface Listing {
  /** Files found, posix paths relative to the root, sorted. */
  files: string[];
  /** Links (to files or folders) that lead outside the root, or the start folder itself when it does. */
  outsideRoot: string[];
  /** Folders that could not be listed (and links whose target cannot be looked at), with the error code. */
  unreadable: PathNote[];
  /** Test folders (`__tests__`), not entered. */
  testFolders: string[];
}

/** A path (posix, relative to the root) and why it is reported. */
export interface PathNote {
  path: string;
  detail: string;
}

/** Folders never entered: tests live there, and node_modules is never app code. */
const SKIPPED_FOLDERS = new Set(['__tests__', 'node_modules']);

/** Why a source file in pages/api is not planned as a handler: a declaration or a test. Undefined for the others. */
export function skipReason(relPath: string): string | undefined {
  const segments = relPath.split('/');
  const name = segments.at(-1) ?? '';
  if (segments.includes('__tests__')) return 'in a __tests__ folder';
  if (/\.d\.[cm]?tsx?$/.test(name)) return 'a TypeScript declaration file';
  if (/\.(test|spec)\.[^.]+$/.test(name)) return 'a test file';
  return undefined;
}

/**
 * Whether a file in pages/api is one the tool should plan: a page Next.js serves (its name ends in one of the app's
 * page extensions, in a language the tool reads) that is not a declaration or a test.
 */
export function isCandidateSource(relPath: string, pageExtensions: readonly string[] = DEFAULT_PAGE_EXTENSIONS): boolean {
  if (!pageExtension(relPath, pageExtensions)) return false;
  if (relPath.split('/').includes('node_modules')) return false;
  return skipReason(relPath) === undefined;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** The textual signs of "this file defines a route". */
const ROUTE_EXPORTS = [
  /\bexport\s+default\b/,
  /\bmodule\.exports\b/,
  /\bexports\.default\b/,
  /\bexport\s*\{[^}]*\bas\s+default\b/,
  // `export { default } from '…'`, `export { default, config } from '…'` (not `default as x`, which exports x).
  /\bexport\s*\{(?:[^}]*,)?\s*default\s*(?:,[^}]*)?\}/,
];

/** A cheap textual test for "this file defines a route": used by `check` and to spot a migration that already ran. */
export function looksLikeHandler(source: string): boolean {
  return ROUTE_EXPORTS.some((pattern) => pattern.test(source));
}

/** The 1-based line of the first sign that the file defines a route (for `check`'s file:line), or undefined. */
export function handlerExportLine(source: string): number | undefined {
  const indexes = ROUTE_EXPORTS.map((pattern) => pattern.exec(source)?.index).filter((i): i is number => i !== undefined);
  if (indexes.length === 0) return undefined;
  return source.slice(0, Math.min(...indexes)).split('\n').length;
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Lists every file under `startRel` (a folder relative to `root`); an absent folder gives an empty listing. */
export async function listFiles(root: string, startRel: string): Promise<Listing> {
  const listing: Listing = { files: [], outsideRoot: [], unreadable: [], testFolders: [] };
  const startAbs = path.join(root, startRel);
  if (!existsNoFollow(startAbs)) return listing;
  const realRoot = realpathSync.native(root);
  const realStart = realpathSync.native(startAbs);
  if (!isInside(realRoot, realStart)) {
    listing.outsideRoot.push(startRel);
    return listing;
  }
  // Real paths of the folders entered, so that a link back up the tree cannot loop.
  const entered = new Set<string>();

  function visit(rel: string, real: string): void {
    if (entered.has(real)) return;
    entered.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch (error) {
      // One folder that cannot be listed (permissions) is reported; the rest of the tree goes on.
      return void listing.unreadable.push({ path: rel, detail: errorCode(error) });
    }
    for (const entry of entries) {
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) visit(childRel, path.join(real, entry.name));
        else if (entry.name === '__tests__') listing.testFolders.push(childRel);
      } else if (entry.isFile()) {
        listing.files.push(childRel);
      } else if (entry.isSymbolicLink()) {
        visitLink(childRel, entry.name);
      }
    }
  }

  function visitLink(rel: string, name: string): void {
    const target = realpathOrUndefined(path.join(root, rel));
    // A broken link is listed as a file: reading it fails later and is reported as unreadable.
    if (target === undefined) return void listing.files.push(rel);
    if (!isInside(realRoot, target)) return void listing.outsideRoot.push(rel);
    let info;
    try {
      info = statSync(target);
    } catch (error) {
      return void listing.unreadable.push({ path: rel, detail: errorCode(error) });
    }
    if (info.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(name)) visit(rel, target);
      else if (name === '__tests__') listing.testFolders.push(rel);
    } else if (info.isFile()) {
      listing.files.push(rel);
    }
  }

  visit(startRel, realStart);
  listing.files.sort();
  listing.outsideRoot.sort();
  listing.unreadable.sort((a, b) => (a.path < b.path ? -1 : 1));
  listing.testFolders.sort();
  return listing;
}

export interface SourceScan {
  /** Candidate handler files, posix paths relative to the app root, sorted. */
  sources: string[];
  /** Links in pages/api that lead outside the app root: reported, never followed. */
  outsideRoot: string[];
  /** Folders in pages/api that cannot be listed: reported, and counted as work left. */
  unreadable: PathNote[];
  /**
   * Declarations and tests (files, and `__tests__` folders), and modules that are no page (`notPage`): reported as
   * not handlers, never planned.
   */
  skipped: Array<PathNote & { notPage?: true }>;
}

/** Lists the files in the pages/api folders worth planning: source files, minus declarations and tests. */
export async function scanSources(project: Project): Promise<SourceScan> {
  const scan: SourceScan = { sources: [], outsideRoot: [], unreadable: [], skipped: [] };
  for (const apiDir of project.apiDirs) {
    const listing = await listFiles(project.root, apiDir);
    const exts = project.pageExtensions ?? DEFAULT_PAGE_EXTENSIONS;
    // A file that a conditional extension serves where no other does, or with a longer extension (a route of another
    // URL: `x.extra.ts` is /x where `extra.ts` is one, /x.extra otherwise).
    const conditional = project.conditionalPageExtensions ?? [];
    const unsure = conditional.length ? listing.files.find((f) => pageExtension(f, [...exts, ...conditional]) !== pageExtension(f, exts)) : undefined;
    if (unsure) {
      const ext = pageExtension(unsure, [...exts, ...conditional]);
      throw new UserError(`${unsure} is served as a route ending in ${ext} only in builds where next.config adds ${ext.slice(1)} to pageExtensions, which it does under a condition, so the tool cannot tell where it answers; rename it, move it out of pages/api or make the list unconditional, and run the tool again.`);
    }
    scan.sources.push(...listing.files.filter((f) => isCandidateSource(f, exts)));
    scan.unreadable.push(...listing.unreadable);
    for (const file of listing.files.filter((f) => sourceExtension(f) && !f.split('/').includes('node_modules'))) {
      const why = skipReason(file);
      if (why) scan.skipped.push({ path: file, detail: why });
      // A module beside the pages (`lib.mjs`; `greet.ts` where pages end in `.page.ts`) answers no request.
      else if (!pageExtension(file, exts)) scan.skipped.push({ path: file, detail: `Next.js serves only files ending in ${exts.map((e) => `.${e}`).join(', ')} (pageExtensions)`, notPage: true });
    }
    scan.skipped.push(...listing.testFolders.map((folder) => ({ path: folder, detail: 'a __tests__ folder, not entered' })));
    // A link without a source extension is most likely a folder; links to other files (README.md…) do not matter.
    scan.outsideRoot.push(...listing.outsideRoot.filter((p) => isCandidateSource(p, exts) || !sourceExtension(p)));
  }
  return scan;
}
