/**
 * The shared helper module that migrated routes import for Pages-compatible request parsing: written once per App
 * Router tree, only when a route to be written uses it, and never over a different existing file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { isWritable, markConflict, type FileChange, type PlannedFile } from './plan-types.js';
import type { Format } from './prettier.js';
import { folderProblem } from './target-checks.js';

type CompatState = { write: boolean; problem?: Diagnostic };

/** `accepted`: the texts an earlier run may have written, formatted by the app's Prettier or not. */
async function compatState(root: string, compatPath: string, content: string, accepted: string[]): Promise<CompatState> {
  const problem = await folderProblem(root, path.posix.dirname(compatPath));
  if (problem) return { write: false, problem };
  const existing = await readFile(path.join(root, compatPath), 'utf8').catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' ? undefined : '',
  );
  if (existing === undefined) return { write: true };
  // Left by an earlier run of this version: nothing to do.
  if (accepted.includes(existing)) return { write: false };
  return { write: false, problem: { reason: 'COMPAT_MODULE_CHANGED', detail: `${compatPath} differs from the helper this version writes` } };
}

/** The compat modules to create; routes whose module cannot be written become conflicts. */
export async function planCompatModules(root: string, files: PlannedFile[], text: () => Promise<string>, format?: Format): Promise<FileChange[]> {
  const users = new Map<string, PlannedFile[]>();
  for (const file of files.filter((f) => isWritable(f) && f.usesCompat)) {
    users.set(file.compatPath, [...(users.get(file.compatPath) ?? []), file]);
  }
  const creates: FileChange[] = [];
  const content = users.size > 0 ? await text() : '';
  for (const [compatPath, routes] of users) {
    // The helper is the tool's own code: if Prettier fails on it, it is written as it is.
    const formatted = (format && (await format(compatPath, content).catch(() => undefined))) ?? content;
    const state = await compatState(root, compatPath, formatted, [formatted, content]);
    if (state.problem) for (const route of routes) markConflict(route, [state.problem]);
    if (state.write) creates.push({ path: compatPath, content: formatted });
  }
  return creates;
}
