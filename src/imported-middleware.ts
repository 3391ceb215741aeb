/**
 * Analysis across files for the cors recipe (transforms/lib/recipes-cors.ts): handlers that run
 * `await runMiddleware(req, res, cors)` with the runner, the middleware or both imported from a project module
 * (`import { cors, runMiddleware } from '@/server/cors'`), or make `const cors = initMiddleware(Cors(…))` with the
 * curried runner imported (`import initMiddleware from '@/lib/init-middleware'`), and whole-body readers of a project
 * module (`await readRawBody(req)`, transforms/lib/body-readers.ts). Each such module is read once and checked by the pure
 * middlewareExports; the file's context then lists the imports confirmed. Reads the disk, never writes it.
 */
import type { MiddlewareImport } from '../transforms/types.js';
import { importBindings } from './imported-helpers.js';
import type { Resolver } from './resolver.js';

/** `name(a, b, c)`: the names called with three plain arguments, and the third arguments (the middleware). */
const RUN_CALL = /\b([\w$]+)\s*\(\s*[\w$]+\s*,\s*[\w$]+\s*,\s*([\w$]+)\s*\)/g;
/** `const cors = initMiddleware(…)`: the curried runner's name. */
const CURRIED_RUNNER = /\bconst\s+[\w$]+\s*=\s*([\w$]+)\s*\(/g;
/** `await readRawBody(req)`: a name awaited on one argument, maybe a whole-body reader (transforms/lib/body-readers.ts). */
const AWAITED_READ = /\bawait\s+([\w$]+)\s*\(\s*[\w$]+\s*(?:as\s+[\w$]+\s*)?\)/g;

/** The pure check, loaded only when some module is to be looked at: it brings the parser along. */
async function loadMiddlewareExports() {
  return (await import('../transforms/lib/run-middleware.js')).middlewareExports;
}

/** Per source: the imports that name a recognised runMiddleware or cors middleware of a project module. */
export async function findImportedMiddleware(sources: Array<{ source: string; text: string }>, resolver: Resolver): Promise<Map<string, MiddlewareImport[]>> {
  const out = new Map<string, MiddlewareImport[]>();
  const wanted: Array<{ source: string; specifier: string; imported: string; module: string }> = [];
  for (const { source, text } of sources) {
    const used = new Set<string>();
    for (const [, callee, middleware] of text.matchAll(RUN_CALL)) used.add(callee).add(middleware);
    for (const [, runner] of text.matchAll(CURRIED_RUNNER)) used.add(runner);
    for (const [, reader] of text.matchAll(AWAITED_READ)) used.add(reader);
    if (!used.size) continue;
    for (const { specifier, imported, local } of importBindings(text)) {
      const module = used.has(local) ? resolver.resolve(source, specifier) : null;
      if (module) wanted.push({ source, specifier, imported, module });
    }
  }
  if (!wanted.length) return out;
  const middlewareExports = await loadMiddlewareExports();
  const found = new Map<string, Array<{ imported: string; kind: MiddlewareImport['kind']; text?: string[] }>>();
  for (const module of new Set(wanted.map((w) => w.module))) {
    const text = resolver.text(module);
    if (text === null) continue;
    found.set(module, middlewareExports(text, module, [...new Set(wanted.filter((w) => w.module === module).map((w) => w.imported))]));
  }
  for (const w of wanted) {
    const match = found.get(w.module)?.find((f) => f.imported === w.imported);
    if (!match) continue;
    if (!out.has(w.source)) out.set(w.source, []);
    out.get(w.source)!.push({ specifier: w.specifier, imported: w.imported, kind: match.kind, ...(match.text ? { text: match.text } : {}) });
  }
  return out;
}
