/**
 * Plans one source file: read it, transform it, check what the transform said. Synchronous, and all it needs comes
 * in as data, so it gives the same answer on the main thread and in a worker thread (plan-pool.ts). One file's
 * failure (unreadable, transform error) is recorded on that file, never thrown.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import type { TransformContext, TransformResult } from '../transforms/types.js';
import { isWritable, unplannedFile, type PlannedFile } from './plan-types.js';

/** What every file of one run shares; plain data, so that it can be sent to a worker. */
export interface FileSettings {
  /** Absolute path of the app root. */
  root: string;
  typescript: boolean;
  nextVersion: string;
}

export type Transform = (source: string, context: TransformContext) => TransformResult;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * True when the text cannot hold a handler, so the parse can be skipped: a default export needs the word `default`
 * (`export default`, `as default`), CommonJS needs `exports`. The transform would parse the file only to call it
 * not a handler. Files naming `config` are parsed anyway, because an unreadable config is reported before the
 * handler is looked for; so are files with `\u` escapes, which can spell `default` in an export name.
 */
export function cannotBeHandler(text: string): boolean {
  return !/\bdefault\b|\bexports\b|\bconfig\b|\\u/.test(text);
}

/** The transform's answer for a file without a default export, given without parsing it. */
export function notAHandler(): TransformResult {
  return { status: 'not-handler', diagnostics: [{ reason: 'NO_DEFAULT_EXPORT', line: undefined, detail: undefined }], notes: [], usesCompat: false, methods: [] };
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
  };
  if (isWritable(planned) && typeof planned.output !== 'string') {
    return { ...file, status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the transform returned status '${result.status}' without an output` }] };
  }
  if (!isWritable(planned)) planned.output = undefined;
  return planned;
}

/** Plans `source` (posix, relative to the root). A custom `transform` is for tests; the prefilter applies only to the real one. */
export function planSourceFile(settings: FileSettings, source: string, transform?: Transform): PlannedFile {
  const file = unplannedFile(source, settings.typescript);
  try {
    // Synchronous: for small files one readFileSync costs a fraction of the four thread-pool round trips of readFile.
    file.input = readFileSync(path.join(settings.root, source), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...file, diagnostics: [{ reason: 'UNREADABLE', detail: code ?? errorText(error) }] };
  }
  if (!transform && cannotBeHandler(file.input)) return fromResult(file, notAHandler());
  const context: TransformContext = { sourcePath: source, targetPath: file.target, compatPath: file.compatPath, nextVersion: settings.nextVersion };
  try {
    return fromResult(file, (transform ?? transformSource)(file.input, context));
  } catch (error) {
    return { ...file, diagnostics: [{ reason: 'INTERNAL_ERROR', detail: errorText(error) }], stack: error instanceof Error ? error.stack : undefined };
  }
}
