/**
 * Builds the whole plan before anything is written: scan pages/api, transform each file, then check the result
 * against the tree. Reads the disk, never writes it. One file's failure (unreadable, transform error) is recorded on
 * that file and the rest goes on.
 */
import type { TransformContext } from '../transforms/types.js';
import { planCompatModules } from './compat-plan.js';
import { markConflicts } from './conflicts.js';
import type { Diagnostic } from './diagnostics.js';
import { formatModuleUpdates, formatRoutes } from './format-plan.js';
import type { PathFilter } from './path-filter.js';
import { isWritable, markLeft, type FileStatus, type ModuleChange, type Plan, type PlannedFile } from './plan-types.js';
import type { Format } from './prettier.js';
import type { Project } from './project.js';
import { compatModulePath, routeFileFor, routeFolderFor, sourceExtension } from './routes.js';
import type { PlanJob, Transform } from './plan-file.js';
import { startPlanPool, type PoolOptions } from './plan-pool.js';
import { readSourceText } from './read-source.js';
import { isCandidateSource, listFiles, scanSources, type SourceScan } from './scan.js';
import { createHelperPlan, findImportedHelpers, moduleOf, moduleUpdates, passesOn, type HelperModulePlan, type ModuleUpdate } from './imported-helpers.js';
import { createResolver, type Resolver } from './resolver.js';
import { isPackageSpecifier } from '../transforms/lib/imports.js';
import { escapeName } from './name-pattern.js';
import { findImportedMiddleware } from './imported-middleware.js';
import { parseChecked, shadowedGlobalIn } from './output-check.js';
import { findHandlerModules } from './handler-modules.js';
import { planServedPages, settleServedPages } from './alias-routes.js';
import { STRICT_NULL_CHECKS_NOTE, strictNullChecksUpdate } from './strict-null-checks.js';
import { notFoundPageWarning } from './not-found-page.js';
import { carryOutMoves, exportsModuleRef, findExportsMoves, settleMoves, type ExportsMove } from './moved-exports.js';
import { findImportedSources, retargetNote } from './imported-sources.js';
import { clientImportFinder } from './client-imports.js';
import type { ExportsModuleRef, HandlerModuleRef, ImportedHelper, MiddlewareImport, SubHandlerRef } from '../transforms/types.js';

/** The module declares a top-level `twin` (a function or a const at the start of a line: how twins are written). */
function declaresTwin(text: string, twin: string): boolean {
  return new RegExp(`(?:^|\\n)\\uFEFF?(?:export\\s+)?(?:async\\s+)?(?:function\\*?|const|let|var)\\s+${escapeName(twin)}(?![\\w$])`).test(text);
}

export interface PlanInput {
  project: Project;
  nextVersion: string;
  /** Injectable for tests; the real transform by default. A custom transform runs on the main thread only. */
  transform?: Transform;
  compatSource?: (typescript: boolean) => string;
  /** --only: the plan keeps only the files it selects (the others are still looked at, to find duplicate routes). */
  only?: PathFilter;
  /** The app's Prettier, when it has one: files to be written are formatted with the app's config. */
  format?: Format;
  /** Threads, and a progress callback; see plan-pool.ts. */
  pool?: PoolOptions;
}

function emptyFile(project: Project, source: string): PlannedFile {
  return {
    source,
    target: routeFileFor(source, project.pageExtensions),
    compatPath: compatModulePath(source, project.typescript),
    status: 'left',
    diagnostics: [],
    notes: [],
    methods: [],
    usesCompat: false,
  };
}

function readSource(project: Project, source: string): PlannedFile {
  const file = emptyFile(project, source);
  const read = readSourceText(project.root, source);
  if ('text' in read) file.input = read.text;
  else file.diagnostics = [read.problem];
  return file;
}

/**
 * What the transform needs to know about one file, the results of the cross-file passes included. Plain data: it
 * goes to a worker thread with the file. A new cross-file pass adds its per-file answer here.
 */
function contextFor(input: PlanInput, file: PlannedFile, helpers: HelperModulePlan, resolver: Resolver, handlerModule?: HandlerModuleRef, exportsModule?: ExportsModuleRef, middlewareImports?: MiddlewareImport[], subHandlers?: SubHandlerRef[]): TransformContext {
  const moduleSpecifiers = file.input === undefined ? [] : bareProjectSpecifiers(file.source, file.input, resolver);
  return {
    sourcePath: file.source,
    targetPath: file.target,
    compatPath: file.compatPath,
    nextVersion: input.nextVersion,
    ...(input.project.trpcVersion ? { trpcVersion: input.project.trpcVersion } : {}),
    ...(input.project.nextAuthVersion ? { nextAuthVersion: input.project.nextAuthVersion } : {}),
    ...(input.project.formidableVersion ? { formidableVersion: input.project.formidableVersion } : {}),
    importedHelpers: helpers.bindings.get(file.source),
    handlerModule,
    exportsModule,
    middlewareImports,
    ...(moduleSpecifiers.length ? { moduleSpecifiers } : {}),
    ...(subHandlers?.length ? { subHandlers } : {}),
  };
}

/**
 * The bare import specifiers of a file that name project modules, not packages (`server/wrapper` under tsconfig's
 * baseUrl): the transform cannot tell them apart from its text, and its reasons say "the package" otherwise.
 */
function bareProjectSpecifiers(source: string, text: string, resolver: Resolver): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1];
    if (isPackageSpecifier(specifier) && resolver.resolve(source, specifier)) found.add(specifier);
  }
  return [...found];
}

/** The pool plans with the real transform in its workers; an injected one (tests) runs on the main thread. */
async function customPlanner(transform: Transform): Promise<(job: PlanJob) => PlannedFile> {
  const { planJob } = await import('./plan-file.js');
  return (job) => planJob(job, transform);
}

/** The compat module's text, loaded only when a route needs it: the JavaScript version brings the parser along. */
async function compatText(input: PlanInput): Promise<string> {
  const { typescript } = input.project;
  if (input.compatSource) return input.compatSource(typescript);
  if (typescript) return (await import('../transforms/lib/compat-module-text.js')).COMPAT_MODULE_TS;
  return (await import('../transforms/lib/compat-module.js')).compatModuleSource(false);
}

/** A path the scan reported without planning it (a link out of the root, a folder it cannot list, a test). */
function reportedPath(project: Project, rel: string, status: FileStatus, diagnostic: Diagnostic): PlannedFile {
  const isFile = sourceExtension(rel) !== '';
  return {
    source: rel,
    target: isFile ? routeFileFor(rel, project.pageExtensions) : routeFolderFor(rel, project.pageExtensions),
    compatPath: compatModulePath(rel, project.typescript),
    status,
    diagnostics: [diagnostic],
    notes: [],
    methods: [],
    usesCompat: false,
  };
}

/** Whether `update` relies on twins written into `module`: a barrel passing one on, or a handler module calling one. */
function dependsOn(helpers: HelperModulePlan, update: ModuleUpdate, module: string): boolean {
  if (update.helpersUsed?.some((h) => moduleOf(helpers, update.path, h) === module)) return true;
  return [...helpers.definitions.values()].some((d) => d.module === module && d.hops.some((hop) => hop.barrel === update.path && !hop.star));
}

export async function buildPlan(input: PlanInput, scan?: SourceScan): Promise<Plan> {
  const { project } = input;
  const { sources, outsideRoot, unreadable, skipped } = scan ?? (await scanSources(project));
  // The workers start first: loading their parser overlaps the reading and the cross-file passes below.
  const pool = startPlanPool(sources.length, input.pool, input.transform && (await customPlanner(input.transform)));
  const read = sources.map((source) => readSource(project, source));
  // Helpers in other modules that handlers call with `res`: found before the transforms, which then call their twins.
  const compatPath = read[0]?.compatPath ?? compatModulePath('pages/api/x.ts', project.typescript);
  const readable = read.filter((f) => f.input !== undefined).map((f) => ({ source: f.source, text: f.input as string }));
  // tsconfig's aliases read once, each import resolved once and each file read once, for all the passes across files
  // (the sources read above included: a pass that looks at every project file finds them there).
  const resolver = createResolver(project.root, readable);
  const helpers = createHelperPlan(resolver, compatPath, input.nextVersion);
  findImportedHelpers(helpers, readable);
  // Files that re-export a handler of another module: that module gets a route-handler twin (src/handler-modules.ts).
  // Their own imported helpers are found as a pages/api file's are, and join the plan's.
  const handlerModules = findHandlerModules(readable, project.apiDirs, { compatPathOf: (s) => compatModulePath(s, project.typescript), targetOf: (s) => routeFileFor(s, project.pageExtensions), isPage: (f) => isCandidateSource(f, project.pageExtensions) }, input.nextVersion, resolver, (modules) => findImportedHelpers(helpers, modules), helpers.bindings);
  // Values exported beside the handler (next-auth's authOptions too): they move to a module of their own (src/moved-exports.ts).
  const exportsMoves = findExportsMoves(project.root, readable, resolver, project.pageExtensions);
  // runMiddleware and cors middlewares imported from project modules (src/imported-middleware.ts).
  const middleware = await findImportedMiddleware(readable, resolver);
  const files = await pool.plan(
    read.map((file) => ({ file, context: contextFor(input, file, helpers, resolver, handlerModules.refs.get(file.source), exportsModuleRef(exportsMoves.find((m) => m.source === file.source)), middleware.get(file.source), handlerModules.subRefs.get(file.source)) })),
  );
  files.push(...outsideRoot.map((link) => reportedPath(project, link, 'left', { reason: 'OUTSIDE_ROOT', detail: `${link} is a symlink to a place outside the app root` })));
  files.push(...unreadable.map((folder) => reportedPath(project, folder.path, 'left', { reason: 'UNREADABLE', detail: `${folder.detail}: the folder cannot be listed` })));
  files.push(...skipped.map((skip) => reportedPath(project, skip.path, 'not-handler', { reason: skip.notPage ? 'NOT_A_PAGE' : 'TEST_OR_DECLARATION', detail: skip.detail })));
  files.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));

  const selected = input.only ? files.filter((f) => input.only?.(f.source)) : files;
  // A file that serves another page's handler re-exports that page's route, now that every route is planned.
  const { servedPages } = handlerModules;
  await planServedPages(selected, servedPages, resolver.aliases, (f) => ({ sourcePath: f.source, targetPath: f.target, compatPath: f.compatPath, nextVersion: input.nextVersion }));
  // Formatted before the conflict checks, so that a route an earlier run wrote is recognised by its final text.
  if (input.format) await formatRoutes(selected, input.format);
  // Before narrowing to --only: a source outside the selection can still answer the same route as one inside it.
  const appFiles = (await Promise.all(project.appDirs.map((dir) => listFiles(project.root, dir)))).flatMap((listing) => listing.files);
  await markConflicts(project.root, files, appFiles, project.pageExtensions);
  // A route that would import, through project modules, one that uses client-only React APIs does not build.
  const clientImports = clientImportFinder(resolver);
  for (const file of selected.filter(isWritable)) {
    const why = clientImports.why(file.target, file.output as string);
    if (why !== null) markLeft(file, { reason: 'CLIENT_ONLY_IMPORT', detail: why });
  }
  settleServedPages(selected, servedPages);
  // A source the run removes that another file still imports (its types, its handler): the importers of its types
  // follow it to the route file, any other importer keeps it in place (src/imported-sources.ts). Its exported values
  // have their own pass (the moves).
  const removed = selected.filter((f) => isWritable(f) && !exportsMoves.some((m) => m.source === f.source));
  const importedSources = findImportedSources(project.root, removed, selected, resolver);
  for (const file of removed) {
    const why = importedSources.left.get(file.source);
    if (why !== undefined) markLeft(file, { reason: 'SOURCE_IMPORTED', detail: why });
  }
  settleServedPages(selected, servedPages);
  // A file that also gets a helper twin (a handler, or a handler module a route re-exports, calls one of its exports
  // with res) keeps its exports.
  const helperModulesOf = (source: string, used: ImportedHelper[] | undefined) => (used ?? []).map((h) => moduleOf(helpers, source, h) ?? '');
  const writableSources = () => new Set(selected.filter(isWritable).map((f) => f.source));
  const twinned = new Set([
    ...selected.filter(isWritable).flatMap((f) => helperModulesOf(f.source, f.helpersUsed)),
    ...handlerModules.updates(writableSources()).flatMap((u) => helperModulesOf(u.path, u.helpersUsed)),
  ]);
  await settleMoves(project.root, exportsMoves, selected, twinned);
  // The moves still possible; only those whose route is written after every check below happen (carryOutMoves).
  let moves: ExportsMove[] = exportsMoves.filter((m) => m.left === undefined);
  const users = selected.filter((f) => isWritable(f) && f.helpersUsed?.length);
  const handlerUpdates = handlerModules.updates(writableSources());
  // A helper's twin serves the routes that call it, and those that re-export a handler module that calls it.
  const usesHelperOf = (source: string, used: ImportedHelper[] | undefined, module: string) => !!used?.some((h) => moduleOf(helpers, source, h) === module || passesOn(helpers, source, h, module));
  const usersOf = (module: string) => {
    const reexporting = [module, ...handlerUpdates.filter((u) => usesHelperOf(u.path, u.helpersUsed, module)).map((u) => u.path)].flatMap((m) => handlerModules.usersOf(m));
    return selected.filter(
      (f) =>
        isWritable(f) &&
        (usesHelperOf(f.source, f.helpersUsed, module) ||
          reexporting.includes(f.source) ||
          moves.some((m) => m.source === f.source && m.importers.some((i) => i.path === module)) ||
          importedSources.retargets.some((r) => r.source === f.source && r.importers.some((i) => i.path === module))),
    );
  };
  const used = [...users.map((f) => ({ source: f.source, helpers: f.helpersUsed ?? [] })), ...handlerUpdates.map((u) => ({ source: u.path, helpers: u.helpersUsed ?? [] }))];
  const rewrites = moduleUpdates(helpers, used);
  for (const update of handlerUpdates) {
    // One change per module and run: a module that also gets a helper twin keeps its re-exporting routes in place.
    if (!rewrites.some((r) => r.path === update.path)) rewrites.push(update);
    else {
      const reexporting = handlerModules.usersOf(update.path);
      for (const user of usersOf(update.path).filter((f) => reexporting.includes(f.source))) markLeft(user, { reason: 'HANDLER_MODULE_SHARED', detail: `${update.path} also gets a helper twin in this run` });
    }
  }
  // A module rewrite that does not parse is not written, and the routes that need it stay in place.
  const dropped = new Map<string, string>();
  // A module whose own name hides what its twins answer with (`import { Response } from 'express'`) is not written
  // either: its routes stay, with that reason.
  const shadowing = new Map<string, string>();
  for (const update of rewrites) {
    const parsed = parseChecked(update.path, update.content);
    if ('problem' in parsed) dropped.set(update.path, `the twin it added to ${update.path} does not parse (${parsed.problem})`);
    const shadowed = 'problem' in parsed || !update.twins.length ? undefined : shadowedGlobalIn(update.path, parsed.program, update.before);
    if (shadowed) {
      shadowing.set(update.path, `in ${update.path}: ${shadowed}`);
      dropped.set(update.path, shadowing.get(update.path)!);
    }
  }
  // What needs a dropped module's twins goes too: a barrel passing one on, a handler module's twin calling one.
  for (let grew = dropped.size > 0; grew; ) {
    grew = false;
    for (const update of rewrites) {
      if (dropped.has(update.path)) continue;
      const needs = [...dropped.keys()].find((module) => dependsOn(helpers, update, module));
      if (needs) {
        dropped.set(update.path, `it needs the twins of ${needs}, which is not written (${dropped.get(needs)})`);
        if (shadowing.has(needs)) shadowing.set(update.path, dropped.get(update.path)!);
        grew = true;
      }
    }
  }
  for (const [path, detail] of dropped) for (const user of usersOf(path)) markLeft(user, { reason: shadowing.has(path) ? 'GLOBAL_SHADOWED' : 'INTERNAL_ERROR', detail });
  const updates = rewrites.filter((update) => !dropped.has(update.path));
  // The last guard: each twin a route imports is declared in its module as the run leaves it (a twin name the cross-file
  // passes disagreed on would give a route that does not build).
  const updated = new Map(updates.map((u) => [u.path, u.content]));
  const moduleText = (module: string) => updated.get(module) ?? resolver.text(module) ?? '';
  for (const file of selected.filter((f) => isWritable(f) && f.helpersUsed?.length)) {
    for (const helper of file.helpersUsed!) {
      const module = helper.kind === 'factory' ? undefined : moduleOf(helpers, file.source, helper);
      if (module && !declaresTwin(moduleText(module), helper.twin)) markLeft(file, { reason: 'INTERNAL_ERROR', detail: `${module} would not declare ${helper.twin}, which the route imports` });
    }
  }
  // A twin that uses the compat module needs it written, like a route that does.
  for (const update of updates.filter((u) => u.usesCompat)) {
    const [user] = usersOf(update.path);
    if (user) user.usesCompat = true;
  }
  // The last check that can leave a route: the compat module it needs was edited.
  const compatCreates = await planCompatModules(project.root, selected, () => compatText(input), input.format);
  settleServedPages(selected, servedPages);
  // Every route left is known now: the exports of the routes to be written move, and whoever imports them follows,
  // the routes left in place included (the file they imported from goes away).
  moves = carryOutMoves(exportsMoves, selected);
  // A module that gets a twin and imports moved exports gets both changes; the other importers one each.
  for (const move of moves) {
    for (const update of updates) {
      const content = move.rewrite(update.content, update.path);
      if (content !== update.content) Object.assign(update, { content, imports: [...(update.imports ?? []), move.modulePath] });
    }
    for (const importer of move.importers) {
      if (updates.some((u) => u.path === importer.path) || selected.some((f) => f.source === importer.path && isWritable(f))) continue;
      updates.push({ path: importer.path, before: importer.text, content: move.rewrite(importer.text, importer.path), twins: [], usesCompat: false, imports: [move.modulePath] });
    }
  }
  // The importers of types of a source that goes away take them from its route (its route is written: checked above).
  for (const retarget of importedSources.retargets) {
    const file = selected.find((f) => f.source === retarget.source && isWritable(f));
    if (!file) continue;
    const changed: string[] = [];
    for (const route of selected.filter((f) => isWritable(f) && f !== file)) {
      const output = retarget.rewrite(route.output as string, route.target);
      if (output !== route.output) changed.push(route.target);
      route.output = output;
      const module = route.exportsModule;
      const content = module && retarget.rewrite(module.content, module.path);
      if (module && content !== module.content) {
        changed.push(module.path);
        module.content = content as string;
      }
    }
    for (const update of updates) {
      const content = retarget.rewrite(update.content, update.path);
      if (content !== update.content) {
        changed.push(update.path);
        Object.assign(update, { content, imports: [...(update.imports ?? []), retarget.route] });
      }
    }
    for (const importer of retarget.importers) {
      if (updates.some((u) => u.path === importer.path) || selected.some((f) => f.source === importer.path && isWritable(f))) continue;
      updates.push({ path: importer.path, before: importer.text, content: retarget.rewrite(importer.text, importer.path), twins: [], usesCompat: false, imports: [retarget.route] });
      changed.push(importer.path);
    }
    if (changed.length) file.notes.push(retargetNote(retarget, changed));
  }
  // A module an earlier run gave every twin this run needs is left as it is.
  for (let i = updates.length - 1; i >= 0; i--) if (updates[i].content === updates[i].before) updates.splice(i, 1);
  if (input.format) await formatModuleUpdates(updates, input.format);
  const writable = selected.filter(isWritable);
  const changes: ModuleChange[] = updates.map(({ path: file, before, content, twins, imports }) => ({ path: file, before, content, twins, users: usersOf(file).map((f) => f.source), ...(imports ? { imports } : {}) }));
  // Once app/ exists, Next.js would turn strictNullChecks on: the value in effect is written instead (not formatted).
  const strictNulls = project.typescript && writable.length ? strictNullChecksUpdate(project.root) : null;
  if (strictNulls) changes.push({ ...strictNulls, twins: [], users: writable.map((f) => f.source), note: STRICT_NULL_CHECKS_NOTE });
  const notFound = notFoundPageWarning(project, input.nextVersion, writable.some((f) => !f.alreadyWritten));
  return {
    root: project.root,
    nextVersion: input.nextVersion,
    files: selected,
    creates: [
      ...writable.filter((f) => !f.alreadyWritten).map((f) => ({ path: f.target, content: f.output as string })),
      ...compatCreates,
      ...moves.map((m) => ({ path: m.modulePath, content: selected.find((f) => f.source === m.source)!.exportsModule!.content })),
    ],
    updates: changes,
    deletes: writable.map((f) => ({ path: f.source, content: f.input as string })),
    ...(notFound ? { warnings: [notFound] } : {}),
    apiDirs: project.apiDirs,
  };
}
