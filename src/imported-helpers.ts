/**
 * Analysis across files: helpers in other project modules that handlers call with `res`
 * (`errorhandler(err, res)` from `@/lib/errorHandler`). Imports are resolved through relative paths and the
 * `paths` of tsconfig.json / jsconfig.json; each module is read once and given to the pure twinResponseHelpers.
 * Reads the disk, never writes it.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { twinNames, twinResponseHelpers, type HelperTwin } from '../transforms/helper-module.js';
import type { ImportedHelper } from '../transforms/types.js';
import { barrelClashes, definitionOf, withTwinReExports, type Definition } from './barrels.js';
import { apiFor, type Node } from '../transforms/lib/ast.js';

export interface PathAliases {
  baseUrl: string;
  paths: Record<string, string[]>;
  /** tsconfig sets baseUrl: then `utils/api` may name `<baseUrl>/utils/api.ts`, as TypeScript and Next resolve it. */
  fromBaseUrl?: boolean;
}

/** tsconfig.json allows comments and trailing commas; JSON.parse does not. */
function parseJsonc(text: string): unknown {
  const withoutComments = text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string: string | undefined) => string ?? '');
  return JSON.parse(withoutComments.replace(/,(\s*[}\]])/g, '$1'));
}

function readPathAliases(root: string): PathAliases {
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    try {
      const config = parseJsonc(readFileSync(path.join(root, name), 'utf8')) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
      const options = config.compilerOptions ?? {};
      return { baseUrl: options.baseUrl ?? '.', paths: options.paths ?? {}, fromBaseUrl: options.baseUrl !== undefined };
    } catch {
      // No such file, or not JSON we can read: relative imports still resolve.
    }
  }
  return { baseUrl: '.', paths: {} };
}

/** Whether `rel` reaches its file without passing a symlink (inside or outside the root). */
function isRealPath(root: string, rel: string): boolean {
  try {
    return realpathSync(path.join(root, rel)) === path.join(realpathSync(root), rel);
  } catch {
    return false;
  }
}

const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '/index.ts', '/index.tsx', '/index.js', '/index.jsx'];

/** The project file an import specifier names, relative to the root (posix), or null (a package, or outside). */
function resolveSpecifier(root: string, fromFile: string, specifier: string, aliases: PathAliases): string | null {
  const bases: string[] = [];
  if (specifier.startsWith('.')) bases.push(path.join(root, path.dirname(fromFile), specifier));
  for (const [pattern, targets] of Object.entries(aliases.paths)) {
    const star = pattern.endsWith('*');
    const prefix = star ? pattern.slice(0, -1) : pattern;
    if (star ? !specifier.startsWith(prefix) : specifier !== pattern) continue;
    for (const target of targets) bases.push(path.join(root, aliases.baseUrl, target.replace('*', specifier.slice(prefix.length))));
  }
  // After the paths, before packages: a project file under baseUrl wins over a package of that name, as in tsc.
  if (aliases.fromBaseUrl && !specifier.startsWith('.') && !specifier.startsWith('/')) bases.push(path.join(root, aliases.baseUrl, specifier));
  for (const base of bases) {
    for (const ext of EXTENSIONS) {
      const file = base + ext;
      const rel = path.relative(root, file);
      if (rel.startsWith('..') || path.isAbsolute(rel) || rel.split(path.sep).includes('node_modules')) continue;
      // No symlink on the way: the module may get a twin, and the tool never writes through a link.
      if (existsSync(file) && statSync(file).isFile() && isRealPath(root, rel)) return rel.split(path.sep).join('/');
    }
  }
  return null;
}

/**
 * What every pass across files shares, one per run: tsconfig's aliases, the import resolution, and the syntax trees of
 * the files the passes parse (a pages/api file is often looked at by two). The passes only read the trees.
 */
export interface Resolver {
  aliases: PathAliases;
  /** resolveSpecifier, once per folder and specifier (the tree does not change while the plan is made). */
  resolve(fromFile: string, specifier: string): string | null;
  /** The program of `file`, whose text is `text`, parsed once; null when it does not parse. */
  program(file: string, text: string): Node | null;
}

export function createResolver(root: string): Resolver {
  const aliases = readPathAliases(root);
  const resolved = new Map<string, string | null>();
  const programs = new Map<string, Node | null>();
  return {
    aliases,
    resolve(fromFile, specifier) {
      const key = specifier.startsWith('.') ? `${path.posix.dirname(fromFile)}\0${specifier}` : specifier;
      let module = resolved.get(key);
      if (module === undefined) resolved.set(key, (module = resolveSpecifier(root, fromFile, specifier, aliases)));
      return module;
    },
    program(file, text) {
      if (!programs.has(file)) {
        let program: Node | null;
        try {
          program = apiFor(file)(text.replace(/^\uFEFF/, '')).get().node.program;
        } catch {
          program = null;
        }
        programs.set(file, program);
      }
      return programs.get(file) ?? null;
    },
  };
}

interface Candidate {
  source: string;
  specifier: string;
  /** The name the source imports. */
  imported: string;
  /** Where it is defined, through any barrels (src/barrels.ts). */
  definition: Definition;
  /** Found only as the maker of a module-level const (`const limiter = rateLimit(…)`): a factory or nothing. */
  factoryOnly?: boolean;
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
function candidatesIn(resolver: Resolver, readText: (file: string) => string | null, source: string, text: string): Candidate[] {
  const found: Candidate[] = [];
  // A factory whose object's methods may take res: `const limiter = rateLimit(…)` and a call `x.check(res, …)`.
  const passesResToMethod = /\.\s*[\w$]+\s*\(\s*(?:res|response)\b/.test(text);
  const isUsed = (local: string) =>
    new RegExp(`\\b${local}\\s*\\([^;]*\\b(res|response|req|request)\\b`).test(text) || new RegExp(`export\\s+default\\s+(?:[\\w$]+\\s*\\(\\s*)*${local}\\s*\\(`).test(text);
  const makesConst = (local: string) => passesResToMethod && new RegExp(`\\bconst\\s+[\\w$]+\\s*=\\s*${local}\\s*\\(`).test(text);
  const add = (specifier: string, imported: string, factoryOnly: boolean) => {
    const module = resolver.resolve(source, specifier);
    const definition = module ? definitionOf(resolver, readText, module, imported) : null;
    if (definition) found.push({ source, specifier, imported, definition, ...(factoryOnly ? { factoryOnly } : {}) });
  };
  for (const { specifier, imported, local } of importBindings(text)) {
    if (isUsed(local)) add(specifier, imported, false);
    else if (makesConst(local)) add(specifier, imported, true);
  }
  return found;
}

export interface HelperModulePlan {
  /** Module path relative to the root → its text and the helper names handlers call with `res`. */
  modules: Map<string, { text: string; names: Set<string> }>;
  /** Per source: the helpers it may call, with their twins, for the transform context. */
  bindings: Map<string, ImportedHelper[]>;
  /** Per source, specifier and imported name (definitionKey): where the helper is defined, to map `helpersUsed` back. */
  definitions: Map<string, Definition>;
  /** Module path → its text, as read once for the plan. */
  texts: Map<string, string | null>;
}

const definitionKey = (source: string, helper: { specifier: string; imported: string }) => `${source}\0${helper.specifier}\0${helper.imported}`;

/** Adds the findings of a second pass (over handler modules) to `plan`: sources differ, helper modules may be shared. */
export function mergeHelperPlans(plan: HelperModulePlan, other: HelperModulePlan): void {
  for (const [module, { text, names }] of other.modules) {
    const entry = plan.modules.get(module);
    if (entry) names.forEach((n) => entry.names.add(n));
    else plan.modules.set(module, { text, names: new Set(names) });
  }
  for (const [source, bindings] of other.bindings) plan.bindings.set(source, [...(plan.bindings.get(source) ?? []), ...bindings]);
  for (const [key, definition] of other.definitions) plan.definitions.set(key, definition);
  for (const [file, text] of other.texts) if (!plan.texts.has(file)) plan.texts.set(file, text);
}

/** Whether `barrel` passes on a helper a source uses (its update is then one the source needs). */
export function passesOn(plan: HelperModulePlan, source: string, helper: { specifier: string; imported: string }, barrel: string): boolean {
  return !!plan.definitions.get(definitionKey(source, helper))?.hops.some((hop) => hop.barrel === barrel);
}

/** The module that defines a helper a source uses (through any barrels), or undefined. */
export function moduleOf(plan: HelperModulePlan, source: string, helper: { specifier: string; imported: string }): string | undefined {
  return plan.definitions.get(definitionKey(source, helper))?.module;
}


export async function findImportedHelpers(root: string, sources: Array<{ source: string; text: string }>, compatPath: string, nextVersion: string, resolver: Resolver): Promise<HelperModulePlan> {
  const plan: HelperModulePlan = { modules: new Map(), bindings: new Map(), definitions: new Map(), texts: new Map() };
  const readText = (file: string): string | null => {
    if (!plan.texts.has(file)) {
      try {
        plan.texts.set(file, readFileSync(path.join(root, file), 'utf8'));
      } catch {
        plan.texts.set(file, null);
      }
    }
    return plan.texts.get(file) ?? null;
  };
  const candidates = sources.flatMap(({ source, text }) => candidatesIn(resolver, readText, source, text));
  for (const { definition } of candidates) {
    const text = readText(definition.module);
    if (text === null) continue;
    if (!plan.modules.has(definition.module)) plan.modules.set(definition.module, { text, names: new Set() });
    plan.modules.get(definition.module)!.names.add(definition.name);
  }
  const twins = new Map<string, HelperTwin[]>();
  if (plan.modules.size > 0) {
    for (const [module, { text, names }] of plan.modules) twins.set(module, twinResponseHelpers(text, { modulePath: module, compatPath, nextVersion }, [...names]).twins);
  }
  const twinOf = (c: Candidate) => twins.get(c.definition.module)?.find((t) => t.name === c.definition.name);
  // A factory's twins are methods of its object: no barrel passes them on, so none can clash there.
  const clashes = barrelClashes(candidates.flatMap((c) => (twinOf(c) && twinOf(c)!.kind !== 'factory' ? [{ definition: c.definition, twin: twinOf(c)!.twin }] : [])), readText, resolver);
  for (const c of candidates) {
    const twin = twinOf(c);
    if (!twin || (c.factoryOnly && twin.kind !== 'factory') || c.definition.hops.some((hop) => clashes.has(`${hop.barrel}\0${twin.twin}`))) continue;
    if (!plan.bindings.has(c.source)) plan.bindings.set(c.source, []);
    plan.bindings.get(c.source)!.push({ kind: twin.kind, specifier: c.specifier, imported: c.imported, twin: twin.twin, resIndex: twin.resIndex, statuses: twin.statuses, ...(twin.methods ? { methods: twin.methods } : {}), ...(twin.called ? { called: true } : {}), ...(twin.setsHeaders !== undefined ? { setsHeaders: twin.setsHeaders } : {}), ...(twin.bodyIndex !== undefined ? { bodyIndex: twin.bodyIndex } : {}), ...(twin.headerMethods ? { headerMethods: twin.headerMethods } : {}) });
    plan.definitions.set(definitionKey(c.source, c), { ...c.definition, twin: twin.twin });
  }
  return plan;
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
export async function moduleUpdates(plan: HelperModulePlan, used: Array<{ source: string; helpers: ImportedHelper[] }>, compatPath: string, nextVersion: string): Promise<ModuleUpdate[]> {
  const names = new Map<string, Set<string>>();
  // Barrel → the twins it passes on, each with the specifier it re-exports the original from.
  const passedOn = new Map<string, Array<{ from: string; twin: string }>>();
  for (const { source, helpers } of used) {
    for (const helper of helpers) {
      const definition = plan.definitions.get(definitionKey(source, helper));
      if (!definition) continue;
      if (!names.has(definition.module)) names.set(definition.module, new Set());
      names.get(definition.module)!.add(definition.name);
      // A factory keeps its name: the barrels on the way pass it on as they did.
      if (helper.kind === 'factory') continue;
      for (const hop of definition.hops.filter((h) => !h.star)) passedOn.set(hop.barrel, [...(passedOn.get(hop.barrel) ?? []), { from: hop.from, twin: definition.twin! }]);
    }
  }
  const updates: ModuleUpdate[] = [];
  if (names.size === 0) return updates;
  for (const [module, set] of [...names].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = plan.modules.get(module)!.text;
    const result = twinResponseHelpers(before, { modulePath: module, compatPath, nextVersion }, [...set]);
    if (!result.output) continue;
    updates.push({ path: module, before, content: result.output, twins: [...result.twins.flatMap(twinNames), ...(result.calledTwins ?? [])], usesCompat: /_migrate\/pages-compat['"]/.test(result.output) });
  }
  for (const [barrel, lines] of [...passedOn].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A barrel that also defines helpers of its own gets both changes in one update.
    const own = updates.find((u) => u.path === barrel);
    const before = plan.texts.get(barrel) ?? '';
    const content = withTwinReExports(own?.content ?? before, lines);
    if (own) Object.assign(own, { content, twins: [...own.twins, ...lines.map((l) => l.twin)] });
    else if (content !== before) updates.push({ path: barrel, before, content, twins: [...new Set(lines.map((l) => l.twin))], usesCompat: false });
  }
  return updates;
}
