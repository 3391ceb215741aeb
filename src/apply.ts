/**
 * The only module that writes. It carries out a plan in an order that never loses code: every new file is written
 * first (each atomically), and sources are removed only once all of them are on disk. If a write fails, the files
 * already written are taken back and no source is touched.
 *
 * The calls are synchronous, one after the other in the order above: a plan of thousands of small files makes
 * five calls per file, and awaiting each one's thread-pool round trip took longer than the writing.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plan } from './plan-types.js';

export interface ApplyResult {
  /** Posix paths relative to the app root. */
  written: string[];
  removed: string[];
  /** Folders under pages/api left empty by the removals, then removed. */
  prunedFolders: string[];
}

/** Writes `<file>.tmp-<pid>` then renames it, so that a reader never sees half a file. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, content, 'utf8');
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function exists(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return ['?'];
  }
}

/** Undoing a failed run does its best: one file that cannot be removed must not stop the others. */
function ignoringErrors(undo: () => void): void {
  try {
    undo();
  } catch {
    // nothing more to do
  }
}

/** Removes empty folders from `folder` up to and including `stopAt` (both absolute). */
async function pruneEmpty(folder: string, stopAt: string, pruned: Set<string>): Promise<void> {
  for (let dir = folder; dir.startsWith(stopAt); dir = path.dirname(dir)) {
    if (entriesOf(dir).length > 0) return;
    rmdirSync(dir);
    pruned.add(dir);
    if (dir === stopAt) return;
  }
}

export async function applyPlan(plan: Plan, options: { dry: boolean }): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], removed: [], prunedFolders: [] };
  if (options.dry) return result;
  const abs = (rel: string) => path.join(plan.root, rel);

  // Folders this run creates, outermost first, so that a failed run can take them back.
  const createdFolders: string[] = [];
  try {
    for (const file of plan.creates) {
      // The plan checked this; checking again narrows the window in which another process could have written it.
      if (exists(abs(file.path))) throw new Error(`${file.path} appeared after the plan was made; nothing was removed`);
      const first = mkdirSync(path.dirname(abs(file.path)), { recursive: true });
      if (first) createdFolders.push(first);
      await writeFileAtomic(abs(file.path), file.content);
      result.written.push(file.path);
    }
  } catch (error) {
    for (const file of result.written) ignoringErrors(() => unlinkSync(abs(file)));
    for (const folder of createdFolders.reverse()) ignoringErrors(() => rmSync(folder, { recursive: true, force: true }));
    throw error;
  }

  for (const file of plan.deletes) {
    unlinkSync(abs(file.path));
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

/** Writes the `--report` file (the path is the user's, relative to the working folder); also on --dry runs. */
export async function writeReportFile(file: string, json: unknown): Promise<void> {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  await writeFileAtomic(target, `${JSON.stringify(json, null, 2)}\n`);
}
