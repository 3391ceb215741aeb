/**
 * How `check` tells CI what is left: a one-line summary and a file:line list for people, `::error` workflow commands
 * under GitHub Actions (they become annotations on the pull request), and JSON (`--json`) for other CI systems.
 */
import path from 'node:path';
import type { CheckResult, MarkerHit } from './check.js';
import { MARKER_TAG } from './diagnostics.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function checkOk(result: CheckResult): boolean {
  return result.handlers.length === 0 && result.markers.length === 0;
}

/** "2 pages/api handlers and 1 TODO(migrate) marker remain", or the all-clear sentence. */
export function checkSummary(result: CheckResult, only?: string[]): string {
  const scope = only ? ` (--only ${only.join(' ')})` : '';
  if (checkOk(result)) return `No pages/api handlers remain, and no route file has a ${MARKER_TAG} marker${scope}.`;
  const parts = [];
  if (result.handlers.length > 0) parts.push(plural(result.handlers.length, 'pages/api handler', 'pages/api handlers'));
  if (result.markers.length > 0) parts.push(plural(result.markers.length, `${MARKER_TAG} marker`, `${MARKER_TAG} markers`));
  const count = result.handlers.length + result.markers.length;
  return `${parts.join(' and ')} ${count === 1 ? 'remains' : 'remain'}${scope}.`;
}

const HANDLER_TEXT = 'pages/api handler not migrated yet: run `migrate run`, or migrate it by hand';

/** A path from `base` to a file of the app, posix: what a terminal, an editor or GitHub can open. */
function pathFrom(base: string, root: string, rel: string): string {
  return path.relative(base, path.join(root, rel)).split(path.sep).join('/');
}

/** For people: the summary line, then one `file:line  what` line per item (paths from the current folder). */
export function formatCheckText(result: CheckResult, root: string, options: { verbosity: Verbosity; only?: string[] }): string {
  const lines = [checkSummary(result, options.only)];
  if (options.verbosity !== 'quiet') {
    const at = (file: string, line: number) => `${pathFrom(process.cwd(), root, file)}:${line}`;
    lines.push(...result.handlers.map((h) => `  ${at(h.file, h.line)}  ${HANDLER_TEXT}`));
    lines.push(...result.markers.map((m) => `  ${at(m.file, m.line)}  ${m.text}`));
  }
  if (options.verbosity === 'verbose') {
    lines.push(`Looked at ${plural(result.looked.sources, 'source file', 'source files')} in pages/api and ${plural(result.looked.routes, 'route file', 'route files')}.`);
  }
  return `${lines.join('\n')}\n`;
}

/** GitHub's escaping for workflow commands: the message, and the properties (which also may not hold `:` or `,`). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(file: string, line: number, title: string, message: string): string {
  return `::error file=${escapeProperty(file)},line=${line},title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** The marker's words without the comment around them: `// TODO(migrate): X …` → `X …`. */
function markerMessage(marker: MarkerHit): string {
  const start = marker.text.indexOf(MARKER_TAG);
  return marker.text.slice(start + MARKER_TAG.length).replace(/^:\s*/, '').replace(/\s*(\*\/\s*\}?|-->)\s*$/, '');
}

/**
 * Under GitHub Actions: one `::error` line per item, which GitHub shows on the file and line in the pull request.
 * Paths are from GITHUB_WORKSPACE (the checkout), since the app may be a sub-folder of the repository.
 */
export function formatGithubAnnotations(result: CheckResult, root: string, options: { verbosity: Verbosity; only?: string[] }): string {
  const base = process.env.GITHUB_WORKSPACE || process.cwd();
  const lines = [
    ...result.handlers.map((h) => annotation(pathFrom(base, root, h.file), h.line, 'Pages Router API handler', `${HANDLER_TEXT}.`)),
    ...result.markers.map((m) => annotation(pathFrom(base, root, m.file), m.line, m.code ? `${MARKER_TAG} ${m.code}` : MARKER_TAG, markerMessage(m))),
  ];
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${formatCheckText(result, root, { ...options, verbosity: options.verbosity === 'verbose' ? 'verbose' : 'quiet' })}`;
}

/** `check --json`, schema version 1 (documented in the README): paths are posix and relative to the app root. */
export interface CheckJson {
  version: 1;
  ok: boolean;
  only?: string[];
  summary: { handlers: number; markers: number };
  handlers: { file: string; line: number }[];
  markers: { file: string; line: number; code?: string; text: string }[];
}

export function toCheckJson(result: CheckResult, only?: string[]): CheckJson {
  return {
    version: 1,
    ok: checkOk(result),
    ...(only ? { only } : {}),
    summary: { handlers: result.handlers.length, markers: result.markers.length },
    handlers: result.handlers.map(({ file, line }) => ({ file, line })),
    markers: result.markers.map(({ file, line, code, text }) => ({ file, line, ...(code ? { code } : {}), text })),
  };
}
