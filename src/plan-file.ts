/**
 * Plans one source file whose text is read: transform it, check what the transform said. Synchronous, and all it
 * needs comes in as data (a PlanJob), so it gives the same answer on the main thread and in a worker thread
 * (plan-pool.ts). A transform error is recorded on the file, never thrown.
 */
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import type { TransformContext, TransformResult } from '../transforms/types.js';
import { parseProblem } from './output-check.js';
import { isWritable, type PlannedFile } from './plan-types.js';
import { isBlank } from './read-source.js';
import { errorLine } from './errors.js';

export type Transform = (source: string, context: TransformContext) => TransformResult;

/**
 * One file to plan: the file as read (its `input` is the text), and everything the transform needs to know about
 * it. The context carries the results of the cross-file passes for this file (importedHelpers, …): a pass added to
 * the plan adds a field to TransformContext, and it reaches the workers with the rest. Plain data only: jobs are
 * sent to worker threads by structured clone.
 */
export interface PlanJob {
  file: PlannedFile;
  context: TransformContext;
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
    helpersUsed: result.helpersUsed ?? [],
    exportsModule: result.exportsModule,
  };
  if (isWritable(planned) && typeof planned.output !== 'string') {
    return { ...file, status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the transform returned status '${result.status}' without an output` }] };
  }
  const problem = isWritable(planned) ? parseProblem(planned.target, planned.output as string) : undefined;
  if (problem) {
    // The transform's parser forgives some errors (a name declared twice) that Babel's scope checks and next build
    // do not: then the source itself is at fault.
    const inSource = parseProblem(file.source, file.input ?? '');
    if (inSource) return { ...file, status: 'left', diagnostics: [{ reason: 'PARSE_ERROR', detail: inSource }] };
    return { ...file, status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the route it produced does not parse (${problem})` }] };
  }
  if (!isWritable(planned)) planned.output = undefined;
  return planned;
}

/** Plans one job. A custom `transform` is for tests; the real one by default. */
export function planJob({ file, context }: PlanJob, transform: Transform = transformSource): PlannedFile {
  if (file.input === undefined) return file;
  if (isBlank(file.input)) return { ...file, status: 'not-handler', diagnostics: [{ reason: 'NO_DEFAULT_EXPORT', detail: 'the file is empty' }] };
  try {
    return fromResult(file, transform(file.input, context));
  } catch (error) {
    return { ...file, diagnostics: [{ reason: 'INTERNAL_ERROR', detail: errorLine(error) }], stack: error instanceof Error ? error.stack : undefined };
  }
}
