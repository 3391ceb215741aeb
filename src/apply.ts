/**
 * The only module that writes. It carries out a plan in an order that never loses code: every new file is written
 * first (each atomically), then the helper modules that get route-handler twins, and sources are removed only once
 * all of them are on disk.
 *
 * It can stop between any two files: when a write or a removal fails, or when `shouldStop` reports a signal. It then
 * leaves the tree as if only the handlers whose sources it removed had been migrated: the routes written for the
 * other sources are taken back, modules that no kept route needs get their text back, and the folders it created
 * and left empty go. Running again finishes the rest.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isWritable, type Plan } from './plan-types.js';
import { holdsExactly } from './target-checks.js';

export interface ApplyOptions {
  dry: boolean;
  /** Asked before each file: a signal name means stop there. */
  shouldStop?: () => NodeJS.Signals | undefined;
}

export interface ApplyResult {
  /** Posix paths relative to the app root. */
  written: string[];
  /** Existing modules rewritten (route-handler twins added). */
  updated: string[];
  removed: string[];
  /** Folders under pages/api left empty by the removals, then removed. */
  prunedFolders: string[];
  /** The signal that stopped the run halfway, if one did. */
  stoppedBy?: NodeJS.Signals;
  /** Files this run wrote or updated, then took back because it stopped before their source was removed. */
  takenBack: string[];
}

/** A write or a removal failed. `result` says what is done now, after the taking back. */
export class ApplyError extends Error {
  override name = 'ApplyError';
  constructor(
    readonly failure: unknown,
    readonly result: ApplyResult,
  ) {
    super(failure instanceof Error ? failure.message : String(failure), { cause: failure });
    if (failure instanceof Error && failure.stack) this.stack = failure.stack;
  }
}

/**
 * Writes a temporary file beside `file`, flushes it to disk, then renames it: a reader, or the next run after a
 * crash, sees the whole file or none of it. The temporary name is new and created exclusively ('wx'), so the write
 * never goes through a file or link that was there. `pauseMs` (tests only) waits halfway through the write.
 */
export async function writeFileAtomic(file: string, content: string, pauseMs = 0): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'wx');
    try {
      const bytes = Buffer.from(content, 'utf8');
      const half = pauseMs ? bytes.length >> 1 : bytes.length;
      await handle.write(bytes, 0, half);
      if (pauseMs) await sleep(pauseMs);
      await handle.write(bytes, half, bytes.length - half);
      await handle.sync();
    } finally {
      await handle.close();
    }
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

/**
 * For tests only: MIGRATE_TEST_SLOW_APPLY_MS waits that many milliseconds before each write and each removal, and
 * again halfway through each write, so that a test can signal or kill a run in the middle. Unset, there is no wait.
 */
function testSlowdown(): number {
  const ms = Number(process.env.MIGRATE_TEST_SLOW_APPLY_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Creates `dir` and returns the folders that did not exist, deepest first. */
async function makeFolders(dir: string): Promise<string[]> {
  const first = await mkdir(dir, { recursive: true });
  const made: string[] = [];
  if (first) for (let d = dir; ; d = path.dirname(d)) {
    made.push(d);
    if (d === first || d === path.dirname(d)) break;
  }
  return made;
}

/**
 * Leaves only what the removed sources need: routes written for sources still on disk are taken back, as are compat
 * and module changes no kept route uses. A file is taken back only while it holds exactly what this run wrote.
 */
async function takeBack(plan: Plan, result: ApplyResult, createdFolders: string[]): Promise<void> {
  const abs = (rel: string) => path.join(plan.root, rel);
  const removed = new Set(result.removed);
  const kept = plan.files.filter((f) => isWritable(f) && removed.has(f.source));
  // A module that stays may import a moved-exports module written for another source: that one stays too.
  const keptUpdates = plan.updates.filter((u) => result.updated.includes(u.path) && kept.some((f) => u.users.includes(f.source)));
  for (const written of [...result.written].reverse()) {
    const owner = plan.files.find((f) => isWritable(f) && f.target === written);
    const needed = owner
      ? removed.has(owner.source)
      : kept.some((f) => (f.usesCompat && f.compatPath === written) || f.needs?.includes(written)) || keptUpdates.some((u) => u.imports?.includes(written));
    const content = plan.creates.find((c) => c.path === written)?.content;
    if (needed || content === undefined || !(await holdsExactly(plan.root, written, content))) continue;
    await unlink(abs(written)).then(() => result.takenBack.push(written), () => undefined);
  }
  for (const update of plan.updates.filter((u) => result.updated.includes(u.path))) {
    if (kept.some((f) => update.users.includes(f.source)) || !(await holdsExactly(plan.root, update.path, update.content))) continue;
    await writeFileAtomic(abs(update.path), update.before).then(() => result.takenBack.push(update.path), () => undefined);
  }
  result.written = result.written.filter((p) => !result.takenBack.includes(p));
  result.updated = result.updated.filter((p) => !result.takenBack.includes(p));
  // rmdir, never a recursive rm: a folder that something else wrote into stays.
  for (const folder of [...createdFolders].sort((a, b) => b.length - a.length)) await rmdir(folder).catch(() => undefined);
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], updated: [], removed: [], prunedFolders: [], takenBack: [] };
  if (options.dry) return result;
  const abs = (rel: string) => path.join(plan.root, rel);
  const slowdown = testSlowdown();
  /** Called before each file: false when the run must stop here. */
  const goOn = async () => {
    if (slowdown) await sleep(slowdown);
    result.stoppedBy = options.shouldStop?.();
    return result.stoppedBy === undefined;
  };

  const createdFolders: string[] = [];
  try {
    for (const file of plan.creates) {
      if (!(await goOn())) break;
      // The plan checked this; checking again narrows the window in which another process could have written it.
      if (await exists(abs(file.path))) throw new Error(`${file.path} appeared after the plan was made; nothing was removed`);
      createdFolders.push(...(await makeFolders(path.dirname(abs(file.path)))));
      await writeFileAtomic(abs(file.path), file.content, slowdown);
      result.written.push(file.path);
    }
    for (const file of result.stoppedBy ? [] : plan.updates) {
      if (!(await goOn())) break;
      // Someone may have edited the module since the plan was read: then write nothing over it.
      const current = await readFile(abs(file.path), 'utf8');
      if (current !== file.before) throw new Error(`${file.path} changed after the plan was made; nothing was removed`);
      await writeFileAtomic(abs(file.path), file.content, slowdown);
      result.updated.push(file.path);
    }
    for (const file of result.stoppedBy ? [] : plan.deletes) {
      if (!(await goOn())) break;
      // A source that is gone already (a second path to the same file) has its route all the same.
      await unlink(abs(file.path)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      result.removed.push(file.path);
    }
  } catch (error) {
    await takeBack(plan, result, createdFolders);
    throw new ApplyError(error, result);
  }
  if (result.stoppedBy) await takeBack(plan, result, createdFolders);

  const pruned = new Set<string>();
  for (const source of result.removed) {
    const apiDir = plan.apiDirs.find((dir) => source.startsWith(`${dir}/`));
    if (apiDir) await pruneEmpty(path.dirname(abs(source)), abs(apiDir), pruned);
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
