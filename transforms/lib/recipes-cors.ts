/**
 * The `cors` package run in a Pages handler through a runMiddleware promise (transforms/lib/run-middleware.ts):
 * `await runMiddleware(req, res, cors)` becomes a run of the same middleware on the Request, which the response
 * rewrite turns into
 *
 *   const corsAnswer = await runConnectMiddleware(request, cors, headers)
 *   if (corsAnswer) return corsAnswer
 *
 * `runConnectMiddleware` (compat module) hands cors a request with the method, URL and headers, and a response that
 * writes into the route's `headers`: the headers cors sets go out with whatever the handler answers later, in the
 * order Pages applied them (a later res.setHeader wins, an earlier Vary is extended). When cors answers itself (an
 * OPTIONS preflight: 204, or optionsSuccessStatus), that answer is returned; Pages' handler never went past the
 * await then, since runMiddleware's promise never settled. So the route exports OPTIONS too.
 * Only cors is followed: other middleware (body parsers, multer, helmet, …) read the body or write more than headers.
 */
import { isIdent, unwrap, walk, countIdentifiers, type Node, type Snippets } from './ast.js';
import { awaitedRunCall, corsFactories, corsInstanceProblem, moduleMiddleware, unusedRunner, type MiddlewareKind } from './run-middleware.js';
import { removeUnusedImports, valueImports } from './imports.js';
import type { ImportedHelper, MiddlewareImport } from '../types.js';

/**
 * The rewritten run is a real call with `res` still in it, marked as a run: `await runConnectMiddleware(request, cors,
 * res)`, or `await corsTwin(request, res)` for a project helper's twin, which runs the middleware itself. The response
 * rewrite (response.ts) passes the route's headers in res's place and returns the middleware's own answer. The mark is
 * a property of the call node, so it stays on the copies that the split by method makes.
 */
const MIDDLEWARE_RUN = 'migrateMiddlewareRun';
/** The base of the answer's name (`corsAnswer`) where the call's second argument does not give it. */
const MIDDLEWARE_ANSWER = 'migrateMiddlewareAnswer';

/**
 * How a marked run reaches the middleware: a function of the compat module (runConnectMiddleware, runCorsWrapper,
 * runNextCors) or a helper's twin; else null.
 */
export function middlewareRunKind(call: Node): 'compat' | 'twin' | null {
  return call?.[MIDDLEWARE_RUN] ?? null;
}

/** The name the marked run's answer is given (`cors` → `corsAnswer`), when the run set one. */
export function middlewareAnswerBase(call: Node): string | undefined {
  return call?.[MIDDLEWARE_ANSWER];
}

export function markedRun(snip: Snippets, call: string, kind: 'compat' | 'twin', answer?: string): Node {
  const awaited = snip.expression(`await ${call}`);
  awaited.argument[MIDDLEWARE_RUN] = kind;
  if (answer) awaited.argument[MIDDLEWARE_ANSWER] = answer;
  return awaited;
}

export interface MiddlewareRecipe {
  /** Methods the route exports because the middleware answers them itself (cors: OPTIONS). */
  methods: string[];
  /** Runners called before the rewrite: same-file declarations and imports to drop once nothing calls them. */
  runners: Set<string>;
  /** Set when a run was found that cannot be followed: the file is left with this detail. */
  problem?: { line?: number; detail: string };
  /** The project helpers that run cors whose twins the route now calls (`await cors(req, res)`). */
  helpersUsed: ImportedHelper[];
}

/** The recognised runners and cors middlewares by local name: this file's own, and those the plan confirmed. */
function middlewareNames(program: Node, imports: MiddlewareImport[]): { names: Map<string, MiddlewareKind>; problems: Map<string, string> } {
  const own = moduleMiddleware(program);
  const names = new Map(own.names);
  for (const specifier of new Set(imports.map((m) => m.specifier))) {
    for (const { local, imported } of valueImports(program, specifier)) {
      const found = imports.find((m) => m.specifier === specifier && m.imported === imported);
      // A body reader is the request rewrite's (request.ts), not a middleware.
      if (found && found.kind !== 'body-reader') names.set(local, found.kind);
    }
  }
  return { names, problems: own.problems };
}

/**
 * Module-scope `const cors = initMiddleware(Cors(options))`, `initMiddleware` being the curried runner (of this file
 * or a project module): by name, the declarator and the middleware it runs, or why that one is not followed.
 */
function initMiddlewareRuns(snip: Snippets, program: Node, names: Map<string, MiddlewareKind>): Map<string, { declarator: Node; runner: string; middleware: Node } | { problem: string }> {
  const out = new Map<string, { declarator: Node; runner: string; middleware: Node } | { problem: string }>();
  if (![...names.values()].includes('init-middleware')) return out;
  const factories = corsFactories(program);
  for (const top of program.body) {
    const stmt = top.type === 'ExportNamedDeclaration' ? top.declaration : top;
    if (stmt?.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    for (const declarator of stmt.declarations) {
      const call = declarator.init && unwrap(declarator.init);
      if (!isIdent(declarator.id) || call?.type !== 'CallExpression' || !isIdent(call.callee) || names.get(call.callee.name) !== 'init-middleware' || call.arguments.length !== 1) continue;
      const middleware = unwrap(call.arguments[0]);
      const problem = corsInstanceProblem(middleware, factories);
      if (problem === '') out.set(declarator.id.name, { declarator, runner: call.callee.name, middleware });
      else out.set(declarator.id.name, { problem: problem ?? `${declarator.id.name} runs ${snip.src(middleware)} through ${call.callee.name}(), and only the cors package's middleware runs on a Request (body parsers, validators, uploads and others need the Node request)` });
    }
  }
  return out;
}

export function rewriteMiddlewareRuns(
  snip: Snippets,
  program: Node,
  roots: Node[],
  names: { req: string; res: string; request: string },
  imports: MiddlewareImport[] = [],
  helpers: Map<string, ImportedHelper> = new Map(),
): MiddlewareRecipe {
  const result: MiddlewareRecipe = { methods: [], runners: new Set(), helpersUsed: [] };
  if (!roots.some((root) => countIdentifiers(root, names.res) > 0)) return result;
  const known = middlewareNames(program, imports);
  const runs: Node[] = [];
  // `await cors(req, res)` on `const cors = initMiddleware(Cors(options))`.
  const curried = initMiddlewareRuns(snip, program, known.names);
  const curriedRuns: Array<{ stmt: Node; name: string }> = [];
  // `await cors(req, res)`, a project helper that only runs cors: its twin runs it on the request.
  const helperRuns: Array<{ stmt: Node; helper: ImportedHelper }> = [];
  for (const root of roots) {
    // Runs inside nested functions are not the handler's own sequence: left to the response rewrite (RES_ESCAPES).
    walk(root, (node) => {
      if (node.type !== 'ExpressionStatement' || result.problem) return;
      const awaited = unwrap(node.expression);
      const helperCall = awaited?.type === 'AwaitExpression' ? unwrap(awaited.argument) : null;
      const helper = helperCall?.type === 'CallExpression' && isIdent(helperCall.callee) ? helpers.get(helperCall.callee.name) : undefined;
      const passesReqRes = helperCall?.type === 'CallExpression' && helperCall.arguments.length === 2 && isIdent(unwrap(helperCall.arguments[0]), names.req) && isIdent(unwrap(helperCall.arguments[1]), names.res);
      if (helper && passesReqRes) {
        helperRuns.push({ stmt: node, helper });
        return;
      }
      const run = passesReqRes && isIdent(helperCall.callee) ? curried.get(helperCall.callee.name) : undefined;
      if (run && 'problem' in run) {
        result.problem = { line: node.loc?.start.line, detail: run.problem };
        return;
      }
      if (run) {
        curriedRuns.push({ stmt: node, name: helperCall.callee.name });
        return;
      }
      const call = awaitedRunCall(node, names.req, names.res);
      if (!call) return;
      const middleware = unwrap(call.arguments[2]);
      const runner = known.names.get(call.callee.name) === 'run-middleware';
      const cors = isIdent(middleware) && known.names.get(middleware.name) === 'cors';
      const line = node.loc?.start.line;
      if (runner && cors) {
        runs.push(node);
        result.runners.add(call.callee.name);
        return;
      }
      const corsProblem = isIdent(middleware) ? known.problems.get(middleware.name) : undefined;
      if (runner || corsProblem) {
        result.problem = { line, detail: corsProblem ?? `${snip.src(call.arguments[2])} is not the cors package's middleware created at module scope (only header-only middleware runs on a Request: body parsers, uploads and others need the Node request)` };
      } else if (cors || /middleware/i.test(call.callee.name)) {
        result.problem = { line, detail: `${call.callee.name}(req, res, …) is not a runMiddleware the tool recognises (a function of this file, or a project module's, that wraps fn(req, res, callback) in a Promise, rejecting on an Error)` };
      }
    }, true);
  }
  if (result.problem) return result;
  // The name then holds the cors middleware itself: only such runs may use it (and its declaration).
  for (const name of new Set(curriedRuns.map((r) => r.name))) {
    const uses = countIdentifiers(program, name) - 1;
    if (uses !== curriedRuns.filter((r) => r.name === name).length) {
      result.problem = { line: curriedRuns.find((r) => r.name === name)!.stmt.loc?.start.line, detail: `${name} is used other than in await ${name}(req, res)` };
      return result;
    }
  }
  for (const { stmt, name } of curriedRuns) {
    const run = curried.get(name) as { declarator: Node; runner: string; middleware: Node };
    run.declarator.init = run.middleware;
    result.runners.add(run.runner);
    stmt.expression = markedRun(snip, `runConnectMiddleware(${names.request}, ${name}, ${names.res})`, 'compat');
  }
  for (const stmt of runs) {
    const middleware = unwrap(unwrap(stmt.expression).argument).arguments[2];
    stmt.expression = markedRun(snip, `runConnectMiddleware(${names.request}, ${snip.src(middleware)}, ${names.res})`, 'compat');
  }
  // The helper's twin takes (request, headers) and runs the middleware itself.
  for (const { stmt, helper } of helperRuns) {
    stmt.expression = markedRun(snip, `${helper.twin}(${names.request}, ${names.res})`, 'twin');
    if (!result.helpersUsed.includes(helper)) result.helpersUsed.push(helper);
  }
  if (runs.length || helperRuns.length || curriedRuns.length) result.methods.push('OPTIONS');
  return result;
}

/**
 * Runners nothing calls any more: a declaration of this file goes (unless exported), and so does an imported
 * runner's specifier. Returns the notes.
 */
export function dropUnusedRunners(snip: Snippets, program: Node, runners: Set<string>): string[] {
  // Every route comes here: most ran no middleware, and reading the module's middleware would be wasted.
  if (!runners.size) return [];
  const notes: string[] = [];
  const sources = new Set<string>();
  for (const name of runners) {
    const declaration = unusedRunner(program, name);
    if (declaration) {
      // Its comments go with it: they describe the runner ("wait for a middleware to execute…"), not what follows.
      program.body.splice(program.body.indexOf(declaration), 1);
      const comments = (declaration.comments ?? []).some((c: Node) => c.leading) ? ' (with its comments)' : '';
      notes.push(`${name}(), which ran the middleware on req/res, is no longer used and was removed${comments}`);
    }
    for (const stmt of program.body) {
      if (stmt.type === 'ImportDeclaration' && stmt.specifiers?.some((s: Node) => s.local.name === name)) sources.add(stmt.source.value);
    }
  }
  if (sources.size) removeUnusedImports(snip, program, (source) => sources.has(source));
  return notes;
}
