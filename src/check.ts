/**
 * `migrate check`: what is left to do, for CI. Handlers still in pages/api, and route files that still carry a
 * TODO(migrate) marker. Read-only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MARKER_TAG } from './diagnostics.js';
import type { Project } from './project.js';
import { listFiles, looksLikeHandler, scanSources, type SourceScan } from './scan.js';

export interface MarkerHit {
  file: string;
  line: number;
  text: string;
}

export interface CheckResult {
  handlers: string[];
  markers: MarkerHit[];
}

/** Synchronous: thousands of small files are read one after the other, and an awaited read costs four thread-pool round trips. */
function readOrUndefined(root: string, rel: string): string | undefined {
  try {
    return readFileSync(path.join(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}

/** A file that cannot be read may well be a handler: it counts, so that nobody is told the job is done. */
function stillAHandler(root: string, source: string): boolean {
  const text = readOrUndefined(root, source);
  return text === undefined || looksLikeHandler(text);
}

const ROUTE_FILE = /(^|\/)route\.(ts|tsx|js|jsx|mjs|cjs)$/;

/** Source files in pages/api that still define a route (export default, module.exports, exports.default), or cannot be read. */
export async function findRemainingHandlers(project: Project, scan?: SourceScan): Promise<string[]> {
  const { sources } = scan ?? (await scanSources(project));
  return sources.filter((source) => stillAHandler(project.root, source));
}

/** Whether any handler is left: stops at the first, where findRemainingHandlers reads every file. */
export async function anyHandlerRemains(project: Project, scan?: SourceScan): Promise<boolean> {
  const { sources } = scan ?? (await scanSources(project));
  return sources.some((source) => stillAHandler(project.root, source));
}

/** Route files under app/ and src/app/ (the real folders present). */
export async function findRouteFiles(project: Project): Promise<string[]> {
  const routes: string[] = [];
  for (const appDir of project.appDirs) routes.push(...(await listFiles(project.root, appDir)).files.filter((f) => ROUTE_FILE.test(f)));
  return routes;
}

export async function runCheck(project: Project): Promise<CheckResult> {
  const markers: MarkerHit[] = [];
  for (const route of await findRouteFiles(project)) {
    const text = readOrUndefined(project.root, route) ?? '';
    // Most routes have no marker: one search of the text spares splitting it into lines.
    if (!text.includes(MARKER_TAG)) continue;
    text.split('\n').forEach((line, i) => {
      if (line.includes(MARKER_TAG)) markers.push({ file: route, line: i + 1, text: line.trim() });
    });
  }
  return { handlers: await findRemainingHandlers(project), markers };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The text `check` prints; `ok` is false when anything is left to do. */
export function formatCheck(result: CheckResult): { ok: boolean; text: string } {
  if (result.handlers.length === 0 && result.markers.length === 0) {
    return { ok: true, text: 'No pages/api handlers remain, and no route file has a TODO(migrate) marker.\n' };
  }
  const lines: string[] = [];
  if (result.handlers.length > 0) {
    lines.push(`${plural(result.handlers.length, 'pages/api handler remains', 'pages/api handlers remain')}:`);
    lines.push(...result.handlers.map((h) => `  ${h}`));
  }
  if (result.markers.length > 0) {
    lines.push(`${plural(result.markers.length, 'TODO(migrate) marker remains', 'TODO(migrate) markers remain')} in route files:`);
    lines.push(...result.markers.map((m) => `  ${m.file}:${m.line}  ${m.text}`));
  }
  return { ok: false, text: `${lines.join('\n')}\n` };
}
