/**
 * A module outside pages/api whose exported helpers take `res` (`export function errorhandler(err, res) {…}`),
 * imported by handlers. For each helper that answers on every path, a route-handler twin is written right after it
 * (`errorhandlerResponse(err)`, returning the Response instead of sending it). The original stays as it was, for
 * any Pages code that still imports it. Pure: module text in, module text and twin descriptions out.
 */
import { apiFor, cloneNode, isIdent, isTypeScriptPath, namesIn, freshName, unwrap, Snippets, END, type Node } from './lib/ast.js';
import { isResponseParam, toHeaderFunction, toResponseFunction } from './lib/res-helpers.js';
import { answersAtOnce } from './lib/after-answer.js';
import type { ResponseHelper } from './lib/response.js';
import type { ImportedHelper } from './types.js';
import { toCurriedRouteWrapper, toRouteWrapper } from './lib/route-wrapper.js';
import { declareRequestExtras } from './lib/request-extras.js';
import { explainDeclinedWrapper, type WrapperLookup } from './lib/wrapper-why.js';
import { isRequestParam, requestHelperWhy, toRequestFunction, type NestedRequestHelper } from './lib/request-helper.js';
import { mayCarry } from './lib/request-carrier.js';
import { asDispatcherFactory } from './lib/called-dispatcher.js';
import { toMiddlewareHelper } from './lib/middleware-helper.js';
import { toGuardFunction } from './lib/guard-helpers.js';
import { checkedCallees, type SiblingGuard } from './lib/sibling-guards.js';
import { factoryHeaderMethods, type HeaderMethod } from './lib/factory-header-methods.js';
import { addImport, addToImport, compatSpecifier } from './lib/imports.js';
import { printProgram } from './lib/print.js';
import { parseSourceOrNull } from './lib/source-text.js';
import { versionAtLeast } from './lib/version.js';
import { mayHoldTwins, priorOriginals, priorTwins, sameTwin } from './lib/prior-twins.js';
import { declaredName, declaredNames } from './lib/free-names.js';
import { compatNamesFree } from './lib/recipes.js';
import { toSessionHelper } from './lib/session-helper.js';
import { dualRequestHelper } from './lib/dual-request-helper.js';

export interface HelperModuleContext {
  /** Posix path of the module relative to the app root. */
  modulePath: string;
  /** Posix path of the compat module relative to the app root. */
  compatPath: string;
  nextVersion: string;
  /**
   * Request helpers of other project modules that this module imports, with their twins (src/imported-helpers.ts):
   * a twin here that passes its req to one (`verifyToken({ req })` inside a guard) calls that twin instead, imported
   * beside the original.
   */
  importedRequestHelpers?: ImportedRequestHelper[];
}

/** A request helper of another module, by the local name this module imports it under. */
export interface ImportedRequestHelper {
  local: string;
  specifier: string;
  twin: string;
  reqIndex: number;
  carried?: boolean;
  /** A Supabase session helper with no twin (NestedRequestHelper): where it takes res. */
  shimRes?: number;
  /** A helper written for both routers, called as it is (NestedRequestHelper). */
  asIs?: boolean;
  /** With shimRes: the request stand-in must carry the route's query; the helper sets cookies on req (stand-in-helper.ts). */
  query?: boolean;
  writesCookies?: boolean;
}

/**
 * A twin made here, as a route that imports its original is told of it (ImportedHelper, transforms/types.ts), but
 * named by the export (`name`) instead of by the route's import of it.
 */
export interface HelperTwin extends Omit<ImportedHelper, 'specifier' | 'imported'> {
  /** The export handlers import (`default` for a default export). */
  name: string;
  /** A factory's own name in its module (`rateLimit`, also when it is the default export). */
  ownName?: string;
}

/** The names a module update lists for a twin: a factory's twin methods as `rateLimit().checkHeaders`. */
export function twinNames(twin: HelperTwin): string[] {
  return twin.headerMethods ? twin.headerMethods.map((m) => `${twin.ownName ?? twin.name}().${m.twin}`) : [twin.twin];
}

export interface HelperModuleResult {
  /** The module with the twins added; undefined when no helper could be twinned. */
  output?: string;
  twins: HelperTwin[];
  /** Twins written only because other twins call them (a wrapper's own res helpers), by twin name. */
  calledTwins?: string[];
  /** Helpers asked for that pass req and res to getServerSession but have no twin, and why (session-helper.ts). */
  declined?: Array<{ name: string; why: string }>;
  /** Helpers asked for that have no twin of any kind, and why they have no wrapper twin (lib/wrapper-why.ts). */
  wrappersDeclined?: Array<{ name: string; why: string }>;
  /** Request helpers of other modules whose twins the twins here call, by local name (importedRequestHelpers). */
  importsCalled?: string[];
}

type FoundFunction = { index: number; fn: Node; isConst: boolean; ownName: string };

/** A top-level `function name` or `const name = (…) => …` at `index`, exported or not. */
function functionAt(program: Node, index: number, name: string | null): FoundFunction | null {
  let decl = program.body[index];
  if (decl.type === 'ExportNamedDeclaration' || decl.type === 'ExportDefaultDeclaration') decl = decl.declaration;
  if (decl?.type === 'FunctionDeclaration' && decl.id && (name === null || decl.id.name === name)) return { index, fn: decl, isConst: false, ownName: decl.id.name };
  if (decl?.type === 'VariableDeclaration' && decl.declarations.length === 1) {
    const d = decl.declarations[0];
    const init = d.init && unwrap(d.init);
    if (d.id.type === 'Identifier' && (name === null || d.id.name === name) && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) return { index, fn: init, isConst: true, ownName: d.id.name };
  }
  return null;
}

/**
 * The exported function called `name`: `export function name`, `export const name = (…) => …`, or one named in an
 * `export { … }` list; for `default`,
 * `export default function name` or `export default name` of a top-level function.
 */
function exportedFunction(program: Node, name: string): FoundFunction | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (name !== 'default' && stmt.type === 'ExportNamedDeclaration' && stmt.declaration) {
      const found = functionAt(program, index, name);
      if (found) return found;
    }
    // `export { withRole, withoutRole }` (also `as`) of top-level functions declared apart.
    const listed = name !== 'default' && stmt.type === 'ExportNamedDeclaration' && !stmt.source && !stmt.declaration && stmt.exportKind !== 'type' ? stmt.specifiers?.find((s: Node) => s.type === 'ExportSpecifier' && s.exportKind !== 'type' && isIdent(s.exported, name)) : null;
    if (listed) {
      for (let at = 0; at < program.body.length; at++) {
        const found = functionAt(program, at, listed.local.name);
        if (found) return found;
      }
      return null;
    }
    if (name === 'default' && stmt.type === 'ExportDefaultDeclaration') {
      if (stmt.declaration.type === 'FunctionDeclaration') return stmt.declaration.id ? functionAt(program, index, null) : null;
      if (!isIdent(stmt.declaration)) return null;
      for (let at = 0; at < program.body.length; at++) {
        const found = functionAt(program, at, stmt.declaration.name);
        if (found) return found;
      }
      return null;
    }
  }
  return null;
}

/**
 * `names` with the exported functions of the module that they call with their res and check (a guard that calls
 * another, sibling-guards.ts) added, each after the ones it calls: a guard's twin can call only twins made before it.
 * Other names keep their sorted order, on which the twins' names depend.
 */
function guardsFirst(program: Node, names: string[]): string[] {
  const callees = (name: string): string[] => {
    const found = exportedFunction(program, name);
    const res = found?.fn.params.find((p: Node) => p.type === 'Identifier' && /^res(ponse)?$/.test(p.name));
    if (!found || !res) return [];
    return checkedCallees(found.fn, res.name).filter((callee) => callee !== found.ownName && exportedFunction(program, callee)?.ownName === callee);
  };
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.includes(name) || visiting.has(name)) return;
    visiting.add(name);
    callees(name).forEach(visit);
    ordered.push(name);
  };
  names.forEach(visit);
  return ordered;
}

/** A top-level function of the module with a twin, which is written beside it when a route or another twin calls it. */
interface TwinnedFunction {
  found: FoundFunction;
  /** Its route-handler version: the rewritten copy. */
  fn: Node;
  twin: string;
  exported: boolean;
  /** What the twin needs imported. */
  uses: Set<string>;
}

/** A top-level function of the module that takes res and always answers (or only sets headers), twinned. */
interface ModuleHelper extends TwinnedFunction {
  helper: ResponseHelper;
}

/**
 * Every top-level function of the module, exported or not, that takes res and answers on every path, or only sets
 * headers: wrappers and dispatchers of the module that call one with their res call its twin instead, and the twin is
 * written next to it. Twin names are taken here, so that a helper a route imports and a wrapper calls gets one twin.
 */
function moduleResponseHelpers(j: ReturnType<typeof apiFor>, snip: Snippets, program: Node, hasAfter: boolean, typescript: boolean, taken: Set<string>): Map<string, ModuleHelper> {
  const out = new Map<string, ModuleHelper>();
  for (let index = 0; index < program.body.length; index++) {
    const found = functionAt(program, index, null);
    // Checking the parameters first keeps big modules cheap: only functions that take res are copied.
    if (!found || out.has(found.ownName) || !found.fn.params.some(isResponseParam)) continue;
    const stmt = program.body[index];
    const exported = stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration';
    const fn = cloneNode(found.fn);
    // A default-exported (req, res) function is a handler (another page's, a handler module's), not a helper that
    // happens not to read its request: it is the sub-handlers' and handler modules' business.
    const isDefault = stmt.type === 'ExportDefaultDeclaration' || program.body.some((s: Node) => s.type === 'ExportDefaultDeclaration' && s.declaration?.type === 'Identifier' && s.declaration.name === found.ownName);
    const answering = toResponseFunction(j, snip, fn, hasAfter, taken, typescript, !isDefault);
    const headers = answering ? null : toHeaderFunction(j, snip, fn, typescript, taken, true);
    const rewritten = answering ?? headers;
    if (!rewritten) continue;
    const twin = freshName(`${found.ownName}${headers ? 'Headers' : 'Response'}`, taken);
    taken.add(twin);
    const helper: ResponseHelper = { resIndex: rewritten.resIndex, statuses: rewritten.statuses, rename: twin, ...(headers ? { setsHeaders: headers.setsHeaders } : {}), ...(rewritten.reqIndex !== undefined ? { reqIndex: rewritten.reqIndex } : {}) };
    // Read on the function as written: a route's after-answer check counts a call of it as a send.
    if (answering && answersAtOnce(found.fn, found.fn.params[rewritten.resIndex].name)) helper.answersAtOnce = true;
    out.set(found.ownName, { found, fn, twin, exported, helper, uses: rewritten.uses });
  }
  return out;
}

/** A top-level function of the module that takes the Pages request, twinned (transforms/lib/request-helper.ts). */
interface ModuleRequestHelper extends TwinnedFunction {
  reqIndex: number;
  /** The module's other request helpers its twin calls. */
  calls: Set<string>;
  /** What the report of a route that calls the twin says of it. */
  notes?: string[];
  /** It takes req in an object (`verifyToken({ req })`). */
  carried?: boolean;
  /** Its twin takes the parsed body, or the route's query, at this position (request-helper.ts). */
  bodyIndex?: number;
  queryIndex?: number;
}

/**
 * The module's own session helpers that take the compat module's stand-ins for req and res as typed
 * (session-helper.ts: next-auth's getServerSession given them, a Supabase client): a wrapper's twin calls them
 * itself, with the stand-ins, as a route does, and hands the cookies they set on to its answer.
 */
function moduleSessionShims(snip: Snippets, program: Node, imported: Map<string, ImportedRequestHelper>): Map<string, NestedRequestHelper> {
  const out = new Map<string, NestedRequestHelper>();
  for (let index = 0; index < program.body.length; index++) {
    const found = functionAt(program, index, null);
    const session = found ? toSessionHelper(snip, program, found.fn, imported) : null;
    if (found && session && 'fn' in session && session.shims) out.set(found.ownName, { twin: found.ownName, reqIndex: session.args.req, shimRes: session.args.res, ...standInFlags(session) });
  }
  return out;
}

/** A shim-only helper's needs of the stand-ins (stand-in-helper.ts), as flags of its twin. */
function standInFlags(session: { query?: boolean; writesCookies?: boolean }): { query?: true; writesCookies?: true } {
  return { ...(session.query ? { query: true as const } : {}), ...(session.writesCookies ? { writesCookies: true as const } : {}) };
}

/**
 * Every top-level function of the module, exported or not, that has a twin taking the App Router request, also
 * when it passes its req on to another such function of the module (`verifySession(req, id)` calling
 * `getSession(req, id)`): a few rounds, each using the twins found before. Twin names are taken here, so that a
 * helper a route imports and another helper calls gets one twin. One that reads the body or the query takes them as
 * its last parameters, which a call from another helper passes as that one's own `req.body` / `req.query`
 * (redirectNestedRequestCalls), for the caller's own rewrite to take in turn.
 */
function moduleRequestHelpers(j: ReturnType<typeof apiFor>, snip: Snippets, program: Node, typescript: boolean, taken: Set<string>, imported: Map<string, ImportedRequestHelper>): Map<string, ModuleRequestHelper> {
  const out = new Map<string, ModuleRequestHelper>();
  const candidates: Array<{ found: FoundFunction; exported: boolean }> = [];
  for (let index = 0; index < program.body.length; index++) {
    const found = functionAt(program, index, null);
    const stmt = program.body[index];
    if (found && (found.fn.params.some(isRequestParam) || mayCarry(found.fn, 'req', snip.src(found.fn.body)))) {
      candidates.push({ found, exported: stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration' });
    }
  }
  for (let round = 0; round < 3; round++) {
    const known = new Map<string, NestedRequestHelper>([...imported, ...out]);
    let grew = false;
    for (const { found, exported } of candidates) {
      if (out.has(found.ownName)) continue;
      const fn = cloneNode(found.fn);
      const request = toRequestFunction(j, snip, fn, typescript, taken, true, known, undefined, true, program);
      if (!request) continue;
      const twin = freshName(`${found.ownName}ForRoute`, taken);
      taken.add(twin);
      out.set(found.ownName, { found, fn, twin, exported, reqIndex: request.reqIndex, uses: request.uses, calls: request.nestedCalled ?? new Set(), ...(request.carried ? { carried: true } : {}), ...(request.notes ? { notes: request.notes } : {}), ...(request.bodyIndex !== undefined ? { bodyIndex: request.bodyIndex } : {}), ...(request.queryIndex !== undefined ? { queryIndex: request.queryIndex } : {}) });
      grew = true;
    }
    if (!grew) break;
  }
  return out;
}

/** A twin's notes as the reports of the routes that call it say them: a line is one of this module. */
function helperNotes(notes: string[] | undefined, name: string, modulePath: string): { notes?: string[] } {
  return notes?.length ? { notes: notes.map((note) => (/^line \d+: /.test(note) ? `${name}() of ${modulePath}, ${note}` : note)) } : {};
}

/** What a res helper's twin does, for the comment above it. */
function helperTwinWhat(setsHeaders: string[] | null | undefined): string {
  return setsHeaders !== undefined ? "sets the headers of the route's next answer" : 'returns the Response instead of sending it';
}

/** A twin written beside its original: exported when the original is (a route imports it then). */
function moduleTwinStatement(j: ReturnType<typeof apiFor>, snip: Snippets, found: FoundFunction, fn: Node, twin: string, exported: boolean): Node {
  const keyword = exported ? 'export ' : '';
  if (found.isConst) {
    const [statement] = snip.statements(`${keyword}const ${twin} = 0${END}`);
    (exported ? statement.declaration : statement).declarations[0].init = fn;
    return statement;
  }
  fn.id = j.identifier(twin);
  if (!exported) return fn;
  const [statement] = snip.statements('export function placeholder() {}');
  statement.declaration = fn;
  return statement;
}

/** `stale`: staleTwins of the module, when the caller keeps it for the run (it is the module's, whatever the names). */
export function twinResponseHelpers(rawSource: string, ctx: HelperModuleContext, names: string[], stale = staleTwins(rawSource, ctx)): HelperModuleResult {
  const result = twinHelpers(rawSource, ctx, names, stale);
  // Defensive: a twin that came out other than the module-wide check found; no earlier twin is reused then.
  return 'changedSince' in result ? (twinHelpers(rawSource, ctx, names, 'all') as HelperModuleResult) : result;
}

/** Earlier twins that are not reused (their originals changed since, or their code calls such a twin), or all. */
export type Stale = Set<string> | 'all';

/**
 * The twins an earlier run wrote that are not the code their originals give now: they stay (routes of that run import
 * them) and keep their names, and the new twins of those originals get names of their own. Decided for the module as
 * a whole, with every original an earlier twin was made from, not for the names asked for, so that every set of names
 * the plan asks for (the routes' names first, the subset it writes later) gets the same twin names. A few rounds: a
 * twin that calls a stale one's successor is not its old code either.
 */
export function staleTwins(rawSource: string, ctx: HelperModuleContext): Stale {
  if (!mayHoldTwins(rawSource)) return new Set();
  const parsed = parseSourceOrNull(rawSource, ctx.modulePath);
  const originals = parsed ? priorOriginals(parsed.program) : [];
  if (!originals.length) return new Set();
  const stale = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const result = twinHelpers(rawSource, ctx, [...originals, 'default'], stale);
    if (!('changedSince' in result)) return stale;
    result.changedSince.forEach((name) => stale.add(name));
  }
  return 'all';
}

function twinHelpers(rawSource: string, ctx: HelperModuleContext, names: string[], stale: Stale): HelperModuleResult | { changedSince: Set<string> } {
  const parsed = parseSourceOrNull(rawSource, ctx.modulePath);
  if (!parsed) return { twins: [] };
  const { source, j, snip, program } = parsed;
  // The twins an earlier run wrote (but the stale ones) stay out of the analysis, their names free again; each twin
  // this run needs and that run wrote as the same code is reused (see the end).
  const priors = stale === 'all' ? new Map<string, Node>() : new Map([...priorTwins(program)].filter(([name]) => !stale.has(name)));
  const body = [...program.body];
  if (priors.size) {
    const priorStatements = new Set(priors.values());
    program.body = body.filter((statement: Node) => !priorStatements.has(statement));
  }
  const taken = namesIn(program);
  // A stale twin kept in the module may call a reused one: that name is free for the twin that reuses it.
  for (const name of priors.keys()) taken.delete(name);
  const typescript = isTypeScriptPath(ctx.modulePath);
  const hasAfter = versionAtLeast(ctx.nextVersion, 15, 1);
  const uses = new Set<string>();
  let needsNextRequest = false;
  /** Fields wrapper twins set on the request, with their types, for the module's declaration on NextRequest. */
  const extraFields = new Map<string, string>();
  const twins: HelperTwin[] = [];
  const inserts: Array<{ after: Node; statement: Node }> = [];
  /** A twin goes right after its original, under a comment that says what it does. */
  const insertTwin = (found: FoundFunction, statement: Node, what: string) => {
    const comment = `// Route-handler version of ${found.ownName}: ${what} (next-pages-api-migrate).`;
    inserts.push({ after: program.body[found.index], statement: snip.withCommentsOf(statement, statement, [comment]) });
  };
  const moduleHelpers = moduleResponseHelpers(j, snip, program, hasAfter, typescript, taken);
  // A header helper that reads the request is the routes' alone: a wrapper's twin has no request to pass it here.
  const helperRenames = new Map([...moduleHelpers].filter(([, { helper }]) => helper.reqIndex === undefined).map(([name, { helper }]) => [name, helper]));
  /** Module helpers whose twins are written: the ones routes import, and the ones wrapper twins call. */
  const helpersWritten = new Set<string>();
  // The module's request helpers, found only when a route calls one of its functions with its request.
  let requestHelperMap: Map<string, ModuleRequestHelper> | null = null;
  // Other modules' request helpers this module imports (a name the module declares itself is its own).
  const importedRequests = new Map((ctx.importedRequestHelpers ?? []).filter((h) => !declaresOwn(program, h.local)).map((h) => [h.local, h]));
  const moduleRequestHelpersOnce = () => (requestHelperMap ??= moduleRequestHelpers(j, snip, program, typescript, taken, importedRequests));
  /** Request helpers of the module that other twins call, and those already written as a route's import. */
  const requestHelpersCalled = new Set<string>();
  const requestTwinsWritten = new Set<string>();
  /** Factories whose objects got twin methods, and those methods. */
  const factoryTwins = new Map<Node, HeaderMethod[]>();
  const declined: Array<{ name: string; why: string }> = [];
  const wrappersDeclined: Array<{ name: string; why: string }> = [];
  // The module as wrapper twins see it (its imports, for the recipes), read once for all the wrappers tried.
  const wrapperModule = { program, names: namesIn(program) };
  /** The request helpers a twin of this module may call through their twins: the module's own, and imported ones. */
  let sessionShimMap: Map<string, NestedRequestHelper> | null = null;
  const nestedRequestHelpers = () => new Map<string, NestedRequestHelper>([...importedRequests, ...(sessionShimMap ??= moduleSessionShims(snip, program, importedRequests)), ...moduleRequestHelpersOnce()]);
  // What wrapper-why.ts follows: the module's functions, tried as wrappers on copies (their twins' names unchanged).
  const wrapperLookup: WrapperLookup = {
    functionNamed: (wanted) => program.body.map((_: Node, index: number) => functionAt(program, index, wanted)).find(Boolean)?.fn ?? null,
    tryWrapper: (fn) => toRouteWrapper(j, snip, fn, ctx.modulePath, 'wrapperRoute', hasAfter, new Set(taken), helperRenames, wrapperModule),
  };
  /** The twin of each function twinned below, for its other export names (`export default requireUser` too). */
  const twinOfFunction = new Map<Node, HelperTwin>();
  /** The module's guards twinned so far, which a guard twinned after them may call (sibling-guards.ts). */
  const siblingGuards = new Map<string, SiblingGuard>();
  let ownNames: Set<string> | undefined;
  for (const name of guardsFirst(program, [...new Set(names)].sort())) {
    const found = exportedFunction(program, name);
    if (!found) continue;
    // One twin per function: a second one under a name of its own (`requireUserForRoute2`) was there only when the
    // plan asked for both export names, and a route told that name found it missing when it asked for fewer.
    const earlier = twinOfFunction.get(found.fn);
    if (earlier) {
      twins.push({ ...earlier, name });
      continue;
    }
    const moduleHelper = moduleHelpers.get(found.ownName);
    if (moduleHelper?.found.index === found.index) {
      helpersWritten.add(found.ownName);
      // Routes import it (also as the default export of a function declared apart): its twin is exported.
      moduleHelper.exported = true;
      if (moduleHelper.helper.reqIndex !== undefined && typescript) needsNextRequest = true;
      twins.push({ kind: 'helper', name, twin: moduleHelper.twin, resIndex: moduleHelper.helper.resIndex, statuses: moduleHelper.helper.statuses, ...(moduleHelper.helper.setsHeaders !== undefined ? { setsHeaders: moduleHelper.helper.setsHeaders } : {}), ...(moduleHelper.helper.reqIndex !== undefined ? { reqIndex: moduleHelper.helper.reqIndex } : {}), ...(moduleHelper.helper.answersAtOnce ? { answersAtOnce: true } : {}) });
      continue;
    }
    // The twin is a rewritten copy: the original keeps serving Pages code.
    const fn = cloneNode(found.fn);
    let wrapperStatement: Node | null = null;
    let twinned: (Omit<HelperTwin, 'name' | 'twin' | 'kind'> & { kind: Exclude<HelperTwin['kind'], 'factory'>; uses: Set<string> }) | null = null;
    // Names tried here are taken (below) only for the twin written: one that is not would move the names of others
    // (`auditFor`'s wrapper twin to `auditForRoute2` when `audit` has none), and those differ with the names asked.
    const untaken = (base: string) => freshName(base, new Set(taken));
    let twin = untaken(`${found.ownName}Route`);
    let declinedWhy: string | null = null;
    let wrapperOrWhy = toRouteWrapper(j, snip, cloneNode(found.fn), ctx.modulePath, twin, hasAfter, taken, helperRenames, wrapperModule);
    // A wrapper that passes its req to a request helper (`verifySameOrigin(req)`, `createClient({ req, res })`): again,
    // calling that one's twin. The module's request helpers are looked for only then (their twins' names are taken
    // when they are).
    if ('why' in wrapperOrWhy && /^req is passed to [\w$]+\(\)( in an object)?$/.test(wrapperOrWhy.why)) {
      wrapperOrWhy = toRouteWrapper(j, snip, cloneNode(found.fn), ctx.modulePath, twin, hasAfter, taken, helperRenames, { ...wrapperModule, nested: nestedRequestHelpers() });
    }
    // A curried factory of a wrapper (`requestMethod(['GET'])(handler)`): the twin of the wrapper it returns.
    if ('why' in wrapperOrWhy) wrapperOrWhy = toCurriedRouteWrapper(j, snip, cloneNode(found.fn), ctx.modulePath, twin, hasAfter, taken, helperRenames, { ...wrapperModule, nested: nestedRequestHelpers() }) ?? wrapperOrWhy;
    const wrapper = 'why' in wrapperOrWhy ? null : wrapperOrWhy;
    // Not a factory: maybe a dispatcher called with (req, res, handlers), read as one.
    const factory = wrapper ? null : asDispatcherFactory(snip, found.fn, found.ownName);
    const calledOrWhy = factory ? toRouteWrapper(j, snip, factory, ctx.modulePath, twin, hasAfter, taken, helperRenames, wrapperModule) : null;
    const calledForm = calledOrWhy && !('why' in calledOrWhy) ? calledOrWhy : null;
    const routeWrapper = wrapper ?? (calledForm?.dispatcher ? calledForm : null);
    if (routeWrapper?.usesNextRequest) needsNextRequest = true;
    if (routeWrapper) {
      routeWrapper.helpersCalled.forEach((called) => helpersWritten.add(called));
      routeWrapper.nestedCalled.forEach((called) => requestHelpersCalled.add(called));
      wrapperStatement = routeWrapper.statement;
      for (const extra of routeWrapper.requestExtras) if (extra.type && !extraFields.has(extra.name)) extraFields.set(extra.name, extra.type);
      twinned = { kind: routeWrapper.dispatcher ? 'dispatcher' : 'wrapper', resIndex: routeWrapper.handlerIndex, statuses: [], uses: routeWrapper.uses, methods: routeWrapper.methods, ...(routeWrapper === calledForm ? { called: true } : {}), ...(routeWrapper.curried ? { curried: true } : {}), ...(routeWrapper.keepsResult ? { keepsResult: true } : {}), ...(routeWrapper.readsSent ? { readsSent: true } : {}), ...(routeWrapper.delaysAnswer ? { delaysAnswer: true } : {}), ...(routeWrapper.requestExtras.length ? { requestExtras: routeWrapper.requestExtras.map((e) => e.name) } : {}), ...(routeWrapper.extrasRead.length ? { extrasRead: routeWrapper.extrasRead } : {}), ...(routeWrapper.requestExtras.length && !typescript ? { extrasUntyped: true } : {}), ...(routeWrapper.setsCookies ? { setsCookies: true } : {}), ...helperNotes(routeWrapper.notes, found.ownName, ctx.modulePath) };
    } else {
      const requestHelpers = moduleRequestHelpersOnce();
      const own = requestHelpers.get(found.ownName);
      const request = own?.found.index === found.index ? null : toRequestFunction(j, snip, fn, typescript, taken, true, nestedRequestHelpers(), undefined, true, program);
      // `getServerAuthSession({ req, res })`: a helper that only passes them to getServerSession (from the original:
      // `fn` may have been partly rewritten above).
      const session = own?.found.index === found.index || request ? null : toSessionHelper(snip, program, found.fn, importedRequests);
      // Not twinned, but written for both routers (`req: NextApiRequest | Request`): a named export only, called as is.
      const dual = !request && !session && own?.found.index !== found.index && name !== 'default' && typescript ? dualRequestHelper(found.fn) : null;
      const asIsAt = dual && 'at' in dual ? dual.at : null;
      if (session && 'why' in session) declinedWhy = session.why;
      else if (dual && 'why' in dual) declinedWhy = dual.why;
      // A helper that takes only the request and could not take the App Router one: the routes say why.
      else if (!request && !session && own?.found.index !== found.index && asIsAt === null) declinedWhy = requestHelperWhy(snip, found.fn);
      if (own?.found.index === found.index) {
        // Twinned with the module's request helpers: its twin and name are that one.
        if (typescript) needsNextRequest = true;
        requestTwinsWritten.add(found.ownName);
        own.exported = true;
        own.calls.forEach((n) => requestHelpersCalled.add(n));
        twin = own.twin;
        wrapperStatement = moduleTwinStatement(j, snip, own.found, own.fn, own.twin, true);
        twinned = { kind: 'request', resIndex: own.reqIndex, statuses: [], uses: own.uses, ...(own.bodyIndex !== undefined ? { bodyIndex: own.bodyIndex } : {}), ...(own.queryIndex !== undefined ? { queryIndex: own.queryIndex } : {}), ...(own.carried ? { carried: true } : {}), ...helperNotes(own.notes, found.ownName, ctx.modulePath) };
      } else if (request) {
        if (request.usesNextRequest) needsNextRequest = true;
        request.nestedCalled?.forEach((n) => requestHelpersCalled.add(n));
        twin = freshName(`${found.ownName}ForRoute`, taken);
        twinned = { kind: 'request', resIndex: request.reqIndex, statuses: [], uses: request.uses, ...(request.bodyIndex !== undefined ? { bodyIndex: request.bodyIndex } : {}), ...(request.queryIndex !== undefined ? { queryIndex: request.queryIndex } : {}), ...(request.carried ? { carried: true } : {}), ...helperNotes(request.notes, found.ownName, ctx.modulePath) };
      } else if (asIsAt !== null) {
        // Written for both routers already: routes call it itself with the request (no twin, no change here).
        twins.push({ kind: 'request', name, twin: name, asIs: true, resIndex: asIsAt, statuses: [], notes: [`${found.ownName}() of ${ctx.modulePath} takes the App Router request as it is: it tells a Request from the Pages request itself, and the route now runs its Request branch`] });
        continue;
      } else if (session && 'fn' in session && session.shimOnly) {
        // No twin: routes call the helper itself with next-auth's Pages-like request and response, or are left.
        twins.push({ kind: 'session', name, twin: '', resIndex: session.args.req, statuses: [], sessionArgs: session.args, shims: true, shimOnly: session.shimOnly, ...standInFlags(session) });
        continue;
      } else if (session && 'fn' in session) {
        twin = freshName(`${found.ownName}ForRoute`, taken);
        wrapperStatement = moduleTwinStatement(j, snip, found, session.fn, twin, true);
        twinned = { kind: 'session', resIndex: session.args.req, statuses: [], uses: new Set(), sessionArgs: session.args, ...(session.shims ? { shims: true } : {}) };
      } else {
        // A helper that only runs the cors middleware (`await cors(req, res)`): its twin runs it on the request.
        const forRoute = untaken(`${found.ownName}ForRoute`);
        const runner = toMiddlewareHelper(snip, program, found.fn, forRoute, typescript, /\n([ \t]+)\S/.exec(snip.src(found.fn.body))?.[1]);
        if (runner) {
          twin = runner.declaration.id.name;
          wrapperStatement = runner;
          if (typescript) needsNextRequest = true;
          twinned = { kind: 'middleware', resIndex: 1, statuses: [null], uses: new Set(['runConnectMiddleware']) };
        } else {
          // A guard (`requireSession(req, res)`: answers, or returns a value to go on with).
          const guardFn = cloneNode(found.fn);
          const guard = toGuardFunction(j, snip, program, guardFn, hasAfter, typescript, taken, nestedRequestHelpers(), siblingGuards);
          if (guard) {
            twin = forRoute;
            // Another guard may call it through its twin, when it takes req and res as they are.
            if (guard.carriedAt === undefined && !guard.takesHeaders && guard.bodyIndex === undefined && guard.queryIndex === undefined && guard.reqIndex >= 0) siblingGuards.set(found.ownName, { twin, reqIndex: guard.reqIndex, resIndex: guard.resIndex, statuses: guard.statuses });
            if (guard.usesNextRequest) needsNextRequest = true;
            // The module's request helpers it calls (`verifyToken({ req })`) get their twins written too.
            guard.nestedCalled.forEach((n) => requestHelpersCalled.add(n));
            wrapperStatement = moduleTwinStatement(j, snip, found, guardFn, twin, true);
            // Calls pass `{ req, res }` where the object stood: the call's positions, not the positional form's.
            const at = guard.carriedAt;
            const positions = at === undefined ? { resIndex: guard.resIndex, reqIndex: guard.reqIndex } : { resIndex: at, reqIndex: guard.reqIndex < 0 ? -1 : at, carried: true };
            twinned = { kind: 'guard', ...positions, statuses: guard.statuses, uses: guard.uses, ...helperNotes(guard.notes, found.ownName, ctx.modulePath), ...(guard.takesHeaders ? { takesHeaders: true } : {}), ...(guard.bodyIndex !== undefined ? { bodyIndex: guard.bodyIndex } : {}), ...(guard.queryIndex !== undefined ? { queryIndex: guard.queryIndex } : {}) };
          }
        }
      }
    }
    if (!twinned) {
      // A factory whose object has methods that only set headers on res: the twins go into that object, once for a
      // factory exported under two names.
      let methods = factoryTwins.get(found.fn);
      if (!methods) {
        const factory = factoryHeaderMethods(j, snip, found.fn, typescript, taken);
        if (!factory) {
          if (declinedWhy) declined.push({ name, why: declinedWhy });
          // For the routes it wraps, if they use it so: why it has no wrapper twin.
          if ('why' in wrapperOrWhy) wrappersDeclined.push({ name, why: explainDeclinedWrapper(program, found.ownName, found.fn, wrapperOrWhy, wrapperLookup) });
          continue;
        }
        factory.insert();
        factory.uses.forEach((u) => uses.add(u));
        factoryTwins.set(found.fn, (methods = factory.methods));
      }
      twins.push({ kind: 'factory', name, twin: `${found.ownName}().${methods[0].twin}`, resIndex: -1, statuses: [], headerMethods: methods, ownName: found.ownName });
      continue;
    }
    // A compat helper the twin calls under a name the module binds itself (its own `withHeaders`) would be that one.
    const clash = [...twinned.uses].find((u) => u !== 'NextResponse' && u !== 'after' && !compatNamesFree(program, (ownNames ??= topLevelBindings(program)), [u]));
    if (clash) {
      const why = `its route-handler version would call ${clash}() of the compat module, a name the module binds itself`;
      if (twinned.kind === 'wrapper' || twinned.kind === 'dispatcher') wrappersDeclined.push({ name, why });
      else declined.push({ name, why });
      continue;
    }
    taken.add(twin);
    const statement = wrapperStatement ?? moduleTwinStatement(j, snip, found, fn, twin, true);
    const what = {
      helper: helperTwinWhat(twinned.setsHeaders),
      wrapper: 'wraps App Router route handlers',
      dispatcher: 'dispatches to App Router route handlers by method',
      request: 'takes the App Router request',
      middleware: 'runs the same middleware on the App Router request, its headers into the route\'s',
      guard: 'returns its answer as a GuardAnswer where it answered, else its value',
      session: 'calls getServerSession without req and res, as a route handler does',
    }[twinned.kind];
    insertTwin(found, statement, what);
    twinned.uses.forEach((u) => uses.add(u));
    // The twin as routes are told of it: what `twinned` says, but what it needs imported.
    const { uses: _uses, ...described } = twinned;
    twinOfFunction.set(found.fn, { ...described, name, twin });
    twins.push(twinOfFunction.get(found.fn)!);
  }
  const declinedPart = { ...(declined.length ? { declined } : {}), ...(wrappersDeclined.length ? { wrappersDeclined } : {}) };
  if (!twins.length) return { twins, ...declinedPart };
  /** The twin of a function of the module that twins call (or a route imports), exported as the original is. */
  const writeCalledTwin = (twinned: TwinnedFunction, what: string) => {
    insertTwin(twinned.found, moduleTwinStatement(j, snip, twinned.found, twinned.fn, twinned.twin, twinned.exported), what);
    twinned.uses.forEach((u) => uses.add(u));
  };
  for (const name of helpersWritten) writeCalledTwin(moduleHelpers.get(name)!, helperTwinWhat(moduleHelpers.get(name)!.helper.setsHeaders));
  // The module's request helpers that the twins call, and those they call in turn; other modules' apart.
  for (const name of requestHelpersCalled) moduleRequestHelpersOnce().get(name)?.calls.forEach((n) => requestHelpersCalled.add(n));
  const importsCalled = [...requestHelpersCalled].filter((n) => importedRequests.has(n) && !moduleRequestHelpersOnce().has(n)).sort();
  importsCalled.forEach((n) => requestHelpersCalled.delete(n));
  for (const name of [...requestHelpersCalled].filter((n) => !requestTwinsWritten.has(n))) {
    writeCalledTwin(moduleRequestHelpersOnce().get(name)!, 'takes the App Router request');
    if (typescript) needsNextRequest = true;
  }
  const mismatched = new Map<string, Node>();
  const written = inserts.filter(({ statement }) => {
    const name = declaredName(statement) ?? '';
    const prior = priors.get(name);
    if (prior && !sameTwin(j, statement, prior)) mismatched.set(name, statement);
    return !prior;
  });
  if (mismatched.size) {
    // A twin that differs only because it calls another that differs may be its earlier code once that one is named
    // anew: the callees are stale first, the callers in a later round if they still differ.
    const callsMismatched = (name: string) => [...namesIn(mismatched.get(name)!)].some((n) => n !== name && mismatched.has(n));
    const leaves = [...mismatched.keys()].filter((name) => !callsMismatched(name));
    return { changedSince: new Set(leaves.length ? leaves : mismatched.keys()) };
  }
  if (priors.size) program.body = body;
  for (const { after, statement } of written) program.body.splice(program.body.indexOf(after) + 1, 0, statement);
  declareRequestExtras(snip, program, extraFields);
  // A module that already imports one of these names keeps its own import.
  const server = [...uses].filter((u) => (u === 'NextResponse' || u === 'after') && !taken.has(u)).sort();
  const serverTypes = needsNextRequest && !taken.has('NextRequest') ? ['NextRequest'] : [];
  addImport(snip, program, 'next/server', { values: server, types: serverTypes }, typescript);
  const compat = [...uses].filter((u) => u !== 'NextResponse' && u !== 'after' && !taken.has(u)).sort();
  if (compat.length) {
    addImport(snip, program, compatSpecifier(ctx.modulePath, ctx.compatPath), { values: compat, types: [] }, typescript);
  }
  // An imported helper's twin joins the module's import of that helper.
  for (const name of importsCalled) {
    const { specifier, twin } = importedRequests.get(name)!;
    if (!addToImport(snip, program, specifier, [twin])) addImport(snip, program, specifier, { values: [twin], types: [] }, typescript);
  }
  const requested = new Set(twins.map((t) => t.twin));
  const calledTwins = [
    ...[...helpersWritten].map((name) => moduleHelpers.get(name)!.twin),
    ...[...requestHelpersCalled].filter((name) => !requestTwinsWritten.has(name)).map((name) => moduleRequestHelpersOnce().get(name)!.twin),
  ].filter((twin) => !requested.has(twin));
  const output = source.restore(printProgram(j, program, source.text, ctx.modulePath));
  // Every twin reused: the module is left as it is.
  return { ...(output !== rawSource ? { output } : {}), twins, ...(calledTwins.length ? { calledTwins } : {}), ...declinedPart, ...(importsCalled.length ? { importsCalled } : {}) };
}

/** Whether the module declares `name` at its top level (then a name of the import list is not that import). */
/** The names the module binds at its top level: its imports' and its declarations'. */
function topLevelBindings(program: Node): Set<string> {
  return new Set(program.body.flatMap((stmt: Node) => (stmt.type === 'ImportDeclaration' ? (stmt.specifiers ?? []).map((s: Node) => s.local.name) : declaredNames(stmt))));
}

function declaresOwn(program: Node, name: string): boolean {
  return program.body.some((_: Node, index: number) => functionAt(program, index, name) !== null);
}
