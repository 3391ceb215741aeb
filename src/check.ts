/**
 * `migrate check`: what is left to do, for CI. Handlers still in pages/api, and route files that still carry a
 * TODO(migrate) marker. Read-only; check-output.ts prints the result.
 */
import path from 'node:path';
import { findMarkers, type Marker } from './markers.js';
import type { PathFilter } from './path-filter.js';
import type { Project } from './project.js';
import { DEFAULT_PAGE_EXTENSIONS, sourceCandidatesFor } from './routes.js';
import { handlerExportLine, listFiles, looksLikeHandler, scanSources, type SourceScan } from './scan.js';
import { readTextOrUndefined } from './sync-fs.js';

export interface RemainingHandler {
  /** Posix path relative to the app root. */
  file: string;
  /** The line of its default export (or module.exports); 1 when the file could not be read. */
  line: number;
}

export interface MarkerHit extends Marker {
  /** The route file, posix and relative to the app root. */
  file: string;
}

export interface CheckResult {
  handlers: RemainingHandler[];
  markers: MarkerHit[];
  /** How many files were looked at, so that a --only that selects nothing shows. */
  looked: { sources: number; routes: number };
}

/** Synchronous (see sync-fs.ts): thousands of small files are read one after the other. */
function readOrUndefined(root: string, rel: string): string | undefined {
  return readTextOrUndefined(path.join(root, rel));
}

/** A file that cannot be read may well be a handler: it counts, so that nobody is told the job is done. */
function stillAHandler(root: string, source: string): boolean {
  const text = readOrUndefined(root, source);
  return text === undefined || looksLikeHandler(text);
}

/** Whether `file` is a route file of an app with these page extensions (`route.ts`, `route.page.ts`). */
function isRouteFile(file: string, pageExtensions: readonly string[]): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return pageExtensions.some((ext) => name === `route.${ext}`);
}

function remainingHandlers(project: Project, sources: string[], unreadableFolders: string[]): RemainingHandler[] {
  const found: RemainingHandler[] = [];
  for (const source of sources) {
    const text = readOrUndefined(project.root, source);
    // A file that cannot be read may well be a handler: count it, so that nobody is told the job is done.
    if (text === undefined) found.push({ file: source, line: 1 });
    else if (looksLikeHandler(text)) found.push({ file: source, line: handlerExportLine(text) ?? 1 });
  }
  // The same goes for a folder that cannot be listed.
  found.push(...unreadableFolders.map((folder) => ({ file: folder, line: 1 })));
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/**
 * Whether a source file in pages/api still defines a route (export default, module.exports, exports.default), or a
 * file or folder cannot be read or listed. Stops at the first: a run asks this before planning.
 */
export async function anyHandlerRemains(project: Project, scan?: SourceScan): Promise<boolean> {
  const { sources, unreadable } = scan ?? (await scanSources(project));
  return unreadable.length > 0 || sources.some((source) => stillAHandler(project.root, source));
}

/** Route files under app/ and src/app/ (the real folders present). */
export async function findRouteFiles(project: Project): Promise<string[]> {
  const routes: string[] = [];
  const exts = project.pageExtensions ?? DEFAULT_PAGE_EXTENSIONS;
  for (const appDir of project.appDirs) routes.push(...(await listFiles(project.root, appDir)).files.filter((f) => isRouteFile(f, exts)));
  return routes;
}

/** A route is selected by --only when its own path matches, or the pages/api path it came from would. */
function routeSelected(only: PathFilter, route: string, pageExtensions?: readonly string[]): boolean {
  return only(route) || sourceCandidatesFor(route, pageExtensions).some(only);
}

export async function runCheck(project: Project, options: { only?: PathFilter } = {}): Promise<CheckResult> {
  const { only } = options;
  const routes = (await findRouteFiles(project)).filter((route) => !only || routeSelected(only, route, project.pageExtensions));
  const markers: MarkerHit[] = [];
  for (const route of routes) {
    markers.push(...findMarkers(readOrUndefined(project.root, route)).map((m) => ({ file: route, ...m })));
  }
  const scan = await scanSources(project);
  const sources = scan.sources.filter((source) => !only || only(source));
  const unreadable = scan.unreadable.map((u) => u.path).filter((folder) => !only || only(folder));
  return { handlers: remainingHandlers(project, sources, unreadable), markers, looked: { sources: sources.length, routes: routes.length } };
}
