/** The `--dry` output: a git-style unified diff of every file the run would create, change or delete. */
import chalk from 'chalk';
import { createTwoFilesPatch } from 'diff';
import type { Plan } from './plan-types.js';

/** jsdiff's hunks, without its own `Index:` / `====` / `---` / `+++` header lines (git's are written instead). */
function hunks(oldText: string, newText: string): string[] {
  const patch = createTwoFilesPatch('a', 'b', oldText, newText, undefined, undefined, { context: 3 });
  const lines = patch.split('\n');
  const first = lines.findIndex((line) => line.startsWith('@@'));
  return first === -1 ? [] : lines.slice(first).filter((line, i, all) => line !== '' || i < all.length - 1);
}

function colour(line: string): string {
  if (line.startsWith('@@')) return chalk.cyan(line);
  if (line.startsWith('+')) return chalk.green(line);
  if (line.startsWith('-')) return chalk.red(line);
  return line;
}

function fileDiff(file: string, kind: 'new' | 'deleted' | 'modified', content: string, before = ''): string {
  const header = [
    `diff --git a/${file} b/${file}`,
    ...(kind === 'modified' ? [] : [`${kind} file mode 100644`]),
    kind === 'new' ? '--- /dev/null' : `--- a/${file}`,
    kind === 'deleted' ? '+++ /dev/null' : `+++ b/${file}`,
  ];
  const body = kind === 'new' ? hunks('', content) : kind === 'deleted' ? hunks(content, '') : hunks(before, content);
  return [...header.map((line) => chalk.bold(line)), ...body.map(colour)].join('\n');
}

export function formatDiff(plan: Plan): string {
  const parts = [
    ...plan.creates.map((f) => fileDiff(f.path, 'new', f.content)),
    ...plan.updates.map((f) => fileDiff(f.path, 'modified', f.content, f.before)),
    ...plan.deletes.map((f) => fileDiff(f.path, 'deleted', f.content)),
  ];
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}
