/**
 * Reads folder listings under the app root. Symlinks are followed only while they stay inside the root; a link that
 * leads out is reported, never entered. Writes nothing.
 *
 * The file system calls are synchronous: a listing makes one call per folder, and on a tree of thousands of folders
 * the thread-pool round trip of each awaited call cost more than the call itself.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Project } from './project.js';
import { sourceExtension } from './routes.js';

export interface Listing {
  /** Files found, posix paths relative to the root, sorted. */
  files: string[];
  /** Links (to files or folders) that lead outside the root, or the start folder itself when it does. */
  outsideRoot: string[];
}

/** Folders never entered: tests live there, and node_modules is never app code. */
const SKIPPED_FOLDERS = new Set(['__tests__', 'node_modules']);

/** Whether a file in pages/api is one the tool should plan: a source file that is not a declaration or a test. */
export function isCandidateSource(relPath: string): boolean {
  if (!sourceExtension(relPath)) return false;
  const segments = relPath.split('/');
  const name = segments.at(-1) ?? '';
  if (segments.some((s) => SKIPPED_FOLDERS.has(s))) return false;
  if (/\.d\.[cm]?tsx?$/.test(name)) return false;
  return !/\.(test|spec)\.[^.]+$/.test(name);
}

/** A cheap textual test for "this file defines a route": used by `check` and to spot a migration that already ran. */
export function looksLikeHandler(source: string): boolean {
  return (
    /\bexport\s+default\b/.test(source) ||
    /\bmodule\.exports\b/.test(source) ||
    /\bexports\.default\b/.test(source) ||
    /\bexport\s*\{[^}]*\bas\s+default\b/.test(source)
  );
}

export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function exists(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

function realpathOrUndefined(abs: string): string | undefined {
  try {
    return realpathSync.native(abs);
  } catch {
    return undefined;
  }
}

/** Lists every file under `startRel` (a folder relative to `root`); an absent folder gives an empty listing. */
export async function listFiles(root: string, startRel: string): Promise<Listing> {
  const listing: Listing = { files: [], outsideRoot: [] };
  const startAbs = path.join(root, startRel);
  if (!exists(startAbs)) return listing;
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
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    for (const entry of entries) {
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) visit(childRel, path.join(real, entry.name));
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
    const info = statSync(target);
    if (info.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(name)) visit(rel, target);
    } else if (info.isFile()) {
      listing.files.push(rel);
    }
  }

  visit(startRel, realStart);
  listing.files.sort();
  listing.outsideRoot.sort();
  return listing;
}

export interface SourceScan {
  /** Candidate handler files, posix paths relative to the app root, sorted. */
  sources: string[];
  /** Links in pages/api that lead outside the app root: reported, never followed. */
  outsideRoot: string[];
}

/** Lists the files in the pages/api folders worth planning: source files, minus declarations and tests. */
export async function scanSources(project: Project): Promise<SourceScan> {
  const scan: SourceScan = { sources: [], outsideRoot: [] };
  for (const apiDir of project.apiDirs) {
    const listing = await listFiles(project.root, apiDir);
    scan.sources.push(...listing.files.filter(isCandidateSource));
    // A link without a source extension is most likely a folder; links to other files (README.md…) do not matter.
    scan.outsideRoot.push(...listing.outsideRoot.filter((p) => isCandidateSource(p) || !sourceExtension(p)));
  }
  return scan;
}
