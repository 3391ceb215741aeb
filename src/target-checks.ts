/**
 * Looks at the disk where the plan wants to write, before anything is written. Read-only. Synchronous calls: a
 * plan of thousands of routes makes several per route, and awaiting each one's thread-pool round trip cost more
 * than the calls.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { isInside } from './scan.js';

function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return lstatSync(abs);
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(abs: string): string | undefined {
  try {
    return realpathSync.native(abs);
  } catch {
    return undefined;
  }
}

function readdirOrEmpty(abs: string): string[] {
  try {
    return readdirSync(abs);
  } catch {
    return [];
  }
}

/**
 * Why a file cannot be created in `folder` (posix, relative to root): a file stands where a folder is needed, or a
 * symlink on the way leads outside the root. Undefined when the folder exists or can be created.
 */
export async function folderProblem(root: string, folder: string): Promise<Diagnostic | undefined> {
  const realRoot = realpathSync.native(root);
  const parts = folder.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const abs = path.join(root, rel);
    const info = lstatOrUndefined(abs);
    if (!info) return undefined; // missing: it and everything below it will be created
    if (info.isSymbolicLink()) {
      const real = realpathOrUndefined(abs);
      if (real === undefined) return { reason: 'TARGET_EXISTS', detail: `${rel} is a broken symlink` };
      if (!isInside(realRoot, real)) return { reason: 'OUTSIDE_ROOT', detail: `${rel} links to ${real}` };
      if (!statSync(real).isDirectory()) return { reason: 'TARGET_EXISTS', detail: `${rel} is a file, where a folder is needed` };
    } else if (!info.isDirectory()) {
      return { reason: 'TARGET_EXISTS', detail: `${rel} is a file, where a folder is needed` };
    }
  }
  return undefined;
}

const ROUTE_FILE = /^route\.(ts|tsx|js|jsx|mjs|cjs)$/;
const PAGE_FILE = /^page\.(tsx|jsx|js|ts)$/;

/** Why `target` (a route file path) cannot be written: its folder already has a route or a page, or is unreachable. */
export async function routeTargetProblem(root: string, target: string): Promise<Diagnostic | undefined> {
  const folder = path.posix.dirname(target);
  const problem = await folderProblem(root, folder);
  if (problem) return problem;
  const names = readdirOrEmpty(path.join(root, folder));
  // Any route file counts, not only the same name: route.js beside a new route.ts clashes as well.
  const route = names.find((n) => ROUTE_FILE.test(n));
  if (route) return { reason: 'TARGET_EXISTS', detail: `${folder}/${route} exists` };
  const page = names.find((n) => PAGE_FILE.test(n));
  if (page) return { reason: 'PAGE_IN_FOLDER', detail: `${folder}/${page} exists` };
  return undefined;
}
