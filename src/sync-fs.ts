/**
 * Synchronous file system calls that answer `undefined` (or an empty list) instead of throwing. The tool makes
 * thousands of small calls one after the other (a listing per folder, checks per route, a read per file), and an
 * awaited fs/promises call costs a thread-pool round trip each (four for one readFile), which took longer than the
 * calls themselves.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats } from 'node:fs';

export function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return lstatSync(abs);
  } catch {
    return undefined;
  }
}

/** The real path (symlinks resolved, as realpath(3) does), or undefined for a broken link or a missing file. */
export function realpathOrUndefined(abs: string): string | undefined {
  try {
    return realpathSync.native(abs);
  } catch {
    return undefined;
  }
}

export function readdirOrEmpty(abs: string): string[] {
  try {
    return readdirSync(abs);
  } catch {
    return [];
  }
}

export function readTextOrUndefined(abs: string): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

export function existsNoFollow(abs: string): boolean {
  return lstatOrUndefined(abs) !== undefined;
}
