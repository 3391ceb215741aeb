/** `--report <file>` (repeatable): the file's extension picks the format, so one run can write both. */
import { writeReportFile } from './apply.js';
import { toMarkdownReport, type MarkdownMeta } from './markdown-report.js';
import type { Plan } from './plan-types.js';
import { toJsonReport } from './report.js';

export type ReportFormat = 'json' | 'markdown';

/** `.md` and `.markdown` are Markdown; anything else is JSON, as it was before Markdown reports existed. */
export function reportFormat(file: string): ReportFormat {
  return /\.(md|markdown)$/i.test(file) ? 'markdown' : 'json';
}

export function reportText(file: string, plan: Plan, meta: MarkdownMeta): string {
  if (reportFormat(file) === 'markdown') return toMarkdownReport(plan, meta);
  return `${JSON.stringify(toJsonReport(plan, { only: meta.only }), null, 2)}\n`;
}

export async function writeReports(files: string[], plan: Plan, meta: MarkdownMeta): Promise<void> {
  for (const file of files) await writeReportFile(file, reportText(file, plan, meta));
}
