/** `--dry --stat`: the per-file summary of the diff, in the shape of `git diff --stat`, instead of the diff itself. */
import chalk from 'chalk';
import { diffLines } from 'diff';
import type { FileChange, ModuleChange, Plan } from './plan-types.js';

/** The widest bar; git's depends on the terminal width, which a pipe does not have. */
const MAX_BAR = 40;

function lineCount(content: string): number {
  if (content === '') return 0;
  return content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
}

/** Lines added and removed in a module that changes (it gets a route-handler twin). */
function changedLines(change: ModuleChange): { added: number; removed: number } {
  const parts = diffLines(change.before, change.content);
  const sum = (kind: 'added' | 'removed') => parts.filter((p) => p[kind]).reduce((n, p) => n + (p.count ?? lineCount(p.value)), 0);
  return { added: sum('added'), removed: sum('removed') };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatDiffStat(plan: Plan): string {
  const rows: { path: string; added: number; removed: number }[] = [
    ...plan.creates.map((f: FileChange) => ({ path: f.path, added: lineCount(f.content), removed: 0 })),
    ...plan.updates.map((f) => ({ path: f.path, ...changedLines(f) })),
    ...plan.deletes.map((f: FileChange) => ({ path: f.path, added: 0, removed: lineCount(f.content) })),
  ];
  if (rows.length === 0) return '';
  const nameWidth = Math.max(...rows.map((r) => r.path.length));
  const most = Math.max(...rows.map((r) => r.added + r.removed));
  const countWidth = String(most).length;
  // git's scale_linear(): bars shrink only when the largest would not fit, and a change never shrinks to nothing.
  const bar = (n: number) => (most <= MAX_BAR || n === 0 ? n : 1 + Math.floor((n * (MAX_BAR - 1)) / most));
  const lines = rows.map(
    (r) =>
      ` ${r.path.padEnd(nameWidth)} | ${String(r.added + r.removed).padStart(countWidth)} ` +
      `${chalk.green('+'.repeat(bar(r.added)))}${chalk.red('-'.repeat(bar(r.removed)))}`,
  );
  const added = rows.reduce((sum, r) => sum + r.added, 0);
  const removed = rows.reduce((sum, r) => sum + r.removed, 0);
  const total = [plural(rows.length, 'file changed', 'files changed')];
  if (added > 0) total.push(plural(added, 'insertion(+)', 'insertions(+)'));
  if (removed > 0) total.push(plural(removed, 'deletion(-)', 'deletions(-)'));
  lines.push(` ${total.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
