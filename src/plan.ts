/**
 * Builds the whole plan before anything is written: scan pages/api, transform each file, then check the result
 * against the tree. Reads the disk, never writes it. One file's failure (unreadable, transform error) is recorded on
 * that file and the rest goes on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compatModuleSource } from '../transforms/lib/compat-module.js';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import type { TransformContext, TransformResult } from '../transforms/types.js';
import { planCompatModules } from './compat-plan.js';
import { markConflicts } from './conflicts.js';
import { formatModuleUpdates, formatRoutes } from './format-plan.js';
import type { PathFilter } from './path-filter.js';
import { isWritable, type Plan, type PlannedFile } from './plan-types.js';
import type { Format } from './prettier.js';
import type { Project } from './project.js';
import { compatModulePath, routeFileFor, routeFolderFor, sourceExtension } from './routes.js';
import { scanSources, type SourceScan } from './scan.js';
import { findImportedHelpers, moduleUpdates, type HelperModulePlan } from './imported-helpers.js';

export interface PlanInput {
  project: Project;
  nextVersion: string;
  /** Injectable for tests; the real transform by default. */
  transform?: (source: string, context: TransformContext) => TransformResult;
  compatSource?: (typescript: boolean) => string;
  /** --only: the plan keeps only the files it selects (the others are still looked at, to find duplicate routes). */
  only?: PathFilter;
  /** The app's Prettier, when it has one: files to be written are formatted with the app's config. */
  format?: Format;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the transform said, checked: a route status without an output is the transform's bug, not a route. */
function fromResult(file: PlannedFile, result: TransformResult): PlannedFile {
  const planned: PlannedFile = {
    ...file,
    status: result.status,
    output: result.output,
    diagnostics: [...result.diagnostics],
    notes: [...result.notes],
    methods: [...result.methods],
    usesCompat: result.usesCompat,
    helpersUsed: result.helpersUsed ?? [],
  };
  if (isWritable(planned) && typeof planned.output !== 'string') {
    return { ...file, status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the transform returned status '${result.status}' without an output` }] };
  }
  if (!isWritable(planned)) planned.output = undefined;
  return planned;
}

function emptyFile(project: Project, source: string): PlannedFile {
  return {
    source,
    target: routeFileFor(source),
    compatPath: compatModulePath(source, project.typescript),
    status: 'left',
    diagnostics: [],
    notes: [],
    methods: [],
    usesCompat: false,
  };
}

async function readSource(project: Project, source: string): Promise<PlannedFile> {
  const file = emptyFile(project, source);
  try {
    file.input = await readFile(path.join(project.root, source), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    file.diagnostics = [{ reason: 'UNREADABLE', detail: code ?? errorText(error) }];
  }
  return file;
}

function planFile(input: PlanInput, file: PlannedFile, helpers: HelperModulePlan): PlannedFile {
  if (file.input === undefined) return file;
  const { nextVersion, transform = transformSource } = input;
  const context: TransformContext = {
    sourcePath: file.source,
    targetPath: file.target,
    compatPath: file.compatPath,
    nextVersion,
    importedHelpers: helpers.bindings.get(file.source),
  };
  try {
    return fromResult(file, transform(file.input, context));
  } catch (error) {
    return { ...file, diagnostics: [{ reason: 'INTERNAL_ERROR', detail: errorText(error) }], stack: error instanceof Error ? error.stack : undefined };
  }
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
  const { project, compatSource = compatModuleSource } = input;
  const { sources, outsideRoot } = scan ?? (await scanSources(project));
  const read: PlannedFile[] = [];
  for (const source of sources) read.push(await readSource(project, source));
  // Helpers in other modules that handlers call with `res`: found before the transforms, which then call their twins.
  const compatPath = read[0]?.compatPath ?? compatModulePath('pages/api/x.ts', project.typescript);
  const readable = read.filter((f) => f.input !== undefined).map((f) => ({ source: f.source, text: f.input as string }));
  const helpers = findImportedHelpers(project.root, readable, compatPath, input.nextVersion);
  const files = read.map((file) => planFile(input, file, helpers));
  files.push(...outsideRoot.map((link) => outsideRootFile(project, link)));
  files.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));

  // Before narrowing to --only: a source outside the selection can still answer the same route as one inside it.
  await markConflicts(project.root, files);
  const selected = input.only ? files.filter((f) => input.only?.(f.source)) : files;
  if (input.format) await formatRoutes(selected, input.format);
  const users = selected.filter((f) => isWritable(f) && f.helpersUsed?.length);
  const updates = moduleUpdates(helpers, users.map((f) => ({ source: f.source, helpers: f.helpersUsed ?? [] })), compatPath, input.nextVersion);
  if (input.format) await formatModuleUpdates(updates, input.format);
  // A twin that uses the compat module needs it written, like a route that does.
  for (const update of updates.filter((u) => u.usesCompat)) {
    const user = users.find((f) => f.helpersUsed?.some((h) => helpers.moduleOf.get(f.source)?.get(h.specifier) === update.path));
    if (user) user.usesCompat = true;
  }
  const compatCreates = await planCompatModules(project.root, selected, compatSource(project.typescript), input.format);
  const writable = selected.filter(isWritable);
  return {
    root: project.root,
    nextVersion: input.nextVersion,
    files: selected,
    creates: [...writable.map((f) => ({ path: f.target, content: f.output as string })), ...compatCreates],
    updates: updates.map(({ path: file, before, content, twins }) => ({ path: file, before, content, twins })),
    deletes: writable.map((f) => ({ path: f.source, content: f.input as string })),
    apiDirs: project.apiDirs,
  };
}
