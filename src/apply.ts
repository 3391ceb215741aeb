/**
 * The only module that writes. It carries out a plan in an order that never loses code: every new file is written
 * first (each atomically), then the helper modules that get route-handler twins, and sources are removed only once
 * all of them are on disk.
 *
 * It can stop between any two files: when a write or a removal fails, or when `shouldStop` reports a signal. It then
 * leaves the tree as if only the handlers whose sources it removed had been migrated: the routes written for the
 * other sources are taken back, modules that no kept route needs get their text back, and the folders it created
 * and left empty go. Running again finishes the rest.
 *
 * Most calls are synchronous (see sync-fs.ts), but the run still yields to the event loop before each file, so that a
 * signal is seen there. What waits for the disk overlaps: the flushes of new files (atomic-write.ts) and the removal
 * of the folders that removed sources leave empty (prune-folders.ts). Sources are removed one at a time, so that a
 * failed removal leaves every later source in place.
 */
import { mkdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic, writeFilesInOrder } from './atomic-write.js';
import { pruneEmptyFolders } from './prune-folders.js';
import { isWritable, type Plan } from './plan-types.js';
import { existsNoFollow } from './sync-fs.js';
import { holdsExactly } from './target-checks.js';

/** Flushes of new files in flight at once: enough to keep the disk busy while the next files are written. */
const FLUSH_WINDOW = 32;

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
 * For tests only: MIGRATE_TEST_SLOW_APPLY_MS waits that many milliseconds before each write and each removal, and
 * again halfway through each write, so that a test can signal or kill a run in the middle. Unset, there is no wait.
 */
function testSlowdown(): number {
  const ms = Number(process.env.MIGRATE_TEST_SLOW_APPLY_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Creates `dir` and returns the folders that did not exist, deepest first. */
function makeFolders(dir: string): string[] {
  const first = mkdirSync(dir, { recursive: true });
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
  const updated = plan.updates.filter((u) => result.updated.includes(u.path));
  const keptUpdates = updated.filter((u) => kept.some((f) => u.users.includes(f.source)));
  for (const written of [...result.written].reverse()) {
    const owner = plan.files.find((f) => isWritable(f) && f.target === written);
    const needed = owner
      ? removed.has(owner.source)
      : kept.some((f) => (f.usesCompat && f.compatPath === written) || f.needs?.includes(written)) || keptUpdates.some((u) => u.imports?.includes(written));
    const content = plan.creates.find((c) => c.path === written)?.content;
    if (needed || content === undefined || !(await holdsExactly(plan.root, written, content))) continue;
    try {
      unlinkSync(abs(written));
      result.takenBack.push(written);
    } catch {
      // Left in place; the report lists it as written.
    }
  }
  for (const update of updated) {
    if (keptUpdates.includes(update) || !(await holdsExactly(plan.root, update.path, update.content))) continue;
    await writeFileAtomic(abs(update.path), update.before).then(() => result.takenBack.push(update.path), () => undefined);
  }
  result.written = result.written.filter((p) => !result.takenBack.includes(p));
  result.updated = result.updated.filter((p) => !result.takenBack.includes(p));
  // rmdir, never a recursive rm: a folder that something else wrote into stays.
  for (const folder of [...createdFolders].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty, or gone already.
    }
  }
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { written: [], updated: [], removed: [], prunedFolders: [], takenBack: [] };
  if (options.dry) return result;
  const abs = (rel: string) => path.join(plan.root, rel);
  const slowdown = testSlowdown();
  /** Called before each file: false when the run must stop here. */
  const goOn = async () => {
    // A signal is handled by the event loop: without this turn, synchronous writes would never see one.
    await (slowdown ? sleep(slowdown) : yieldToEventLoop());
    result.stoppedBy = options.shouldStop?.();
    return result.stoppedBy === undefined;
  };

  const createdFolders: string[] = [];
  try {
    const creates = plan.creates.map((change) => ({ ...change, file: abs(change.path) }));
    await writeFilesInOrder(creates, {
      // The slow-down is for tests that watch one write at a time.
      window: slowdown ? 1 : FLUSH_WINDOW,
      pauseMs: slowdown,
      beforeEach: async (create) => {
        if (!(await goOn())) return false;
        // The plan checked this; checking again narrows the window in which another process could have written it.
        if (existsNoFollow(create.file)) throw new Error(`${create.path} appeared after the plan was made; nothing was removed`);
        createdFolders.push(...makeFolders(path.dirname(create.file)));
        return true;
      },
      onWritten: (create) => result.written.push(create.path),
    });
    for (const file of result.stoppedBy ? [] : plan.updates) {
      if (!(await goOn())) break;
      // Someone may have edited the module since the plan was read: then write nothing over it.
      const current = readFileSync(abs(file.path), 'utf8');
      if (current !== file.before) throw new Error(`${file.path} changed after the plan was made; nothing was removed`);
      await writeFileAtomic(abs(file.path), file.content, slowdown);
      result.updated.push(file.path);
    }
    for (const file of result.stoppedBy ? [] : plan.deletes) {
      if (!(await goOn())) break;
      try {
        unlinkSync(abs(file.path));
      } catch (error) {
        // A source that is gone already (a second path to the same file) has its route all the same.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      result.removed.push(file.path);
    }
  } catch (error) {
    await takeBack(plan, result, createdFolders);
    throw new ApplyError(error, result);
  }
  if (result.stoppedBy) await takeBack(plan, result, createdFolders);

  const starts = result.removed.flatMap((source) => {
    const apiDir = plan.apiDirs.find((dir) => source.startsWith(`${dir}/`));
    return apiDir ? [{ folder: path.dirname(abs(source)), stopAt: abs(apiDir) }] : [];
  });
  const pruned = await pruneEmptyFolders(starts);
  result.prunedFolders = [...pruned].map((dir) => path.relative(plan.root, dir).split(path.sep).join('/')).sort();
  return result;
}

/** Writes a `--report` file (the path is the user's, relative to the working folder); also on --dry runs. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  await writeFileAtomic(target, text);
}
