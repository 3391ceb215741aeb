/**
 * Analysis across files for pages/api files whose handler lives in another module: `export { default } from …`,
 * `import h from …; export default h`, and delegating shells (`return handleRoute(req, res)`).
 *
 * "Migrate the module that holds the handler, keep every other importer working": the import is followed (through
 * relative paths and tsconfig `paths`, along a chain of re-exports) to the module that declares the function; that
 * module gets a route-handler twin beside the original (transforms/handler-twin.ts) as a planned module update, and
 * the route re-exports the twin. The twin depends on the route (its dynamic segments decide `params`, its config the
 * body reading), so a handler that routes with different segments or config share is left (HANDLER_MODULE_SHARED).
 * Reads the disk, never writes it.
 */
import path from 'node:path';
import { nodeText, type Node } from '../transforms/lib/ast.js';
import { reexportShapeOf, delegateOf } from '../transforms/lib/reexport-shape.js';
import { routeParamsOf } from '../transforms/lib/route-params.js';
import { declarationOf, exportBinding, twinRouteHandler, type HandlerTwin } from '../transforms/handler-twin.js';
import type { HandlerModuleRef, ImportedHelper, SubHandlerRef } from '../transforms/types.js';
import { findSubHandlerCalls } from './sub-handler-calls.js';
import { isRequestParam } from '../transforms/lib/request-helper.js';
import { isResponseParam } from '../transforms/lib/res-helpers.js';
import type { Diagnostic } from './diagnostics.js';
import { errorLine } from './errors.js';
import type { ModuleUpdate } from './imported-helpers.js';
import type { Resolver } from './resolver.js';
import { moduleSpecifier } from './specifiers.js';

/**
 * Cheap text test before parsing (most handlers are not re-exports): a default re-export from another file, or an
 * imported name that is default-exported or called with two arguments (`return handleRoute(req, res)`).
 */
function mayReexport(text: string): boolean {
  if (/export\s*\{[^}]*\bdefault\b[^}]*\}\s*from/.test(text)) return true;
  const names = [
    ...text.matchAll(/export\s+default\s+([\w$]+)\s*;?\s*$/gm),
    ...text.matchAll(/export\s*\{\s*([\w$]+)\s+as\s+default\s*\}/g),
    ...text.matchAll(/\b([\w$]+)\(\s*[\w$]+\s*,\s*[\w$]+\s*\)\s*;?\s*\}?\s*;?\s*$/gm),
  ].map((m) => m[1]);
  return names.some((name) => new RegExp(`\\bimport\\s[^;]*?\\b${name.replace(/\$/g, '\\$')}\\b[^;]*?\\bfrom\\b`).test(text));
}
const MAX_CHAIN = 8;

interface Resolved {
  module: string;
  exportName: string;
  /** The modules passed on the way, the first one included. */
  chain: string[];
}

interface User {
  source: string;
  /** A sub-handler call (`return handleGet(req, res, id)`): the import as the pages file writes it. */
  sub?: { specifier: string; imported: string };
  target: string;
  /** How the route imports the module, seen from the pages file. */
  specifier: string;
  configStatement?: string;
  compatPath: string;
}

export interface HandlerModules {
  /** Per source: the twin its route re-exports, or why it is left. */
  refs: Map<string, HandlerModuleRef>;
  /** Per source: the sub-handlers of other modules it calls with its req and res, and their twins (or why none). */
  subRefs: Map<string, SubHandlerRef[]>;
  /** The module updates the routes in `writable` need (each module gets the twins of its users only). */
  updates(writable: Set<string>): ModuleUpdate[];
  /** The sources whose routes re-export twins of `module`. */
  usersOf(module: string): string[];
  /** Per source: the other pages/api file whose default export (its handler) it serves (src/alias-routes.ts). */
  servedPages: Map<string, AliasOf>;
}

/** A pages/api file that serves another one's handler under its own URL, and the config it gives that handler. */
export interface AliasOf {
  /** The other pages/api file. */
  served: string;
  /** Its own `export const config = …` statement; `module` when it re-exports the other file's config. */
  config: string | 'module' | null;
  /** The other file's config statement. */
  servedConfig: string | null;
}

/** The module's `export const config = …` statement, as its text writes it. */
function configStatementOf(program: Node, text: string): string | undefined {
  const config = program.body.find((s: Node) => s.type === 'ExportNamedDeclaration' && s.declaration?.declarations?.[0]?.id?.name === 'config');
  return config ? nodeText(config, text.replace(/^\uFEFF/, '')) : undefined;
}

function leftRef(reason: Diagnostic['reason'], detail: string): HandlerModuleRef {
  return { left: { reason, detail } };
}

/** The helpers, wrappers and dispatchers of other modules that each of these modules imports (src/imported-helpers.ts). */
export type HelpersOf = (modules: Array<{ source: string; text: string }>) => Map<string, ImportedHelper[]>;

export function findHandlerModules(
  sources: Array<{ source: string; text: string }>,
  apiDirs: string[],
  paths: { compatPathOf: (source: string) => string; targetOf: (source: string) => string; isPage: (file: string) => boolean },
  nextVersion: string,
  resolver: Resolver,
  helpersOf: HelpersOf,
  knownHelpers: Map<string, ImportedHelper[]> = new Map(),
): HandlerModules {
  const { aliases } = resolver;
  const isApiPage = (module: string) => apiDirs.some((dir) => module.startsWith(`${dir}/`)) && paths.isPage(module);
  const isAlias = (specifier: string) => Object.keys(aliases.paths).some((p) => (p.endsWith('*') ? specifier.startsWith(p.slice(0, -1)) : specifier === p));

  const follow = (from: string, specifier: string, imported: string, chain: string[]): Resolved | Diagnostic => {
    const module = resolver.resolve(from, specifier);
    if (!module) {
      const what = specifier.startsWith('.') || isAlias(specifier) ? 'is no file of the project the tool can read' : 'is a package, not a project module';
      return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `${specifier} ${what}` };
    }
    // Another route; a module beside the pages that Next.js does not serve (NOT_A_PAGE) is followed like any other.
    // Its route is written in the same run, under another URL (and params, and config): what to do instead is said.
    if (isApiPage(module)) return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `${module} is another pages/api file (move its handler into a module outside pages/api and import it from both, a shape the tool can follow)` };
    if (chain.includes(`${module}#${imported}`)) return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `the re-exports loop: ${[...chain, `${module}#${imported}`].map((c) => c.split('#')[0]).join(' → ')}` };
    if (chain.length >= MAX_CHAIN) return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `more than ${MAX_CHAIN} re-exports in a row` };
    const program = resolver.program(module);
    if (!program) return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `${module} cannot be read or parsed` };
    const next = [...chain, `${module}#${imported}`];
    const binding = exportBinding(program, imported);
    if (!binding) return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `${module} has no export ${imported}` };
    if (binding.kind === 'other') return { reason: 'HANDLER_MODULE_UNRESOLVED', detail: `the export ${imported} of ${module} is not a function the tool can follow` };
    if (binding.kind === 'import') return follow(module, binding.specifier, binding.imported, next);
    // A delegating shell in the module too: follow it to the function that does the work.
    const callee = delegateOf(binding.fn);
    const calleeBinding = callee ? declarationOf(program, callee) : null;
    if (calleeBinding?.kind === 'import') return follow(module, calleeBinding.specifier, calleeBinding.imported, next);
    return { module, exportName: imported, chain: next.map((c) => c.split('#')[0]) };
  };

  /** How the route imports the module: the pages file's own specifier when it names it, else a path from there. */
  const specifierFor = (source: string, original: string, resolved: Resolved): string =>
    resolved.chain.length === 1 ? original : moduleSpecifier(aliases, source, resolved.module, !original.startsWith('.'));

  const refs = new Map<string, HandlerModuleRef>();
  /** The sources that re-export or delegate their whole handler: no sub-handler calls are looked for in them. */
  const reexporting = new Set<string>();
  /** module → export → users. */
  const byModule = new Map<string, Map<string, User[]>>();
  const servedPages = new Map<string, AliasOf>();
  for (const { source, text } of sources) {
    if (!mayReexport(text)) continue;
    const program = resolver.program(source, text);
    if (!program) continue;
    const shape = reexportShapeOf(program);
    if (!shape) continue;
    reexporting.add(source);
    const resolved = follow(source, shape.specifier, shape.imported, []);
    let configStatement = configStatementOf(program, text);
    if ('reason' in resolved) {
      // Left for the transform; the plan may yet serve another page's handler by re-exporting that page's route.
      refs.set(source, { left: resolved });
      const served = shape.imported === 'default' ? resolver.resolve(source, shape.specifier) : null;
      const servedProgram = served && isApiPage(served) ? resolver.program(served) : null;
      if (served && servedProgram) servedPages.set(source, { served, config: shape.configFromModule ? 'module' : (configStatement ?? null), servedConfig: configStatementOf(servedProgram, resolver.text(served) ?? '') ?? null });
      continue;
    }
    if (shape.configFromModule) {
      const first = resolved.chain[0];
      const moduleProgram = resolver.program(first);
      configStatement = moduleProgram ? configStatementOf(moduleProgram, resolver.text(first) ?? '') : undefined;
      if (configStatement === undefined) {
        refs.set(source, leftRef('CONFIG_UNREADABLE', `config is re-exported from ${first}, which does not declare it as export const config`));
        continue;
      }
    }
    const user: User = { source, target: paths.targetOf(source), specifier: specifierFor(source, shape.specifier, resolved), configStatement, compatPath: paths.compatPathOf(source) };
    const exports = byModule.get(resolved.module) ?? new Map<string, User[]>();
    exports.set(resolved.exportName, [...(exports.get(resolved.exportName) ?? []), user]);
    byModule.set(resolved.module, exports);
  }

  // Sub-handlers: `return handleGet(req, res, id)` in a handler of its own, handleGet of a project module. Each gets
  // a twin made as a handler module's is, one function for every method, under its own key (`handleGet\0sub`).
  const subRefs = new Map<string, SubHandlerRef[]>();
  const subKey = (exportName: string) => `${exportName}\0sub`;
  for (const { source, text } of sources) {
    if (reexporting.has(source)) continue;
    for (const call of findSubHandlerCalls(resolver, source, text)) {
      // Helpers the tool knows another way (a session helper, a cors middleware) keep that way. A guard (which the
      // helpers pass also finds in a function that always answers) is only rewritten where its value is tested:
      // where it is returned as the handler's answer, it is a sub-handler.
      const known = knownHelpers.get(source)?.find((h) => h.specifier === call.specifier && h.imported === call.imported);
      if (known && (known.kind !== 'guard' || call.valueUsed)) continue;
      const resolved = follow(source, call.specifier, call.imported, []);
      const entry = { specifier: call.specifier, imported: call.imported };
      if ('reason' in resolved) {
        // A package's function is no sub-handler: the route's own rewrite says what it does with req.
        if (resolved.detail?.includes('is a package')) continue;
        subRefs.set(source, [...(subRefs.get(source) ?? []), { ...entry, left: { reason: resolved.reason, detail: `${call.imported === 'default' ? call.specifier : call.imported}(): ${resolved.detail}` } }]);
        continue;
      }
      // Only a function that takes the Pages request and response first is a sub-handler.
      const binding = exportBinding(resolver.program(resolved.module)!, resolved.exportName);
      const [req, res] = binding?.kind === 'local' ? binding.fn.params : [];
      if (!req || !res || !isRequestParam(req) || !isResponseParam(res)) continue;
      const user: User = { source, target: paths.targetOf(source), specifier: specifierFor(source, call.specifier, resolved), configStatement: call.configStatement, compatPath: paths.compatPathOf(source), sub: entry };
      const exports = byModule.get(resolved.module) ?? new Map<string, User[]>();
      exports.set(subKey(resolved.exportName), [...(exports.get(subKey(resolved.exportName)) ?? []), user]);
      byModule.set(resolved.module, exports);
    }
  }

  // A handler module calls helpers of other modules as a pages/api file would: their twins serve its twin.
  const withText = [...byModule.keys()].flatMap((module) => {
    const text = resolver.text(module);
    return text ? [{ source: module, text }] : [];
  });
  const moduleHelpers = withText.length ? helpersOf(withText) : new Map<string, ImportedHelper[]>();

  /** A module the tool fails on leaves the routes that re-export it, not the whole run. */
  const twinOrError = (twin: () => HandlerTwin | { left: Diagnostic }, module: string): HandlerTwin | { left: Diagnostic } => {
    try {
      return twin();
    } catch (error) {
      return { left: { reason: 'INTERNAL_ERROR', detail: `in ${module}: ${errorLine(error)}` } };
    }
  };

  /** The module's text with the twins of `needed` exports, and each export's twin (or why there is none). */
  const twinsFor = (module: string, needed: Map<string, User[]>) => {
    let text = resolver.text(module) ?? '';
    const results = new Map<string, HandlerTwin | { left: Diagnostic }>();
    for (const [key, users] of [...needed].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [first] = users;
      const [exportName, sub] = key.split('\0');
      const variant = (u: User) => JSON.stringify([routeParamsOf(u.target), u.configStatement ?? null, path.posix.extname(u.target), u.compatPath]);
      // A sub-handler that reads no query serves routes with any dynamic segments: made as for a route without them.
      const withoutParams = (u: User) => JSON.stringify([u.configStatement ?? null, path.posix.extname(u.target), u.compatPath]);
      const paramsDiffer = !!sub && users.some((u) => variant(u) !== variant(first)) && users.every((u) => withoutParams(u) === withoutParams(first));
      if (paramsDiffer) {
        const routeTarget = first.target.split('/').map((segment) => (segment.startsWith('[') ? `_${segment.replace(/[[\].]/g, '')}` : segment)).join('/');
        const result = twinOrError(() => twinRouteHandler(text, { modulePath: module, exportName, routeTarget, compatPath: first.compatPath, nextVersion, configStatement: first.configStatement, importedHelpers: moduleHelpers.get(module), subHandler: true }), module);
        const routes = users.map((u) => u.target).join(', ');
        const shared = 'output' in result && result.readsQuery ? { left: { reason: 'HANDLER_MODULE_SHARED' as const, detail: `${module} export ${exportName} reads req.query, and routes with different dynamic segments call it: ${routes}` } } : result;
        results.set(key, shared);
        if ('output' in shared) text = shared.output;
        continue;
      }
      if (users.some((u) => variant(u) !== variant(first))) {
        const routes = users.map((u) => u.target).join(', ');
        results.set(key, { left: { reason: 'HANDLER_MODULE_SHARED', detail: `${module} export ${exportName} serves routes with different dynamic segments or config: ${routes}` } });
        continue;
      }
      const result = twinOrError(() => twinRouteHandler(text, { modulePath: module, exportName, routeTarget: first.target, compatPath: first.compatPath, nextVersion, configStatement: first.configStatement, importedHelpers: moduleHelpers.get(module), ...(sub ? { subHandler: true } : {}) }), module);
      results.set(key, result);
      if ('output' in result) text = result.output;
    }
    return { text, results };
  };

  // The twins of a module for a set of its exports, made once: the plan asks for all of them first, then (before and
  // after the moves are settled) for those the migrated routes need.
  const twinned = new Map<string, ReturnType<typeof twinsFor>>();
  const twinsOnce = (module: string, needed: Map<string, User[]>) => {
    const key = `${module}\0${[...needed.keys()].sort().join('\0')}`;
    if (!twinned.has(key)) twinned.set(key, twinsFor(module, needed));
    return twinned.get(key)!;
  };

  for (const [module, exports] of byModule) {
    const result = twinsOnce(module, exports);
    for (const [key, users] of exports) {
      const twin = result.results.get(key)!;
      for (const user of users) {
        if (user.sub) {
          // The route names the module and its blocker; the twin's config markers are the route's own already.
          const ref: SubHandlerRef =
            'left' in twin
              ? { ...user.sub, left: twin.left }
              : { ...user.sub, twinSpecifier: user.specifier, twin: twin.exports[0].twin, readsBody: twin.readsBody, ...(twin.bodyIndex !== undefined ? { bodyIndex: twin.bodyIndex } : {}), module, markers: twin.markers.filter((m) => m.reason !== 'CONFIG_DROPPED'), notes: twin.notes };
          subRefs.set(user.source, [...(subRefs.get(user.source) ?? []), ref]);
        } else if ('left' in twin) refs.set(user.source, twin);
        else refs.set(user.source, { specifier: user.specifier, exports: twin.exports, head: twin.head, markers: twin.markers, notes: twin.notes, methods: twin.methods });
      }
    }
  }

  const usersOf = (module: string) => [...(byModule.get(module)?.values() ?? [])].flat().map((u) => u.source);
  return {
    refs,
    subRefs,
    usersOf,
    servedPages,
    updates(writable) {
      const updates: ModuleUpdate[] = [];
      for (const [module, exports] of [...byModule].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const needed = new Map([...exports].filter(([, users]) => users.some((u) => writable.has(u.source))));
        if (!needed.size) continue;
        // Only the twins some migrated route needs; the same text as planned when every user migrates.
        const { text, results } = twinsOnce(module, needed);
        const twins = [...results.values()].filter((r): r is HandlerTwin => 'output' in r);
        if (!twins.length) continue;
        const helpersUsed = twins.flatMap((t) => t.helpersUsed);
        updates.push({ path: module, before: resolver.text(module) ?? '', content: text, twins: twins.flatMap((t) => t.exports.map((e) => e.twin)), usesCompat: twins.some((t) => t.usesCompat), ...(helpersUsed.length ? { helpersUsed } : {}) });
      }
      return updates;
    },
  };
}
