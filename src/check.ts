/**
 * `migrate check`: what is left to do, for CI. Handlers still in pages/api, and route files that still carry a
 * TODO(migrate) marker. Read-only.
 */
import { readFile } from 'node:fs/promises';
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

async function readOrUndefined(root: string, rel: string): Promise<string | undefined> {
  return readFile(path.join(root, rel), 'utf8').catch(() => undefined);
}

const ROUTE_FILE = /(^|\/)route\.(ts|tsx|js|jsx|mjs|cjs)$/;

/** Source files in pages/api that still define a route (export default, module.exports, exports.default), or cannot be read or listed. */
export async function findRemainingHandlers(project: Project, scan?: SourceScan): Promise<string[]> {
  const { sources, unreadable } = scan ?? (await scanSources(project));
  const found: string[] = [];
  for (const source of sources) {
    const text = await readOrUndefined(project.root, source);
    // A file that cannot be read may well be a handler: count it, so that nobody is told the job is done.
    if (text === undefined || looksLikeHandler(text)) found.push(source);
  }
  // The same goes for a folder that cannot be listed.
  found.push(...unreadable.map((folder) => folder.path));
  return found.sort();
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
    const lines = ((await readOrUndefined(project.root, route)) ?? '').split('\n');
    lines.forEach((text, i) => {
      if (text.includes(MARKER_TAG)) markers.push({ file: route, line: i + 1, text: text.trim() });
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
