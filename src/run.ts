/**
 * `migrate run`: the steps in order. Every check and the whole plan come before the first write; apply.ts does the
 * writing.
 */
import chalk from 'chalk';
import { ApplyError, applyPlan, writeReportFile, type ApplyResult } from './apply.js';
import { findRemainingHandlers, findRouteFiles } from './check.js';
import { canAsk, confirm } from './confirm.js';
import { formatDiff } from './diff.js';
import { UserError } from './errors.js';
import { requireCleanTree } from './git.js';
import { buildPlan } from './plan.js';
import { isWritable, type Plan } from './plan-types.js';
import { detectNextVersion, loadProject, type Project } from './project.js';
import { formatSummary, summarize, toJsonReport } from './report.js';
import { scanSources } from './scan.js';
import { catchStopSignals, exitCodeFor } from './stop-signals.js';
import { formatStopped, markUnfinished } from './stopped-run.js';

export interface RunOptions {
  dry: boolean;
  yes: boolean;
  force: boolean;
  next?: string;
  report?: string;
  debug: boolean;
}

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Nothing to do: the migration already ran, or pages/api has no handler. A report, if asked for, is still written. */
async function nothingToMigrate(project: Project, options: RunOptions, why: string): Promise<number> {
  print(`Nothing to migrate: ${why}.`);
  if (options.report) {
    const nextVersion = options.next ?? (await detectNextVersion(project.root).catch(() => ''));
    const empty: Plan = { root: project.root, nextVersion, files: [], creates: [], updates: [], deletes: [], apiDirs: project.apiDirs };
    await writeReportFile(options.report, toJsonReport(empty));
  }
  return 0;
}

export async function runMigration(dir: string, options: RunOptions): Promise<number> {
  const project = await loadProject(dir);
  if (project.apiDirs.length === 0) {
    if ((await findRouteFiles(project)).length > 0) {
      return nothingToMigrate(project, options, 'there is no pages/api folder, and the app already has route handlers');
    }
    throw new UserError(`There is no pages/api folder in ${project.root} (looked for pages/api and src/pages/api).`);
  }
  const scan = await scanSources(project);
  if (scan.outsideRoot.length === 0 && (await findRemainingHandlers(project, scan)).length === 0) {
    return nothingToMigrate(project, options, 'no handler is left in pages/api');
  }
  // --dry writes nothing, so it needs no clean tree.
  if (!options.dry && !options.force) await requireCleanTree(project.root);
  const nextVersion = options.next ?? (await detectNextVersion(project.root));

  const plan = await buildPlan({ project, nextVersion }, scan);
  const updates = plan.updates.length ? `, update ${plural(plan.updates.length, 'helper module')}` : '';
  const writes = `${plural(plan.creates.length, 'file')}${updates} and remove ${plural(plan.deletes.length, 'source')}`;
  if (options.dry) {
    const diff = formatDiff(plan);
    if (diff) print(diff);
    print(formatSummary(plan, options));
    print(`Dry run: nothing was written. Without --dry the tool would write ${writes}.`);
    if (options.report) await writeReportFile(options.report, toJsonReport(plan));
    return 0;
  }
  print(formatSummary(plan, options));
  if (plan.creates.length === 0 && plan.deletes.length === 0) {
    print('Nothing to migrate: no file can be written.');
    if (options.report) await writeReportFile(options.report, toJsonReport(plan));
    return 0;
  }
  if (!options.yes && canAsk() && !(await confirm(`Write ${writes}?`))) {
    print('Nothing was written.');
    return 0;
  }

  const signals = catchStopSignals((signal) => process.stderr.write(`\n${signal}: stopping after the current file…\n`));
  try {
    let result: ApplyResult;
    try {
      result = await applyPlan(plan, { dry: false, shouldStop: signals.received });
    } catch (error) {
      if (error instanceof ApplyError) await reportStopped(plan, error.result, options, `an error (${error.message})`);
      throw error;
    }
    if (result.stoppedBy) {
      await reportStopped(plan, result, options, result.stoppedBy);
      return exitCodeFor(result.stoppedBy);
    }
    return await reportDone(plan, result, options);
  } finally {
    // Only now: a second Ctrl-C while the report is written must not cut it.
    signals.release();
  }
}

/** Prints, and writes to --report, what a run that stopped halfway did. */
async function reportStopped(plan: Plan, result: ApplyResult, options: RunOptions, why: string): Promise<void> {
  const planned = plan.files.filter(isWritable).length;
  const done = markUnfinished(plan, result, `the run was stopped by ${why}`);
  print(formatStopped(done, planned - done.length, result, why));
  if (options.report) await writeReportFile(options.report, toJsonReport(plan));
}

async function reportDone(plan: Plan, result: ApplyResult, options: RunOptions): Promise<number> {
  const updated = result.updated.length ? `; updated ${plural(result.updated.length, 'helper module')}` : '';
  print(chalk.green(`Wrote ${plural(result.written.length, 'file')}${updated}; removed ${plural(result.removed.length, 'source')}.`));
  const { markers } = summarize(plan);
  if (markers > 0) {
    print(`${plural(markers, 'TODO(migrate) marker')} to review: search the routes for TODO(migrate), or run \`migrate check\`.`);
  }
  if (options.report) await writeReportFile(options.report, toJsonReport(plan));
  return 0;
}
