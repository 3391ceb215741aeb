/**
 * Looks at the disk where the plan wants to write, before anything is written. Read-only. Synchronous calls (see
 * sync-fs.ts): a plan of thousands of routes makes several per route; the exported functions stay async.
 */
import { isAppFile } from './routes.js';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { isInside } from './scan.js';
import { lstatOrUndefined, readdirOrEmpty, realpathOrUndefined } from './sync-fs.js';

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

/** Whether `rel` is a regular file (not a link) holding exactly `content`. */
export async function holdsExactly(root: string, rel: string, content: string): Promise<boolean> {
  const info = lstatOrUndefined(path.join(root, rel));
  if (!info?.isFile()) return false;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path.join(root, rel));
  } catch {
    return false;
  }
  return bytes.equals(Buffer.from(content, 'utf8'));
}

/**
 * Why `target` (a route file path) cannot be written: its folder already has a route or a page (named by the app's
 * page extensions), or is unreachable. `ownRoute` is a route file name in that folder that does not count (the planned
 * route, already written).
 */
export async function routeTargetProblem(root: string, target: string, ownRoute?: string, pageExtensions?: readonly string[]): Promise<Diagnostic | undefined> {
  const folder = path.posix.dirname(target);
  const problem = await folderProblem(root, folder);
  if (problem) return problem;
  const names = readdirOrEmpty(path.join(root, folder));
  // Any route file counts, not only the same name: route.js beside a new route.ts clashes as well.
  const route = names.find((n) => isAppFile(n, 'route', pageExtensions) && n !== ownRoute);
  if (route) return { reason: 'TARGET_EXISTS', detail: `${folder}/${route} exists` };
  const page = names.find((n) => isAppFile(n, 'page', pageExtensions));
  if (page) return { reason: 'PAGE_IN_FOLDER', detail: `${folder}/${page} exists` };
  return undefined;
}
