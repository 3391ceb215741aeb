/**
 * What the user reads: the terminal summary, and the JSON report (`--report`, schema version 1, read by the e2e
 * suite and by CI scripts, so its keys do not change).
 */
import chalk from 'chalk';
import { MARKER_TAG, REASONS, type Diagnostic } from './diagnostics.js';
import type { FileStatus, Plan, PlannedFile } from './plan-types.js';

export interface Summary {
  handlers: number;
  migrated: number;
  review: number;
  left: number;
  conflicts: number;
  notHandlers: number;
  markers: number;
}

export function countMarkers(text: string | undefined): number {
  return text ? text.split('\n').filter((line) => line.includes(MARKER_TAG)).length : 0;
}

export function summarize(plan: Plan): Summary {
  const count = (status: FileStatus) => plan.files.filter((f) => f.status === status).length;
  const notHandlers = count('not-handler');
  return {
    handlers: plan.files.length - notHandlers,
    migrated: count('migrated'),
    review: count('review'),
    left: count('left'),
    conflicts: count('conflict'),
    notHandlers,
    markers: plan.files.reduce((sum, f) => sum + countMarkers(f.output), 0),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "Migrated 12 of 15 handlers: 10 clean, 2 need review (3 markers); 3 left in place" — conflicts count as left. */
export function headline(s: Summary): string {
  const done = s.migrated + s.review;
  return (
    `Migrated ${done} of ${plural(s.handlers, 'handler')}: ${s.migrated} clean, ${s.review} need review ` +
    `(${plural(s.markers, 'marker')}); ${s.left + s.conflicts} left in place`
  );
}

const STATUS_TEXT: Record<FileStatus, string> = {
  migrated: chalk.green('migrated'),
  review: chalk.yellow('needs review'),
  left: chalk.red('left in place'),
  conflict: chalk.red('conflict, left in place'),
  'not-handler': chalk.dim('not a handler, left in place'),
};

function reasonLine(d: Diagnostic): string {
  const where = d.line === undefined ? '' : ` (line ${d.line})`;
  const detail = d.detail ? `: ${d.detail}` : '';
  return `      ${chalk.bold(d.reason)}${where} ${REASONS[d.reason].short}${detail}`;
}

function fileLines(file: PlannedFile, debug: boolean): string[] {
  const methods = file.methods.length > 0 ? chalk.dim(` [${file.methods.join(', ')}]`) : '';
  const lines = [`  ${file.source} → ${file.target}  ${STATUS_TEXT[file.status]}${methods}`];
  lines.push(...file.diagnostics.map(reasonLine));
  lines.push(...file.notes.map((note) => chalk.dim(`      note: ${note}`)));
  if (debug && file.stack) lines.push(...file.stack.split('\n').map((l) => chalk.dim(`      ${l}`)));
  return lines;
}

/** The terminal summary: the headline, one line per handler (with its reasons), then the files that are not handlers. */
export function formatSummary(plan: Plan, options: { debug?: boolean } = {}): string {
  const handlers = plan.files.filter((f) => f.status !== 'not-handler');
  const others = plan.files.filter((f) => f.status === 'not-handler');
  const lines = [chalk.bold(headline(summarize(plan)))];
  for (const file of handlers) lines.push(...fileLines(file, options.debug ?? false));
  if (plan.updates.length > 0) {
    lines.push('', 'Helper modules that get a route-handler twin beside the original (which stays for Pages code):');
    for (const update of plan.updates) lines.push(`  ${update.path}  + ${update.twins.join(', ')}`);
  }
  if (others.length > 0) {
    lines.push('', `${plural(others.length, 'file')} in pages/api ${others.length === 1 ? 'is' : 'are'} not a handler:`);
    for (const file of others) {
      // Why, when there is more to say than "no default export": an empty file, a test, a declaration.
      const why = file.diagnostics.find((d) => d.detail)?.detail;
      lines.push(`  ${file.source}  ${STATUS_TEXT['not-handler']}${why ? chalk.dim(` (${why})`) : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface JsonReason {
  code: string;
  short: string;
  line?: number;
  detail?: string;
}

export interface JsonReport {
  version: 1;
  nextVersion: string;
  summary: Summary;
  files: { source: string; target: string; status: FileStatus; methods: string[]; reasons: JsonReason[]; notes: string[] }[];
  /** Helper modules outside pages/api that get route-handler twins. */
  updates: { path: string; twins: string[] }[];
}

export function toJsonReport(plan: Plan): JsonReport {
  return {
    version: 1,
    nextVersion: plan.nextVersion,
    summary: summarize(plan),
    files: plan.files.map((f) => ({
      source: f.source,
      target: f.target,
      status: f.status,
      methods: f.methods,
      reasons: f.diagnostics.map((d) => ({ code: d.reason, short: REASONS[d.reason].short, line: d.line, detail: d.detail })),
      notes: f.notes,
    })),
    updates: plan.updates.map((u) => ({ path: u.path, twins: u.twins })),
  };
}
