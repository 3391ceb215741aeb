/**
 * What the user reads: the terminal summary, and the JSON report (`--report x.json`, schema version 1, read by the
 * e2e suite and by CI scripts, so its keys keep their meaning). The Markdown report is in markdown-report.ts.
 */
import chalk from 'chalk';
import { REASONS, docsLink, type Diagnostic } from './diagnostics.js';
import { findMarkers } from './markers.js';
import { isProjectSetting, isWritable, type FileStatus, type Plan, type PlannedFile } from './plan-types.js';

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
  return findMarkers(text).length;
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

// A function, not a table built at load time: colour is decided (NO_COLOR) once the command line has started.
function statusText(status: FileStatus): string {
  switch (status) {
    case 'migrated':
      return chalk.green('migrated');
    case 'review':
      return chalk.yellow('needs review');
    case 'left':
      return chalk.red('left in place');
    case 'conflict':
      return chalk.red('conflict, left in place');
    case 'not-handler':
      return chalk.dim('not a handler, left in place');
  }
}

export interface SummaryOptions {
  debug?: boolean;
  /** Also print, under each reason, what it means and what to do by hand, with its docs link. */
  verbose?: boolean;
}

function reasonLines(d: Diagnostic, verbose: boolean): string[] {
  const where = d.line === undefined ? '' : ` (line ${d.line})`;
  const detail = d.detail ? `: ${d.detail}` : '';
  const lines = [`      ${chalk.bold(d.reason)}${where} ${REASONS[d.reason].short}${detail}`];
  if (verbose) lines.push(chalk.dim(`        ${REASONS[d.reason].detail}`), chalk.dim(`        ${docsLink(d.reason)}`));
  return lines;
}

function fileLines(file: PlannedFile, options: SummaryOptions): string[] {
  const methods = file.methods.length > 0 ? chalk.dim(` [${file.methods.join(', ')}]`) : '';
  const lines = [`  ${file.source} → ${file.target}  ${statusText(file.status)}${methods}`];
  lines.push(...file.diagnostics.flatMap((d) => reasonLines(d, options.verbose ?? false)));
  lines.push(...file.notes.map((note) => chalk.dim(`      note: ${note}`)));
  if (options.debug && file.stack) lines.push(...file.stack.split('\n').map((l) => chalk.dim(`      ${l}`)));
  return lines;
}

/** The terminal summary: the headline, one line per handler (with its reasons), then the files that are not handlers. */
export function formatSummary(plan: Plan, options: SummaryOptions = {}): string {
  const handlers = plan.files.filter((f) => f.status !== 'not-handler');
  const others = plan.files.filter((f) => f.status === 'not-handler');
  const lines = [chalk.bold(headline(summarize(plan)))];
  for (const file of handlers) lines.push(...fileLines(file, options));
  const modules = plan.updates.filter((u) => !isProjectSetting(u));
  if (modules.length > 0) {
    lines.push('', 'Helper modules that get a route-handler twin beside the original (which stays for Pages code):');
    // A module without twins only has its imports of moved exports changed (src/moved-exports.ts).
    for (const update of modules) lines.push(`  ${update.path}  ${[update.twins.length ? `+ ${update.twins.join(', ')}` : '', update.imports ? `imports from ${update.imports.join(', ')}` : ''].filter(Boolean).join('; ')}`);
  }
  const settings = plan.updates.filter(isProjectSetting);
  if (settings.length > 0) {
    lines.push('', 'Project settings:');
    for (const update of settings) lines.push(`  ${update.path}  ${update.note}`);
  }
  if (plan.warnings?.length) {
    lines.push('', 'Heads-up (the run cannot keep this):');
    for (const warning of plan.warnings) lines.push(`  ${warning.path}  ${warning.text}`);
  }
  if (others.length > 0) {
    lines.push('', `${plural(others.length, 'file')} in pages/api ${others.length === 1 ? 'is' : 'are'} not a handler:`);
    for (const file of others) {
      // Why, when there is more to say than "no default export": an empty file, a test, a declaration.
      const why = file.diagnostics.find((d) => d.detail)?.detail;
      lines.push(`  ${file.source}  ${statusText('not-handler')}${why ? chalk.dim(` (${why})`) : ''}`);
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

export interface JsonMarker {
  /** 1-based line in the route file (`target`), as written. */
  line: number;
  code?: string;
  text: string;
}

export interface JsonReport {
  version: 1;
  nextVersion: string;
  /** The --only patterns, when the run had any: the report then covers only the files they select. */
  only?: string[];
  summary: Summary;
  files: {
    source: string;
    target: string;
    status: FileStatus;
    methods: string[];
    reasons: JsonReason[];
    markers: JsonMarker[];
    notes: string[];
    /** The module the file's other exports move to, and their names. */
    moved?: { module: string; exports: string[] };
  }[];
  /** Modules outside pages/api that get route-handler twins, or now import moved exports from their new module. */
  updates: { path: string; twins: string[]; imports?: string[]; note?: string }[];
  /** What changes for the app beyond its routes and that the run cannot keep: the app's 404 page on Next.js 16. */
  warnings?: { path: string; text: string }[];
}

// Keys are only ever added to schema version 1; a key that changed meaning or went away would make it version 2.
export function toJsonReport(plan: Plan, meta: { only?: string[] } = {}): JsonReport {
  return {
    version: 1,
    nextVersion: plan.nextVersion,
    ...(meta.only ? { only: meta.only } : {}),
    summary: summarize(plan),
    files: plan.files.map((f) => ({
      source: f.source,
      target: f.target,
      status: f.status,
      methods: f.methods,
      reasons: f.diagnostics.map((d) => ({ code: d.reason, short: REASONS[d.reason].short, line: d.line, detail: d.detail })),
      markers: findMarkers(f.output).map(({ line, code, text }) => ({ line, ...(code ? { code } : {}), text })),
      notes: f.notes,
      ...(f.exportsModule && isWritable(f) ? { moved: { module: f.exportsModule.path, exports: f.exportsModule.exports } } : {}),
    })),
    updates: plan.updates.map((u) => ({ path: u.path, twins: u.twins, ...(u.imports ? { imports: u.imports } : {}), ...(u.note ? { note: u.note } : {}) })),
    ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
  };
}
