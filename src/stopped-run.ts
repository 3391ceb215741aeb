/**
 * What a run that stopped halfway (a signal, or a write that failed) did. apply.ts leaves every handler either
 * migrated (route written, source removed) or untouched; this turns the plan into that outcome, for the terminal
 * and for the JSON report.
 */
import chalk from 'chalk';
import type { ApplyResult } from './apply.js';
import { isWritable, type Plan, type PlannedFile } from './plan-types.js';

/** Marks the handlers whose source is still there as left (INTERRUPTED); returns the ones that were migrated. */
export function markUnfinished(plan: Plan, result: ApplyResult, why: string): PlannedFile[] {
  const removed = new Set(result.removed);
  const done: PlannedFile[] = [];
  for (const file of plan.files.filter(isWritable)) {
    if (removed.has(file.source)) {
      done.push(file);
      continue;
    }
    file.status = 'left';
    file.diagnostics = [{ reason: 'INTERRUPTED', detail: why }];
    file.output = undefined;
    file.notes = [];
  }
  plan.updates = plan.updates.filter((u) => result.updated.includes(u.path));
  return done;
}

/** "Stopped by SIGINT after 3 of 20 handlers…", the handlers migrated, and how to finish. */
export function formatStopped(done: PlannedFile[], unfinished: number, result: ApplyResult, why: string): string {
  const lines = [chalk.bold(chalk.yellow(`Stopped by ${why} after ${done.length} of ${done.length + unfinished} handlers. Each handler is either migrated or untouched.`))];
  for (const file of done) lines.push(`  ${file.source} → ${file.target}  ${chalk.green('migrated')}`);
  const tookBack = result.takenBack.length > 0 ? `; the ${result.takenBack.length} files written for them were taken back` : '';
  if (unfinished > 0) lines.push(`The other ${unfinished} are untouched, where they were${tookBack}. Run the tool again to finish.`);
  return `${lines.join('\n')}\n`;
}
