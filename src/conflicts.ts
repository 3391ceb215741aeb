/**
 * Whole-plan checks made before any write: two sources for one route, and targets that clash with the tree.
 * A file that fails a check becomes a 'conflict' and stays where it is; the other files go on.
 */
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { isWritable, markConflict, type PlannedFile } from './plan-types.js';
import { isAppFile, routeKey, sourceExtension } from './routes.js';
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

/**
 * A folder under app/ as Next matches URLs: route groups `(x)` dropped, a dynamic segment by its kind only. Null
 * for a folder that is no route (private `_x`, a slot or an intercepting route, which the tool never writes).
 */
function urlSegments(folder: string): Array<{ shape: string; name: string }> | null {
  const segments: Array<{ shape: string; name: string }> = [];
  for (const part of folder.replace(/^src\//, '').split('/').slice(1)) {
    if (/^\(.*\)$/.test(part)) continue;
    if (part.startsWith('_') || part.startsWith('@') || part.startsWith('(')) return null;
    const shape = /^\[\[\.\.\..+\]\]$/.test(part) ? '[[...]]' : /^\[\.\.\..+\]$/.test(part) ? '[...]' : /^\[.+\]$/.test(part) ? '[]' : part;
    segments.push({ shape, name: part });
  }
  return segments;
}


/**
 * Routes this run would write where a route or page of the app in another folder answers the same URL (through a
 * route group), or names the same dynamic segment otherwise (`[userId]` beside `[id]`): next build rejects both.
 */
function markUrlClashes(existing: string[], files: PlannedFile[], pageExtensions?: readonly string[]): void {
  type Segments = Array<{ shape: string; name: string }>;
  // The shapes of the first `count` segments: the URL as Next matches it, up to there.
  const shapeKey = (segments: Segments, count = segments.length) => segments.slice(0, count).map((s) => s.shape).join('/');
  const urlKey = (folder: string, segments: Segments) => `${folder.startsWith('src/') ? 'src' : ''}|${shapeKey(segments)}`;
  const byUrl = new Map<string, string>();
  const slugAt = new Map<string, { name: string; file: string }>();
  for (const file of existing.filter((f) => isAppFile(f, 'route', pageExtensions) || isAppFile(f, 'page', pageExtensions))) {
    const segments = urlSegments(path.posix.dirname(file));
    if (!segments) continue;
    byUrl.set(urlKey(path.posix.dirname(file), segments), file);
    segments.forEach((s, i) => {
      if (s.shape !== s.name) slugAt.set(shapeKey(segments, i + 1), { name: s.name, file });
    });
  }
  if (!byUrl.size) return;
  for (const file of files.filter(isWritable)) {
    const folder = path.posix.dirname(file.target);
    const segments = urlSegments(folder);
    if (!segments) continue;
    // Another name for a dynamic segment first: the more precise reason when the URL is the same too.
    const renamed = segments
      .map((s, i) => ({ s, other: slugAt.get(shapeKey(segments, i + 1)) }))
      .find(({ s, other }) => s.shape !== s.name && other && other.name !== s.name);
    const same = byUrl.get(urlKey(folder, segments));
    if (renamed?.other) markConflict(file, [{ reason: 'URL_TAKEN', detail: `${renamed.other.file} names the segment ${renamed.other.name} where this route has ${renamed.s.name}` }]);
    else if (same && path.posix.dirname(same) !== folder) markConflict(file, [{ reason: 'URL_TAKEN', detail: `${same} answers the same URL` }]);
  }
}

/**
 * Marks the files that cannot be written: two sources for one route, a route or page in the way. `existing` is the
 * app's files under app/ (and src/app/), relative to the root.
 */
export async function markConflicts(root: string, files: PlannedFile[], existing: string[] = [], pageExtensions?: readonly string[]): Promise<void> {
  markDuplicates(files);
  markUrlClashes(existing, files, pageExtensions);
  for (const file of files.filter(isWritable)) {
    // The very route this run would write is there: an earlier run wrote it and was stopped (even by SIGKILL or a
    // power cut) before it removed the source. Removing the source is all that is left to do.
    const finished = await holdsExactly(root, file.target, file.output as string);
    const problem = await routeTargetProblem(root, file.target, finished ? path.posix.basename(file.target) : undefined, pageExtensions);
    if (problem) markConflict(file, [problem]);
    else if (finished) {
      file.alreadyWritten = true;
      file.notes.push('the route was already written, by an earlier run that stopped before removing this source');
    }
  }
}
