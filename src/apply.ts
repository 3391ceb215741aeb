/**
 * The only module that writes. It carries out a plan in an order that never loses code: every new file is written
 * first (each atomically), then the helper modules that get route-handler twins, and sources are removed only once
 * all of them are on disk. If a write fails, the files already written are taken back, the updated modules get
 * their text back, and no source is touched.
 */
import { lstat, mkdir, readFile, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plan } from './plan-types.js';

export interface ApplyResult {
  /** Posix paths relative to the app root. */
  written: string[];
  /** Existing modules rewritten (route-handler twins added). */
  updated: string[];
  removed: string[];
  /** Folders under pages/api left empty by the removals, then removed. */
  prunedFolders: string[];
}

/** Writes `<file>.tmp-<pid>` then renames it, so that a reader never sees half a file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function exists(abs: string): Promise<boolean> {
  return lstat(abs).then(
    () => true,
    () => false,
  );
}

/** Removes empty folders from `folder` up to and including `stopAt` (both absolute). */
async function pruneEmpty(folder: string, stopAt: string, pruned: Set<string>): Promise<void> {
  for (let dir = folder; dir.startsWith(stopAt); dir = path.dirname(dir)) {
    if ((await readdir(dir).catch(() => ['?'])).length > 0) return;
    await rmdir(dir);
    pruned.add(dir);
    if (dir === stopAt) return;
  }
}

export async function applyPlan(plan: Plan, options: { dry: boolean }): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], updated: [], removed: [], prunedFolders: [] };
  if (options.dry) return result;
  const abs = (rel: string) => path.join(plan.root, rel);

  // Folders this run creates, outermost first, so that a failed run can take them back.
  const createdFolders: string[] = [];
  try {
    for (const file of plan.creates) {
      // The plan checked this; checking again narrows the window in which another process could have written it.
      if (await exists(abs(file.path))) throw new Error(`${file.path} appeared after the plan was made; nothing was removed`);
      const first = await mkdir(path.dirname(abs(file.path)), { recursive: true });
      if (first) createdFolders.push(first);
      await writeFileAtomic(abs(file.path), file.content);
      result.written.push(file.path);
    }
    for (const file of plan.updates) {
      // Someone may have edited the module since the plan was read: then write nothing over it.
      const current = await readFile(abs(file.path), 'utf8');
      if (current !== file.before) throw new Error(`${file.path} changed after the plan was made; nothing was removed`);
      await writeFileAtomic(abs(file.path), file.content);
      result.updated.push(file.path);
    }
  } catch (error) {
    for (const file of plan.updates.filter((u) => result.updated.includes(u.path))) await writeFileAtomic(abs(file.path), file.before).catch(() => undefined);
    for (const file of result.written) await unlink(abs(file)).catch(() => undefined);
    for (const folder of createdFolders.reverse()) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }

  for (const file of plan.deletes) {
    await unlink(abs(file.path));
    result.removed.push(file.path);
  }
  const pruned = new Set<string>();
  for (const file of plan.deletes) {
    const apiDir = plan.apiDirs.find((dir) => file.path.startsWith(`${dir}/`));
    if (apiDir) await pruneEmpty(path.dirname(abs(file.path)), abs(apiDir), pruned);
  }
  result.prunedFolders = [...pruned].map((dir) => path.relative(plan.root, dir).split(path.sep).join('/')).sort();
  return result;
}

/** Writes a `--report` file (the path is the user's, relative to the working folder); also on --dry runs. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFileAtomic(target, text);
}
