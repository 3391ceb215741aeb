/**
 * Whole-plan checks made before any write: two sources for one route, and targets that clash with the tree.
 * A file that fails a check becomes a 'conflict' and stays where it is; the other files go on.
 */
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { isWritable, markConflict, type PlannedFile } from './plan-types.js';
import { routeKey, sourceExtension } from './routes.js';
import { holdsExactly, routeTargetProblem } from './target-checks.js';

/** Files that answer a URL: not helpers, and not links the tool refused to follow. */
function answersRoute(file: PlannedFile): boolean {
  return (
    file.status !== 'not-handler' &&
    sourceExtension(file.source) !== '' &&
    !file.diagnostics.some((d) => d.reason === 'OUTSIDE_ROOT')
  );
}

function markDuplicates(files: PlannedFile[]): void {
  const byRoute = new Map<string, PlannedFile[]>();
  for (const file of files.filter(answersRoute)) {
    const key = routeKey(path.posix.dirname(file.target));
    byRoute.set(key, [...(byRoute.get(key) ?? []), file]);
  }
  for (const group of byRoute.values()) {
    if (group.length < 2) continue;
    for (const file of group) {
      const others = group.filter((f) => f !== file).map((f) => f.source);
      const diagnostic: Diagnostic = { reason: 'DUPLICATE_ROUTE', detail: `also answered by ${others.join(', ')}` };
      // A file that stays anyway keeps its own reasons; the duplicate is one more.
      if (isWritable(file)) markConflict(file, [diagnostic]);
      else file.diagnostics.push(diagnostic);
    }
  }
}

export async function markConflicts(root: string, files: PlannedFile[]): Promise<void> {
  markDuplicates(files);
  for (const file of files.filter(isWritable)) {
    // The very route this run would write is there: an earlier run wrote it and was stopped (even by SIGKILL or a
    // power cut) before it removed the source. Removing the source is all that is left to do.
    const finished = await holdsExactly(root, file.target, file.output as string);
    const problem = await routeTargetProblem(root, file.target, finished ? path.posix.basename(file.target) : undefined);
    if (problem) markConflict(file, [problem]);
    else if (finished) {
      file.alreadyWritten = true;
      file.notes.push('the route was already written, by an earlier run that stopped before removing this source');
    }
  }
}
