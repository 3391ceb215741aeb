/**
 * pages/api files that serve another pages/api file's handler under a second URL (a legacy path kept for old
 * clients): `export { default } from '../stripe-webhook'`, `import handler from './submit'; export default handler`,
 * or a shell that returns `handler(req, res)` (src/handler-modules.ts finds them). The transform leaves them, since
 * their handler is another route's; once every route is planned, the file whose handler is served is known, and the
 * alias's route re-exports that route's methods and repeats its segment config.
 *
 * The two go together: the alias's route imports the other route, and while the alias stays in place it imports the
 * other source. So the alias migrates only with the file it serves, and a file whose alias stays is left with it
 * (settleServedPages, run again after each pass that can leave a route). The handler must also meet the request as
 * it did: the alias's URL has the same dynamic segments, and its config (body parsing, limits) is the other file's.
 * Reads nothing from the disk; the transform it calls is pure.
 */
import type { TransformContext } from '../transforms/types.js';
import type { AliasOf } from './handler-modules.js';
import { isWritable, markLeft, type PlannedFile } from './plan-types.js';
import type { PathAliases } from './resolver.js';
import { moduleSpecifier } from './specifiers.js';
import { routeParamsOf } from '../transforms/lib/route-params.js';

/** A config statement reduced to what it says: no comments, spaces, trailing commas or quote style. */
function configKey(statement: string | null): string {
  if (statement === null) return '';
  return statement
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '')
    .replace(/["'`]/g, "'")
    .replace(/\s+/g, '')
    .replace(/,([}\]])/g, '$1')
    .replace(/;$/, '');
}

type Outcome = { served: PlannedFile } | { why: string };

/** Why an alias stays when the file whose handler it serves does. */
function servedStays(served: PlannedFile): string {
  return `its handler is the one of ${served.source}, which stays in place (${served.diagnostics[0]?.reason ?? served.status})`;
}

/**
 * Gives each alias in `files` the route that re-exports the route of the file it serves, or says why it stays. `ctx`
 * gives the transform context of a planned file.
 */
export async function planServedPages(files: PlannedFile[], servedPages: Map<string, AliasOf>, aliases: PathAliases, ctx: (file: PlannedFile) => TransformContext): Promise<void> {
  if (!servedPages.size) return;
  const { servingRoute, segmentExportsOf } = await import('../transforms/reexport-route.js');
  const bySource = new Map(files.map((f) => [f.source, f]));
  const done = new Map<string, Outcome>();

  const plan = (file: PlannedFile, alias: AliasOf, seen: string[]): Outcome => {
    const known = done.get(file.source);
    if (known) return known;
    const served = bySource.get(alias.served);
    let outcome: Outcome;
    if (!served) outcome = { why: `its handler is the one of ${alias.served}, which this run does not migrate (not selected)` };
    else if (seen.includes(served.source)) outcome = { why: `the pages/api files serve each other's handler: ${[...seen, served.source].join(' → ')}` };
    else {
      const next = servedPages.get(served.source);
      const before = next && served.status === 'left' ? plan(served, next, [...seen, served.source]) : null;
      if (before && 'why' in before) outcome = { why: `its handler is the one of ${served.source}, which stays in place: ${before.why}` };
      else if (!isWritable(served)) outcome = { why: servedStays(served) };
      else if (JSON.stringify(routeParamsOf(file.target)) !== JSON.stringify(routeParamsOf(served.target)))
        outcome = { why: `it serves the handler of ${served.source} under other dynamic segments, which that route reads as its own` };
      else if (alias.config !== 'module' && configKey(alias.config) !== configKey(alias.servedConfig))
        outcome = { why: `its config differs from the one of ${served.source}, which that route follows (the body parsing and limits would change)` };
      else outcome = { served };
    }
    done.set(file.source, outcome);
    if ('why' in outcome) {
      file.diagnostics = [{ reason: 'HANDLER_MODULE_UNRESOLVED', detail: outcome.why }];
      return outcome;
    }
    const result = servingRoute(file.input as string, ctx(file), {
      specifier: moduleSpecifier(aliases, file.source, outcome.served.target, false),
      methods: outcome.served.methods,
      head: segmentExportsOf(outcome.served.output as string, outcome.served.target),
      note: `its route re-exports ${outcome.served.target}: it served the handler of ${outcome.served.source} under a second URL`,
    });
    if (!result || !result.output) {
      const why = `the tool could not write its route as a re-export of ${outcome.served.target}`;
      file.diagnostics = [{ reason: 'HANDLER_MODULE_UNRESOLVED', detail: why }];
      done.set(file.source, { why });
      return { why };
    }
    Object.assign(file, { status: result.status, output: result.output, diagnostics: result.diagnostics, notes: result.notes, methods: result.methods, usesCompat: false });
    return outcome;
  };

  for (const file of files) {
    const alias = servedPages.get(file.source);
    // Only a file the transform left for this reason alone (not unreadable, not a conflict).
    if (alias && file.status === 'left' && file.input !== undefined && file.diagnostics.length === 1 && file.diagnostics[0].reason === 'HANDLER_MODULE_UNRESOLVED') plan(file, alias, [file.source]);
  }
}

/**
 * An alias and the file it serves are written together or not at all: an alias left in place still imports the other
 * source, and an alias's route imports the other route.
 */
export function settleServedPages(files: PlannedFile[], servedPages: Map<string, AliasOf>): void {
  const bySource = new Map(files.map((f) => [f.source, f]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [source, alias] of servedPages) {
      const file = bySource.get(source);
      const served = bySource.get(alias.served);
      if (!file || !served || isWritable(file) === isWritable(served)) continue;
      if (isWritable(file)) markLeft(file, { reason: 'HANDLER_MODULE_UNRESOLVED', detail: servedStays(served) });
      // The alias stays, importing the other source: as src/imported-sources.ts says of any importer of a handler.
      else markLeft(served, { reason: 'SOURCE_IMPORTED', detail: `${source} imports its default export (the handler)` });
      grew = true;
    }
  }
}
