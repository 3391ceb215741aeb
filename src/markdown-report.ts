/**
 * `--report x.md`: the run as Markdown to paste into a pull request description. A summary line, a table of the
 * files, then what a reviewer has to look at, each reason linked to its README section.
 */
import { REASONS, docsLink, type Diagnostic } from './diagnostics.js';
import { isProjectSetting, type FileStatus, type Plan, type PlannedFile } from './plan-types.js';
import { summarize } from './report.js';

export interface MarkdownMeta {
  dry: boolean;
  toolVersion: string;
  only?: string[];
}

/** A code span that survives backticks in the text (GFM: a longer fence, padded with spaces). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Plain text in a table cell or list item: Markdown syntax shown as itself, and `|` not ending the cell. */
function text(value: string): string {
  return value.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** Inside a table, `|` ends the cell even in a code span: GFM wants it escaped there too. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const STATUS: Record<FileStatus, string> = {
  migrated: '✅ migrated',
  review: '⚠️ needs review',
  left: '❌ left in place',
  conflict: '❌ conflict, left in place',
  'not-handler': 'not a handler',
};

function reasonItem(where: string, d: Diagnostic): string {
  const line = d.line === undefined ? '' : ` line ${d.line}`;
  const detail = d.detail ? ` (${code(d.detail)})` : '';
  return `- ${code(where)}${line}: [${code(d.reason)}](${docsLink(d.reason)}) ${text(REASONS[d.reason].short)}${detail}`;
}

function tableRow(f: PlannedFile): string {
  const written = f.status === 'migrated' || f.status === 'review';
  const methods = f.methods.map(code).join(', ');
  return `| ${cell(code(f.source))} | ${written ? cell(code(f.target)) : '—'} | ${STATUS[f.status]} | ${methods} |`;
}

export function toMarkdownReport(plan: Plan, meta: MarkdownMeta): string {
  const s = summarize(plan);
  const handlers = plan.files.filter((f) => f.status !== 'not-handler');
  const review = plan.files.filter((f) => f.status === 'review');
  const left = plan.files.filter((f) => f.status === 'left' || f.status === 'conflict');
  const noted = plan.files.filter((f) => f.notes.length > 0);
  const others = plan.files.filter((f) => f.status === 'not-handler');

  const out = ['## Migrate `pages/api` to App Router route handlers', ''];
  const leftInPlace = s.left + s.conflicts;
  out.push(
    `**Migrated ${s.migrated + s.review} of ${plural(s.handlers, 'handler')}**: ${s.migrated} clean, ${s.review} need review ` +
      `(${plural(s.markers, '`TODO(migrate)` marker')}), ${leftInPlace} left in place.` +
      (meta.dry ? ' *Dry run: nothing written yet.*' : ''),
  );
  if (meta.only) out.push('', `Only the files selected by ${meta.only.map(code).join(', ')}.`);
  if (handlers.length > 0) {
    out.push('', '| Source | Route | Status | Methods |', '|---|---|---|---|', ...handlers.map(tableRow));
  }
  if (review.length > 0) {
    out.push('', '### To review', '', 'Each spot carries a `TODO(migrate)` comment in the route.', '');
    for (const f of review) out.push(...f.diagnostics.map((d) => reasonItem(f.target, d)));
  }
  if (left.length > 0) {
    out.push('', '### Left in place', '', 'These stay in `pages/api`, untouched; each link says what to do by hand.', '');
    for (const f of left) out.push(...f.diagnostics.map((d) => reasonItem(f.source, d)));
  }
  const modules = plan.updates.filter((u) => !isProjectSetting(u));
  if (modules.length > 0) {
    out.push('', '### Helper modules', '', 'Each gets a route-handler twin beside the original, which stays for the Pages code that still uses it.', '');
    for (const u of modules) out.push(`- ${code(u.path)}: ${[u.twins.map(code).join(', '), u.imports ? `imports from ${u.imports.map(code).join(', ')}` : ''].filter(Boolean).join('; ')}`);
  }
  const settings = plan.updates.filter(isProjectSetting);
  if (settings.length > 0) {
    out.push('', '### Project settings', '');
    for (const u of settings) out.push(`- ${code(u.path)}: ${u.note}`);
  }
  if (plan.warnings?.length) {
    out.push('', '### Heads-up', '', 'What changes for the app beyond its routes, which the run cannot keep.', '');
    for (const w of plan.warnings) out.push(`- ${code(w.path)}: ${w.text}`);
  }
  if (noted.length > 0) {
    out.push('', '### Notes', '');
    for (const f of noted) out.push(...f.notes.map((note) => `- ${code(f.target)}: ${text(note)}`));
  }
  if (others.length > 0) {
    out.push('', `### Not handlers`, '');
    out.push(
      `${others.map((f) => code(f.source)).join(', ')} ${others.length === 1 ? 'has' : 'have'} no default export ` +
        `([${code('NO_DEFAULT_EXPORT')}](${docsLink('NO_DEFAULT_EXPORT')})): move ${others.length === 1 ? 'it' : 'them'} out of \`pages/api\`, for example to \`lib/\`.`,
    );
  }
  out.push('', `<sub>next-pages-api-migrate ${text(meta.toolVersion)}, Next.js ${text(plan.nextVersion)}. \`npx migrate check\` lists what is left.</sub>`);
  return `${out.join('\n')}\n`;
}
