/**
 * The safety check @next/codemod also makes: the tool rewrites and deletes files, so it wants a clean git tree the
 * user can review and undo with git.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from './errors.js';

const run = promisify(execFile);

export type TreeState = 'clean' | 'dirty' | 'not-git' | 'no-git';

export async function gitTreeState(dir: string): Promise<TreeState> {
  try {
    await run('git', ['-C', dir, 'rev-parse', '--is-inside-work-tree']);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no-git' : 'not-git';
  }
  // Only the app folder matters: everything the tool writes or removes is inside it.
  const { stdout } = await run('git', ['-C', dir, 'status', '--porcelain', '--', '.']);
  return stdout.trim() === '' ? 'clean' : 'dirty';
}

/** Throws a one-sentence UserError unless the app folder is a clean part of a git work tree. */
export async function requireCleanTree(dir: string): Promise<void> {
  const state = await gitTreeState(dir);
  if (state === 'dirty') {
    throw new UserError(`The git tree at ${dir} has uncommitted changes; commit or stash them, or pass --force.`);
  }
  if (state === 'not-git') {
    throw new UserError(`${dir} is not inside a git repository, so the changes could not be reviewed or undone; run git init and commit, or pass --force.`);
  }
  if (state === 'no-git') {
    throw new UserError('git is not installed, so the tool cannot check that your changes are committed; install git, or pass --force.');
  }
}
