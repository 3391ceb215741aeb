/**
 * Builds the whole plan before anything is written: scan pages/api, transform each file, then check the result
 * against the tree. Reads the disk, never writes it. One file's failure (unreadable, transform error) is recorded on
 * that file and the rest goes on.
 */
import { planCompatModules } from './compat-plan.js';
import { markConflicts } from './conflicts.js';
import type { Transform } from './plan-file.js';
import { planFiles, type PoolOptions } from './plan-pool.js';
import { isWritable, type Plan, type PlannedFile } from './plan-types.js';
import type { Project } from './project.js';
import { compatModulePath, routeFileFor, routeFolderFor, sourceExtension } from './routes.js';
import { scanSources, type SourceScan } from './scan.js';

export interface PlanInput {
  project: Project;
  nextVersion: string;
  /** Injectable for tests; the real transform by default. A custom transform runs on the main thread only. */
  transform?: Transform;
  compatSource?: (typescript: boolean) => string;
  /** Threads, and a progress callback; see plan-pool.ts. */
  pool?: PoolOptions;
}

function outsideRootFile(project: Project, link: string): PlannedFile {
  const isFile = sourceExtension(link) !== '';
  return {
    source: link,
    target: isFile ? routeFileFor(link) : routeFolderFor(link),
    compatPath: compatModulePath(link, project.typescript),
    status: 'left',
    diagnostics: [{ reason: 'OUTSIDE_ROOT', detail: `${link} is a symlink to a place outside the app root` }],
    notes: [],
    methods: [],
    usesCompat: false,
  };
}

export async function buildPlan(input: PlanInput, scan?: SourceScan): Promise<Plan> {
  const { project } = input;
  const { sources, outsideRoot } = scan ?? (await scanSources(project));
  const settings = { root: project.root, typescript: project.typescript, nextVersion: input.nextVersion };
  const { transform } = input;
  // plan-file.js loads the parser: imported here rather than at the top, so that the pool starts its workers first.
  const files: PlannedFile[] = transform
    ? await import('./plan-file.js').then(({ planSourceFile }) => sources.map((source) => planSourceFile(settings, source, transform)))
    : await planFiles(settings, sources, input.pool);
  files.push(...outsideRoot.map((link) => outsideRootFile(project, link)));
  files.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));

  await markConflicts(project.root, files);
  const compatSource = input.compatSource ?? (await import('../transforms/lib/compat-module.js')).compatModuleSource;
  const compatCreates = await planCompatModules(project.root, files, compatSource(project.typescript));
  const writable = files.filter(isWritable);
  return {
    root: project.root,
    nextVersion: input.nextVersion,
    files,
    creates: [...writable.map((f) => ({ path: f.target, content: f.output as string })), ...compatCreates],
    deletes: writable.map((f) => ({ path: f.source, content: f.input as string })),
    apiDirs: project.apiDirs,
  };
}
