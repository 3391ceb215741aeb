/**
 * Atomic writes: a temporary file beside the target, flushed to disk (fsync), then renamed over the target's name.
 * A reader, or the next run after a crash, sees the whole file or none of it. The temporary name is new and created
 * exclusively ('wx'), so the write never goes through a file or link that was there.
 *
 * The flush is what costs: one fsync waits for the disk, from under a millisecond to several. writeFilesInOrder
 * therefore writes the next files while the thread pool flushes the previous ones; each file is still renamed only
 * after its own flush, and in the order given.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function temporaryName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function flush(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** A file written under its temporary name, whose flush may still be under way. */
interface Pending {
  file: string;
  temp: string;
  flushed: Promise<void>;
}

/**
 * Writes `content` to a new temporary file beside `file` and starts its flush. `pauseMs` (tests only) waits halfway
 * through the write, so that a test can kill the process while a file is half-written.
 */
async function startWrite(file: string, content: string, pauseMs: number): Promise<Pending> {
  const temp = temporaryName(file);
  const fd = openSync(temp, 'wx');
  try {
    const bytes = Buffer.from(content, 'utf8');
    const half = pauseMs ? bytes.length >> 1 : bytes.length;
    writeSync(fd, bytes, 0, half);
    if (pauseMs) await sleep(pauseMs);
    writeSync(fd, bytes, half, bytes.length - half);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  const flushed = flush(fd).finally(() => closeSync(fd));
  // Awaited later; until then a failure must not count as unhandled.
  flushed.catch(() => undefined);
  return { file, temp, flushed };
}

/** Waits for the flush, then renames: the file appears whole under its name. */
async function finishWrite(pending: Pending): Promise<void> {
  try {
    await pending.flushed;
    renameSync(pending.temp, pending.file);
  } catch (error) {
    rmSync(pending.temp, { force: true });
    throw error;
  }
}

/** Removes what `pending` wrote, once its flush is over (a temporary file is never left behind by a failure). */
async function abandonWrite(pending: Pending): Promise<void> {
  await pending.flushed.catch(() => undefined);
  rmSync(pending.temp, { force: true });
}

export async function writeFileAtomic(file: string, content: string, pauseMs = 0): Promise<void> {
  await finishWrite(await startWrite(file, content, pauseMs));
}

export interface InOrderOptions<T> {
  /** Flushes in flight at most; 1 writes one file after the other. */
  window: number;
  /** Called before each file is started; false stops there (the files started are finished first). */
  beforeEach: (item: T) => Promise<boolean>;
  /** Called once a file is whole under its name, in the order of `items`. */
  onWritten: (item: T) => void;
  pauseMs?: number;
}

/**
 * Writes each item's `content` to its `file` (absolute), atomically, in order, and ends as writing them one at a
 * time would: on an error, the files before the one that failed are written (onWritten was called for them), the
 * ones after it are not (their temporary files are removed), and the error is thrown.
 */
export async function writeFilesInOrder<T extends { file: string; content: string }>(items: T[], options: InOrderOptions<T>): Promise<void> {
  const inFlight: Array<{ item: T; pending: Pending }> = [];
  const finishOldest = async () => {
    const { item, pending } = inFlight.shift()!;
    await finishWrite(pending);
    options.onWritten(item);
  };
  const finishAll = async () => {
    while (inFlight.length > 0) await finishOldest();
  };
  try {
    for (const item of items) {
      let pending: Pending;
      try {
        if (!(await options.beforeEach(item))) break;
        pending = await startWrite(item.file, item.content, options.pauseMs ?? 0);
      } catch (error) {
        // One file at a time would have written the files before this one: they are finished first, and an error
        // of theirs, which would have come first, wins.
        await finishAll();
        throw error;
      }
      inFlight.push({ item, pending });
      while (inFlight.length >= options.window) await finishOldest();
    }
    await finishAll();
  } catch (error) {
    // The files after the one that failed were never to be written.
    for (const { pending } of inFlight.splice(0)) await abandonWrite(pending);
    throw error;
  }
}
