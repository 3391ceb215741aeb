/**
 * `migrate run`: the steps in order. Every check and the whole plan come before the first write; apply.ts does the
 * writing.
 */
import chalk from 'chalk';
import { ApplyError, applyPlan, type ApplyResult } from './apply.js';
import { anyHandlerRemains, findRouteFiles } from './check.js';
import { canAsk, confirm } from './confirm.js';
import { formatDiff } from './diff.js';
import { formatDiffStat } from './diffstat.js';
import { UserError } from './errors.js';
import { requireCleanTree } from './git.js';
import { pathFilter } from './path-filter.js';
import { buildPlan } from './plan.js';
import { isProjectSetting, isWritable, type Plan } from './plan-types.js';
import { loadProjectPrettier } from './prettier.js';
import { createProgress } from './progress.js';
import { detectNextVersion, loadProject, type Project } from './project.js';
import { whyNoRouteHandlers } from './app-router-support.js';
import { formatSummary, headline, summarize } from './report.js';
import { writeReports } from './report-files.js';
import { scanSources } from './scan.js';
import { catchStopSignals, exitCodeFor } from './stop-signals.js';
import { formatStopped, markUnfinished } from './stopped-run.js';
import { toolVersion } from './version.js';

export interface RunOptions {
  dry: boolean;
  /** With --dry: git's per-file summary instead of the diff. */
  stat: boolean;
  yes: boolean;
  force: boolean;
  next?: string;
  /** Report files: `.md` ones get Markdown, the others JSON. */
  report: string[];
  /** Glob patterns (relative to the app root) that select the sources to migrate. */
  only?: string[];
  quiet: boolean;
  verbose: boolean;
  debug: boolean;
}

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function writeRequestedReports(plan: Plan, options: RunOptions): Promise<void> {
  await writeReports(options.report, plan, { dry: options.dry, toolVersion: toolVersion(), only: options.only });
}

/** Nothing to do: the migration already ran, or pages/api has no handler. A report, if asked for, is still written. */
async function nothingToMigrate(project: Project, options: RunOptions, why: string): Promise<number> {
  print(`Nothing to migrate: ${why}.`);
  if (options.report.length > 0) {
    const nextVersion = options.next ?? (await detectNextVersion(project.root).catch(() => ''));
    const empty: Plan = { root: project.root, nextVersion, files: [], creates: [], updates: [], deletes: [], apiDirs: project.apiDirs };
    await writeRequestedReports(empty, options);
  }
  return 0;
}

/** The terminal summary: one line with --quiet, the reasons' explanations too with --verbose. */
function printSummary(plan: Plan, options: RunOptions): void {
  if (options.quiet) print(chalk.bold(headline(summarize(plan))));
  else print(formatSummary(plan, options));
}

export async function runMigration(dir: string, options: RunOptions): Promise<number> {
  const project = await loadProject(dir);
  if (project.apiDirs.length === 0) {
    if ((await findRouteFiles(project)).length > 0) {
      return nothingToMigrate(project, options, 'there is no pages/api folder, and the app already has route handlers');
    }
    throw new UserError(`There is no pages/api folder in ${project.root} (looked for pages/api and src/pages/api).`);
  }
  const only = options.only ? pathFilter(options.only) : undefined;
  const scan = await scanSources(project);
  const selected = only
    ? { sources: scan.sources.filter(only), outsideRoot: scan.outsideRoot.filter(only), unreadable: scan.unreadable.filter((u) => only(u.path)), skipped: scan.skipped.filter((s) => only(s.path)) }
    : scan;
  if (selected.outsideRoot.length === 0 && !(await anyHandlerRemains(project, selected))) {
    const where = only ? `no handler in pages/api matches --only ${options.only?.join(' ')}` : 'no handler is left in pages/api';
    return nothingToMigrate(project, options, where);
  }
  // --dry writes nothing, so it needs no clean tree.
  if (!options.dry && !options.force) await requireCleanTree(project.root);
  const nextVersion = options.next ?? (await detectNextVersion(project.root));
  const noRouteHandlers = await whyNoRouteHandlers(project.root, nextVersion);
  if (noRouteHandlers) {
    throw new UserError(`${noRouteHandlers}: its migrated routes would answer 404. Upgrade Next.js (13.4 or later) first, or pass --next <version> with the version you are moving to.`);
  }
  const prettier = await loadProjectPrettier(project.root);
  if (options.verbose) {
    print(chalk.dim(`Next.js ${nextVersion}${options.next ? ' (--next)' : ''}; formatting: ${prettier.description}.`));
    if (only) print(chalk.dim(`--only ${options.only?.join(' ')} selects ${plural(selected.sources.length, 'file')} of ${scan.sources.length} in pages/api.`));
  }

  // The whole scan goes in: files outside --only are still needed to find two sources for one route.
  const progress = createProgress('Planning', scan.sources.length);
  let plan: Plan;
  try {
    plan = await buildPlan({ project, nextVersion, only, format: prettier.format, pool: { onFilePlanned: () => progress.tick() } }, scan);
  } finally {
    progress.done();
  }
  const helperCount = plan.updates.filter((u) => !isProjectSetting(u)).length;
  const settingFiles = plan.updates.filter(isProjectSetting).map((u) => u.path);
  const updates = `${helperCount ? `, update ${plural(helperCount, 'helper module')}` : ''}${settingFiles.length ? `, edit ${settingFiles.join(', ')}` : ''}`;
  const writes = `${plural(plan.creates.length, 'file')}${updates} and remove ${plural(plan.deletes.length, 'source')}`;
  if (options.dry) {
    const changes = options.stat ? formatDiffStat(plan) : formatDiff(plan);
    if (changes) print(changes);
    printSummary(plan, options);
    if (!options.quiet) print(`Dry run: nothing was written. Without --dry the tool would write ${writes}.`);
    await writeRequestedReports(plan, options);
    return 0;
  }
  printSummary(plan, options);
  if (plan.creates.length === 0 && plan.deletes.length === 0) {
    print('Nothing to migrate: no file can be written.');
    await writeRequestedReports(plan, options);
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
  await writeRequestedReports(plan, options);
}

async function reportDone(plan: Plan, result: ApplyResult, options: RunOptions): Promise<number> {
  const settings = new Set(plan.updates.filter(isProjectSetting).map((u) => u.path));
  const helpers = result.updated.filter((file) => !settings.has(file));
  const edited = result.updated.filter((file) => settings.has(file));
  const updated = `${helpers.length ? `; updated ${plural(helpers.length, 'helper module')}` : ''}${edited.length ? `; edited ${edited.join(', ')}` : ''}`;
  print(chalk.green(`Wrote ${plural(result.written.length, 'file')}${updated}; removed ${plural(result.removed.length, 'source')}.`));
  if (options.verbose) {
    for (const file of result.written) print(chalk.dim(`  wrote   ${file}`));
    for (const file of result.updated) print(chalk.dim(`  updated ${file}`));
    for (const file of result.removed) print(chalk.dim(`  removed ${file}`));
    for (const folder of result.prunedFolders) print(chalk.dim(`  removed ${folder}/ (left empty)`));
  }
  const { markers } = summarize(plan);
  if (markers > 0 && !options.quiet) {
    print(`${plural(markers, 'TODO(migrate) marker')} to review: search the routes for TODO(migrate), or run \`migrate check\`.`);
  }
  await writeRequestedReports(plan, options);
  return 0;
}
