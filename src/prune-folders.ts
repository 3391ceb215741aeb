/**
 * Removes the folders that the removal of sources left empty: from each removed source's folder up to its pages/api
 * folder (included), as a walk up from each source would. A folder goes when it is empty, and then its parent is
 * looked at. The folders of one round are looked at side by side: on the test VM's disk each rmdir of a folder
 * already on disk waited about 1.4 ms for the file system's journal, against 0.13 ms with sixteen in flight.
 */
import { readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

const IN_FLIGHT = 16;

/** Runs `task` on each item, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * `starts`: for each removed source, its folder and the folder to stop at (both absolute). Returns the folders
 * removed. A folder that cannot be listed stays; one that cannot be removed fails the call, after the others of its
 * round are done.
 */
export async function pruneEmptyFolders(starts: Array<{ folder: string; stopAt: string }>): Promise<Set<string>> {
  const pruned = new Set<string>();
  /** Folder → the folder to stop at. */
  let round = new Map(starts.filter((s) => s.folder.startsWith(s.stopAt)).map((s) => [s.folder, s.stopAt]));
  let failure: { error: unknown } | undefined;
  while (round.size > 0 && !failure) {
    const next = new Map<string, string>();
    await eachLimited([...round], IN_FLIGHT, async ([dir, stopAt]) => {
      const entries = await readdir(dir).catch(() => undefined);
      if (!entries || entries.length > 0) return;
      try {
        await rmdir(dir);
      } catch (error) {
        failure ??= { error };
        return;
      }
      pruned.add(dir);
      const parent = path.dirname(dir);
      if (dir !== stopAt && parent.startsWith(stopAt)) next.set(parent, stopAt);
    });
    round = next;
  }
  if (failure) throw failure.error;
  return pruned;
}
