/**
 * Analysis across files: helpers in other project modules that handlers call with `res`
 * (`errorhandler(err, res)` from `@/lib/errorHandler`). Imports are resolved, and modules read, through the run's
 * Resolver (src/resolver.ts); each module is given to the pure twinResponseHelpers. Reads the disk, never writes it.
 */
import { staleTwins, twinNames, twinResponseHelpers, type HelperModuleResult, type ImportedRequestHelper, type Stale } from '../transforms/helper-module.js';
import type { ImportedHelper } from '../transforms/types.js';
import { barrelClashes, definitionOf, withTwinReExports, type Definition } from './barrels.js';
import { escapeName, nameAtStart } from './name-pattern.js';
import type { Resolver } from './resolver.js';

interface Candidate {
  source: string;
  specifier: string;
  /** The name the source imports. */
  imported: string;
  /** Where it is defined, through any barrels (src/barrels.ts). */
  definition: Definition;
  /** Found only as the maker of a module-level const (`const limiter = rateLimit(…)`): a factory or nothing. */
  factoryOnly?: boolean;
  /** It wraps the default export (`export default withAuth(handler)`): without a twin, the route says why. */
  wraps?: boolean;
}

/**
 * The value imports a source text declares, by a cheap text scan (before any parse): each binding's specifier, the
 * name it imports (`default` for a default import) and its local name. `import type` and `type` names are left out.
 */
export function importBindings(text: string): Array<{ specifier: string; imported: string; local: string }> {
  const out: Array<{ specifier: string; imported: string; local: string }> = [];
  for (const [, defaultLocal, list = '', specifier] of text.matchAll(/import\s+(?!type\b)(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*['"]([^'"]+)['"]/g)) {
    if (defaultLocal) out.push({ specifier, imported: 'default', local: defaultLocal });
    for (const part of list.split(',')) {
      const m = /^\s*(?!type\s)([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (m) out.push({ specifier, imported: m[1], local: m[2] ?? m[1] });
    }
  }
  return out;
}

/**
 * Imports from project modules whose local name is called with `res` somewhere, or wraps the default export
 * (`export default withAuth(handler)`, also nested), or makes a module-level const in a file that passes `res` to a
 * method (`const limiter = rateLimit(…)`, `limiter.check(res, …)`): a cheap text prefilter. Each is followed through
 * barrels to the module that defines it.
 */
function candidatesIn(resolver: Resolver, source: string, text: string): Candidate[] {
  const found: Candidate[] = [];
  // A factory whose object's methods may take res: `const limiter = rateLimit(…)` and a call `x.check(res, …)`.
  const passesResToMethod = /\.\s*[\w$]+\s*\(\s*(?:res|response)\b/.test(text);
  // A name may hold a `$` (`$rateLimit`): escaped, and bounded as a name.
  const wrapsExport = (local: string) => new RegExp(`export\\s+default\\s+(?:[\\w$]+\\s*\\(\\s*)*${escapeName(local)}\\s*\\(`).test(text);
  // Also `const handler = createHandlers(handlers)` and then `handler(req, res)`: a dispatcher built and called.
  const builtThenCalled = (local: string) => {
    const built = new RegExp(`\\bconst\\s+([\\w$]+)\\s*=\\s*${escapeName(local)}\\s*\\(`).exec(text)?.[1];
    return !!built && new RegExp(`${nameAtStart(built)}\\s*\\(\\s*(req|request)\\b`).test(text);
  };
  const isUsed = (local: string) => new RegExp(`${nameAtStart(local)}\\s*\\([^;]*\\b(res|response|req|request)\\b`).test(text) || wrapsExport(local) || builtThenCalled(local) || wraps(local);
  // For the reason only: also `const handler = withAuth(…)` exported as `export default handler`.
  const exportedName = /export\s+default\s+([\w$]+)\s*;?\s*$/m.exec(text)?.[1];
  const wraps = (local: string) => wrapsExport(local) || (!!exportedName && new RegExp(`\\bconst\\s+${escapeName(exportedName)}\\s*=\\s*${escapeName(local)}\\s*\\(`).test(text));
  const makesConst = (local: string) => passesResToMethod && new RegExp(`\\bconst\\s+[\\w$]+\\s*=\\s*${escapeName(local)}\\s*\\(`).test(text);
  const add = (specifier: string, imported: string, flags: { factoryOnly?: boolean; wraps?: boolean }) => {
    const module = resolver.resolve(source, specifier);
    const definition = module ? definitionOf(resolver, module, imported) : null;
    if (definition) found.push({ source, specifier, imported, definition, ...(flags.factoryOnly ? { factoryOnly: true } : {}), ...(flags.wraps ? { wraps: true } : {}) });
  };
  for (const { specifier, imported, local } of importBindings(text)) {
    if (isUsed(local)) add(specifier, imported, { wraps: wraps(local) });
    else if (makesConst(local)) add(specifier, imported, { factoryOnly: true });
  }
  return found;
}

export interface HelperModulePlan {
  resolver: Resolver;
  compatPath: string;
  nextVersion: string;
  /** Per source: the helpers it may call, with their twins, for the transform context. */
  bindings: Map<string, ImportedHelper[]>;
  /** Per source, specifier and imported name (definitionKey): where the helper is defined, to map `helpersUsed` back. */
  definitions: Map<string, Definition>;
  /**
   * twinResponseHelpers of a module for a set of names, made once: the pass over the pages/api files, the pass over
   * handler modules and moduleUpdates often ask for the same module and names.
   */
  twinned: Map<string, HelperModuleResult>;
  /** Per module: its earlier run's twins that are not reused (staleTwins), worked out once. */
  stale: Map<string, Stale>;
  /** Per module: the request helpers of other modules it imports, with their twins (importedRequestHelpers), once. */
  importedRequests: Map<string, ModuleRequestImport[]>;
  /** The modules whose importedRequests are being worked out (an import cycle stops there). */
  requestImportsUnderWay: Set<string>;
}

/** A request helper of another module that a module imports, and where it is defined (no barrel between). */
interface ModuleRequestImport extends ImportedRequestHelper {
  module: string;
  name: string;
}

export function createHelperPlan(resolver: Resolver, compatPath: string, nextVersion: string): HelperModulePlan {
  return { resolver, compatPath, nextVersion, bindings: new Map(), definitions: new Map(), twinned: new Map(), stale: new Map(), importedRequests: new Map(), requestImportsUnderWay: new Set() };
}

/** The module's text with the twins of `names` (a module that is read: its text is in the resolver's cache). */
function twinsOf(plan: HelperModulePlan, module: string, names: Iterable<string>): HelperModuleResult {
  // The twins are made together (a twin's name depends on the others'), from the names sorted: the key is that list.
  const sorted = [...new Set(names)].sort();
  const key = [module, ...sorted].join('\0');
  let result = plan.twinned.get(key);
  if (!result) {
    const text = plan.resolver.text(module)!;
    const importedRequestHelpers = importedRequestHelpersOf(plan, module, text);
    const ctx = { modulePath: module, compatPath: plan.compatPath, nextVersion: plan.nextVersion, ...(importedRequestHelpers.length ? { importedRequestHelpers } : {}) };
    if (!plan.stale.has(module)) plan.stale.set(module, staleTwins(text, ctx));
    plan.twinned.set(key, (result = twinResponseHelpers(text, ctx, sorted, plan.stale.get(module))));
  }
  return result;
}

/**
 * The request helpers of other project modules that `module` imports and passes req to (`verifyToken({ req })`,
 * `getTokenFromRequest(req)`), each with its twin there: a guard or request helper twinned here calls that twin. Only
 * a module that defines the helper itself (no barrel, whose re-export of the twin would be another change), and not
 * through a module on the way there (an import cycle: that module is not followed).
 */
function importedRequestHelpersOf(plan: HelperModulePlan, module: string, text: string): ModuleRequestImport[] {
  const known = plan.importedRequests.get(module);
  if (known) return known;
  plan.requestImportsUnderWay.add(module);
  const out: ModuleRequestImport[] = [];
  for (const { specifier, imported, local } of importBindings(text)) {
    if (!new RegExp(`${nameAtStart(local)}\\s*\\([^;]*\\b(req|request)\\b`).test(text)) continue;
    const target = plan.resolver.resolve(module, specifier);
    const definition = target ? definitionOf(plan.resolver, target, imported) : null;
    if (!definition || definition.hops.length || plan.requestImportsUnderWay.has(definition.module)) continue;
    const twins = twinsOf(plan, definition.module, [definition.name]).twins;
    const twin = twins.find((t) => t.name === definition.name && t.kind === 'request');
    if (twin && twin.bodyIndex === undefined && twin.queryIndex === undefined) out.push({ local, specifier, twin: twin.asIs ? local : twin.twin, reqIndex: twin.resIndex, ...(twin.carried ? { carried: true } : {}), ...(twin.asIs ? { asIs: true } : {}), module: definition.module, name: definition.name });
    // A session helper that takes the compat stand-ins as typed (a Supabase one, a next-auth one, with a twin or not):
    // a wrapper's twin calls it itself, with them, as a route does.
    const shimmed = twins.find((t) => t.name === definition.name && t.kind === 'session' && t.shims && t.sessionArgs);
    if (shimmed) out.push({ local, specifier, twin: local, reqIndex: shimmed.sessionArgs!.req, shimRes: shimmed.sessionArgs!.res, ...(shimmed.query ? { query: true } : {}), ...(shimmed.writesCookies ? { writesCookies: true } : {}), module: definition.module, name: definition.name });
  }
  plan.requestImportsUnderWay.delete(module);
  plan.importedRequests.set(module, out);
  return out;
}

const definitionKey = (source: string, helper: { specifier: string; imported: string }) => `${source}\0${helper.specifier}\0${helper.imported}`;

/** Whether `barrel` passes on a helper a source uses (its update is then one the source needs). */
export function passesOn(plan: HelperModulePlan, source: string, helper: { specifier: string; imported: string }, barrel: string): boolean {
  return !!plan.definitions.get(definitionKey(source, helper))?.hops.some((hop) => hop.barrel === barrel);
}

/** The module that defines a helper a source uses (through any barrels), or undefined. */
export function moduleOf(plan: HelperModulePlan, source: string, helper: { specifier: string; imported: string }): string | undefined {
  return plan.definitions.get(definitionKey(source, helper))?.module;
}

/**
 * Finds the helpers `sources` import and adds their bindings and definitions to `plan`; returns the plan's bindings.
 * Called once for the pages/api files, then for the handler modules they re-export (src/handler-modules.ts): each pass
 * twins its own modules with the names it found, and checks its own barrels, as a plan of its own would.
 */
export function findImportedHelpers(plan: HelperModulePlan, sources: Array<{ source: string; text: string }>): Map<string, ImportedHelper[]> {
  const { resolver } = plan;
  const candidates = sources.flatMap(({ source, text }) => candidatesIn(resolver, source, text));
  const names = new Map<string, Set<string>>();
  // definitionOf returns only modules it read: their texts are in the resolver's cache.
  for (const { definition } of candidates) names.set(definition.module, (names.get(definition.module) ?? new Set()).add(definition.name));
  const results = new Map([...names].map(([module, set]) => [module, twinsOf(plan, module, set)]));
  const found = candidates.map((c) => ({ c, twin: results.get(c.definition.module)?.twins.find((t) => t.name === c.definition.name) }));
  // A factory's twins are methods of its object: no barrel passes them on, so none can clash there.
  const clashes = barrelClashes(found.flatMap(({ c, twin }) => (twin && twin.kind !== 'factory' && !twin.shimOnly && !twin.asIs ? [{ definition: c.definition, twin: twin.twin }] : [])), resolver);
  for (const { c, twin } of found) {
    // A wrapper of the default export with no twin: the route names its module and its blocker.
    const notWrapper = twin || !c.wraps ? undefined : results.get(c.definition.module)?.wrappersDeclined?.find((d) => d.name === c.definition.name);
    // A session or request helper with no twin: the route is told why, for the reason it is left with (a session
    // binding with no twin only carries that reason, for any helper passed req).
    const declined = twin || c.factoryOnly || notWrapper ? undefined : results.get(c.definition.module)?.declined?.find((d) => d.name === c.definition.name);
    if (declined) {
      addBinding(plan, c.source, { kind: 'session', specifier: c.specifier, imported: c.imported, twin: '', resIndex: -1, statuses: [], declined: declined.why });
      continue;
    }
    if (notWrapper) {
      addBinding(plan, c.source, { kind: 'wrapper', specifier: c.specifier, imported: c.imported, twin: '', resIndex: -1, statuses: [], declined: notWrapper.why, definedIn: c.definition.module });
      continue;
    }
    if (!twin || (c.factoryOnly && twin.kind !== 'factory') || c.definition.hops.some((hop) => clashes.has(`${hop.barrel}\0${twin.twin}`))) continue;
    // The twin as this source imports it: its fields are the binding's, but for the export name.
    const { name: _name, ownName: _ownName, kind, ...described } = twin;
    addBinding(plan, c.source, { kind, specifier: c.specifier, imported: c.imported, ...described });
    plan.definitions.set(definitionKey(c.source, c), { ...c.definition, twin: twin.twin });
  }
  return plan.bindings;
}

function addBinding(plan: HelperModulePlan, source: string, binding: ImportedHelper): void {
  if (!plan.bindings.has(source)) plan.bindings.set(source, []);
  plan.bindings.get(source)!.push(binding);
}

export interface ModuleUpdate {
  path: string;
  before: string;
  content: string;
  twins: string[];
  usesCompat: boolean;
  /** The modules it now imports moved exports from (src/moved-exports.ts). */
  imports?: string[];
  /** A handler module's twin: the helpers of other modules it calls (their twins are written in the same run). */
  helpersUsed?: ImportedHelper[];
}

/** The module updates the migrated routes need: each module gets the twins of the helpers its routes call. */
export function moduleUpdates(plan: HelperModulePlan, used: Array<{ source: string; helpers: ImportedHelper[] }>): ModuleUpdate[] {
  const names = new Map<string, Set<string>>();
  // Barrel → the twins it passes on, each with the specifier it re-exports the original from.
  const passedOn = new Map<string, Array<{ from: string; twin: string }>>();
  for (const { source, helpers } of used) {
    for (const helper of helpers) {
      const definition = plan.definitions.get(definitionKey(source, helper));
      // A helper called as it is needs nothing of its module.
      if (!definition || helper.asIs) continue;
      if (!names.has(definition.module)) names.set(definition.module, new Set());
      names.get(definition.module)!.add(definition.name);
      // A factory keeps its name: the barrels on the way pass it on as they did.
      if (helper.kind === 'factory') continue;
      for (const hop of definition.hops.filter((h) => !h.star)) passedOn.set(hop.barrel, [...(passedOn.get(hop.barrel) ?? []), { from: hop.from, twin: definition.twin! }]);
    }
  }
  // Modules whose twins call twins of request helpers of other modules: those get them too, and so on.
  const pending = [...names.keys()];
  for (let module = pending.pop(); module !== undefined; module = pending.pop()) {
    const result = twinsOf(plan, module, names.get(module)!);
    for (const local of result.importsCalled ?? []) {
      const target = plan.importedRequests.get(module)?.find((h) => h.local === local);
      if (!target) continue;
      const set = names.get(target.module) ?? new Set<string>();
      if (set.has(target.name)) continue;
      names.set(target.module, set.add(target.name));
      pending.push(target.module);
    }
  }
  const updates: ModuleUpdate[] = [];
  if (names.size === 0) return updates;
  for (const [module, set] of [...names].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = plan.resolver.text(module)!;
    const result = twinsOf(plan, module, set);
    if (!result.output) continue;
    updates.push({ path: module, before, content: result.output, twins: [...new Set([...result.twins.flatMap(twinNames), ...(result.calledTwins ?? [])])], usesCompat: /_migrate\/pages-compat['"]/.test(result.output) });
  }
  for (const [barrel, lines] of [...passedOn].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A barrel that also defines helpers of its own gets both changes in one update.
    const own = updates.find((u) => u.path === barrel);
    const before = plan.resolver.text(barrel) ?? '';
    const content = withTwinReExports(own?.content ?? before, lines);
    if (own) Object.assign(own, { content, twins: [...own.twins, ...lines.map((l) => l.twin)] });
    else if (content !== before) updates.push({ path: barrel, before, content, twins: [...new Set(lines.map((l) => l.twin))], usesCompat: false });
  }
  return updates;
}
