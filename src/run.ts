/**
 * `migrate run`: the steps in order. Every check and the whole plan come before the first write; apply.ts does the
 * writing.
 */
import chalk from 'chalk';
import { applyPlan, writeReportFile } from './apply.js';
import { anyHandlerRemains, findRouteFiles } from './check.js';
import { canAsk, confirm } from './confirm.js';
import { formatDiff } from './diff.js';
import { UserError } from './errors.js';
import { requireCleanTree } from './git.js';
import { buildPlan } from './plan.js';
import type { Plan } from './plan-types.js';
import { detectNextVersion, loadProject, type Project } from './project.js';
import { createProgress } from './progress.js';
import { formatSummary, summarize, toJsonReport } from './report.js';
import { scanSources } from './scan.js';

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
    const empty: Plan = { root: project.root, nextVersion, files: [], creates: [], deletes: [], apiDirs: project.apiDirs };
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
  if (scan.outsideRoot.length === 0 && !(await anyHandlerRemains(project, scan))) {
    return nothingToMigrate(project, options, 'no handler is left in pages/api');
  }
  // --dry writes nothing, so it needs no clean tree.
  if (!options.dry && !options.force) await requireCleanTree(project.root);
  const nextVersion = options.next ?? (await detectNextVersion(project.root));

  const progress = createProgress('Planning', scan.sources.length);
  let plan: Plan;
  try {
    plan = await buildPlan({ project, nextVersion, pool: { onFilePlanned: () => progress.tick() } }, scan);
  } finally {
    progress.done();
  }
  const writes = `${plural(plan.creates.length, 'file')} and remove ${plural(plan.deletes.length, 'source')}`;
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

  const result = await applyPlan(plan, { dry: false });
  print(chalk.green(`Wrote ${plural(result.written.length, 'file')}; removed ${plural(result.removed.length, 'source')}.`));
  const { markers } = summarize(plan);
  if (markers > 0) {
    print(`${plural(markers, 'TODO(migrate) marker')} to review: search the routes for TODO(migrate), or run \`migrate check\`.`);
  }
  if (options.report) await writeReportFile(options.report, toJsonReport(plan));
  return 0;
}
