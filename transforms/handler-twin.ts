/**
 * A `(req, res)` handler exported by a project module (`lib/`, `ee/`…) that a pages/api file re-exports or delegates
 * to. The module gets a route-handler twin of it: one function per method group, written right after the original
 * (`handleRoutePOST(request, context)`), which the route re-exports (`export { handleRoutePOST as POST } from …`).
 * The original stays as it was, for the Pages code that still imports it.
 *
 * The twin is made by the route transform itself, run on a copy of the module in which the handler is the only
 * export: its method functions are then lifted back into the real module. Everything else the transform would
 * change in that copy (a local `res` helper it rewrites, say) would change the original handler too: then the
 * module is left alone. Pure: module text in, module text out.
 */
import { ALL_METHODS } from './lib/split-methods.js';
import { declaredName } from './lib/free-names.js';
import { mayHoldTwins, sameTwin } from './lib/prior-twins.js';
import { posix } from 'node:path';
import { isConfigExport, isSegmentExport } from './lib/config.js';
import { apiFor, freshName, functionOf, isTypeScriptPath, namesIn, unwrap, walk, Snippets, type Node } from './lib/ast.js';
import { addImport, addToImport, compatSpecifier, importedTwice } from './lib/imports.js';
import { printProgram } from './lib/print.js';
import { openSource, parseSourceOrNull } from './lib/source-text.js';
import { transformSource } from './pages-api-to-route-handler.js';
import type { Diagnostic, Reason } from '../src/diagnostics.js';
import type { ImportedHelper } from './types.js';


/** What a module export is: a function declared in the module, or a binding another module provides. */
export type ExportBinding =
  | { kind: 'local'; local: string | null; fn: Node; index: number }
  | { kind: 'import'; specifier: string; imported: string }
  | { kind: 'other' };


/** The top-level declaration of `name`, looking through `export`: a local function, or an import. */
export function declarationOf(program: Node, name: string): ExportBinding | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (stmt.type === 'ImportDeclaration' && stmt.importKind !== 'type') {
      for (const s of stmt.specifiers ?? []) {
        if (s.local?.name !== name) continue;
        if (s.type === 'ImportDefaultSpecifier') return { kind: 'import', specifier: stmt.source.value, imported: 'default' };
        if (s.type === 'ImportSpecifier') return { kind: 'import', specifier: stmt.source.value, imported: s.imported.name ?? s.imported.value };
        return { kind: 'other' };
      }
    }
    const decl = stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration' ? stmt.declaration : stmt;
    if (decl?.type === 'FunctionDeclaration' && decl.id?.name === name) return { kind: 'local', local: name, fn: decl, index };
    if (decl?.type === 'VariableDeclaration') {
      for (const d of decl.declarations) {
        if (d.id.type !== 'Identifier' || d.id.name !== name) continue;
        const fn = functionOf(d.init);
        return fn && decl.declarations.length === 1 ? { kind: 'local', local: name, fn, index } : { kind: 'other' };
      }
    }
  }
  return null;
}

/** What the module exports as `name` (`default` included). */
export function exportBinding(program: Node, name: string): ExportBinding | null {
  for (let index = 0; index < program.body.length; index++) {
    const stmt = program.body[index];
    if (name === 'default' && stmt.type === 'ExportDefaultDeclaration') {
      const fn = functionOf(stmt.declaration);
      if (fn) return { kind: 'local', local: fn.id?.name ?? null, fn, index };
      const inner = unwrap(stmt.declaration);
      return inner?.type === 'Identifier' ? declarationOf(program, inner.name) : { kind: 'other' };
    }
    if (stmt.type === 'ExportNamedDeclaration' && stmt.exportKind !== 'type') {
      const spec = stmt.specifiers?.find((s: Node) => (s.exported?.name ?? s.exported?.value) === name);
      if (spec) return stmt.source ? { kind: 'import', specifier: stmt.source.value, imported: spec.local?.name ?? 'default' } : declarationOf(program, spec.local.name);
      if (stmt.declaration && name !== 'default') {
        const found = declarationOf({ body: [stmt] }, name);
        if (found?.kind === 'local') return { ...found, index };
        if (found) return found;
      }
    }
  }
  return null;
}

export interface HandlerTwinContext {
  /** Posix path of the module relative to the app root. */
  modulePath: string;
  /** The export that is the handler (`default` or a name); exportBinding must find it as a local function. */
  exportName: string;
  /** The route file that will re-export the twin: its dynamic segments decide `params`. */
  routeTarget: string;
  compatPath: string;
  nextVersion: string;
  /** The route's `export const config = …` statement (the page's own, or the module's it re-exports). */
  configStatement?: string;
  /** Helpers, wrappers and dispatchers of other modules the module imports, with their twins (src/imported-helpers.ts). */
  importedHelpers?: ImportedHelper[];
  /**
   * A sub-handler the route calls with its `(req, res)` and more (`return handleGet(req, res, id)`): the twin is one
   * function for every method (the route chose the method), `handleGetRoute(request, context, id)`, taking every
   * parameter.
   */
  subHandler?: boolean;
}

export interface HandlerTwin {
  /** Module text with the twin added. */
  output: string;
  /** The twin's exports and the methods each serves. */
  exports: Array<{ twin: string; methods: string[] }>;
  /** Segment exports the route itself must hold (they must be literal there): `export const dynamic = …`. */
  head: string[];
  /** Markers the transform placed (config keys it does not know): the route carries them. */
  markers: Array<{ reason: Reason; detail?: string }>;
  notes: string[];
  methods: string[];
  usesCompat: boolean;
  /** The twins of other modules' helpers the twin calls: those modules get them in the same run. */
  helpersUsed: ImportedHelper[];
  /** The twin reads the request body. */
  readsBody: boolean;
  /** A sub-handler's twin that takes the parsed body: its position among the parameters. */
  bodyIndex?: number;
  /** The twin reads the query or the route's params: it depends on the route's dynamic segments. */
  readsQuery: boolean;
}

function left(reason: Reason, detail: string): { left: Diagnostic } {
  return { left: { reason, detail } };
}

/**
 * The module as a pages/api file would hold it: the handler is the only export, every other export is a plain
 * declaration (so the transform neither refuses them nor the route keeps them), and the route's config is added.
 */
function handlerOnlyCopy(j: ReturnType<typeof apiFor>, text: string, exportName: string, semi: boolean, configStatement?: string): string | null {
  const root = j(text);
  const program = root.get().node.program;
  const binding = exportBinding(program, exportName);
  if (binding?.kind !== 'local') return null;
  const keepDefault = program.body[binding.index]?.type === 'ExportDefaultDeclaration' && functionOf(program.body[binding.index].declaration) === binding.fn;
  if (!keepDefault && !binding.local) return null;
  program.body = program.body.flatMap((stmt: Node, i: number) => {
    if (isConfigExport(stmt)) return [];
    if (stmt.type === 'ExportAllDeclaration') return [];
    if (stmt.type === 'ExportDefaultDeclaration') {
      if (keepDefault && i === binding.index) return [stmt];
      const decl = stmt.declaration;
      return (decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration') && decl.id ? [decl] : [];
    }
    if (stmt.type === 'ExportNamedDeclaration') return stmt.declaration ? [stmt.declaration] : [];
    return [stmt];
  });
  let copy = root.toSource();
  // In the module's own style: the transform writes semicolons as the file it reads does.
  if (!keepDefault) copy += `\nexport default ${binding.local}${semi ? ';' : ''}\n`;
  if (configStatement) copy += `\n${configStatement}\n`;
  return copy;
}

/** `const handler = dispatcherRoute({ GET: f, … }, …)` exported under method names: the dispatched route's export. */
function dispatchedConst(program: Node, shared: Map<string, string[]>): Node | null {
  return (
    program.body.find((stmt: Node) => {
      const name = declaredName(stmt);
      const init = stmt.type === 'VariableDeclaration' ? unwrap(stmt.declarations[0].init) : null;
      return name !== null && shared.has(name) && init?.type === 'CallExpression' && init.arguments.some((a: Node) => unwrap(a)?.type === 'ObjectExpression');
    }) ?? null
  );
}

/** The function names a dispatched const's map holds (`{ GET: handleGET }` → handleGET). */
function mapNames(dispatch: Node): string[] {
  const call = unwrap(dispatch.declarations[0].init);
  return call.arguments
    .map(unwrap)
    .filter((a: Node) => a?.type === 'ObjectExpression')
    .flatMap((map: Node) => map.properties.map((p: Node) => p.value).filter((v: Node) => v?.type === 'Identifier').map((v: Node) => v.name));
}

/** Statements of a program printed without their comments, for comparing two versions of a module. */
function printedStatements(snip: Snippets, nodes: Node[]): string[] {
  return nodes.map((n) => snip.src({ ...n, comments: undefined, leadingComments: undefined, trailingComments: undefined }).trim());
}

export function twinRouteHandler(rawText: string, ctx: HandlerTwinContext): HandlerTwin | { left: Diagnostic } {
  const { source, j, snip } = openSource(rawText, ctx.modulePath);
  const where = `in ${ctx.modulePath}`;
  let copy: string | null;
  try {
    copy = handlerOnlyCopy(j, source.text, ctx.exportName, snip.style.semi, ctx.configStatement);
  } catch (error) {
    return left('PARSE_ERROR', `${where}: ${(error as Error).message}`);
  }
  if (!copy) return left('HANDLER_NOT_FOUND', `${where}: the export ${ctx.exportName} is not a function`);
  const ext = posix.extname(ctx.modulePath);
  // In the route's folder, so that the transform moves no relative import of the module.
  const sourcePath = posix.join(posix.dirname(ctx.routeTarget), `handler-module${ext}`);
  const result = transformSource(copy, { sourcePath, targetPath: ctx.routeTarget, compatPath: ctx.compatPath, nextVersion: ctx.nextVersion, importedHelpers: ctx.importedHelpers, keepLocalFunctions: true, ...(ctx.subHandler ? { allParams: true, bodyParam: true } : {}) });
  if (result.status !== 'migrated' && result.status !== 'review') {
    const first = result.diagnostics[0] ?? { reason: 'HANDLER_NOT_FOUND' as Reason };
    // The copy holds code the tool put there (the route's config statement): a copy that does not parse, of a module
    // whose own text parses and imports no name twice, is the tool's fault, not an error of the module.
    const moduleError = () => {
      const parsed = parseSourceOrNull(rawText, ctx.modulePath);
      return !parsed || importedTwice(parsed.program) !== null;
    };
    const d = first.reason === 'PARSE_ERROR' && !moduleError() ? { ...first, reason: 'INTERNAL_ERROR' as Reason } : first;
    // Line numbers are those of the copy, not of the module: the detail names the module only.
    return left(d.reason, d.detail ? `${where}: ${d.detail}` : where);
  }

  const copyProgram = j(copy).get().node.program;
  const routeProgram = j(result.output!).get().node.program;
  const copyHandler = exportBinding(copyProgram, 'default');
  const copyNames = namesIn(copyProgram);
  // Sort the route's statements: imports, segment exports (→ the route), the method functions (→ the module).
  const shared = new Map<string, string[]>();
  for (const stmt of routeProgram.body) {
    if (stmt.type !== 'ExportNamedDeclaration' || stmt.declaration || stmt.source) continue;
    for (const s of stmt.specifiers) if (ALL_METHODS.includes(s.exported.name)) shared.set(s.local.name, [...(shared.get(s.local.name) ?? []), s.exported.name]);
  }
  const head: string[] = [];
  const functions: Array<{ node: Node; methods: string[] }> = [];
  const imports: Node[] = [];
  const others: Node[] = [];
  let contextType: Node | null = null;
  // A dispatched route: `const handler = defaultHandlerRoute({ GET: handleGET })`, exported under every method.
  const dispatch = dispatchedConst(routeProgram, shared);
  // The map's functions, rewritten: they go into the module with the const (fresh names), in place of nothing.
  const mapFunctions = new Set(dispatch ? mapNames(dispatch) : []);
  for (const stmt of routeProgram.body) {
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : null;
    if (stmt.type === 'ImportDeclaration') imports.push(stmt);
    else if (isSegmentExport(stmt)) head.push(printedStatements(snip, [stmt])[0]);
    else if (decl?.type === 'FunctionDeclaration' && ALL_METHODS.includes(decl.id.name)) functions.push({ node: decl, methods: [decl.id.name] });
    else if (stmt.type === 'ExportNamedDeclaration' && !decl && !stmt.source && stmt.specifiers.every((s: Node) => ALL_METHODS.includes(s.exported.name))) continue;
    else if (stmt.type === 'FunctionDeclaration' && shared.has(stmt.id.name)) functions.push({ node: stmt, methods: shared.get(stmt.id.name)! });
    else if (stmt.type === 'FunctionDeclaration' && mapFunctions.has(stmt.id.name)) functions.push({ node: stmt, methods: [] });
    else if (stmt === dispatch) functions.push({ node: stmt, methods: shared.get(stmt.declarations[0].id.name)! });
    else if (stmt.type === 'TSTypeAliasDeclaration' && !copyNames.has(stmt.id.name) && !contextType) contextType = stmt;
    else others.push(stmt);
  }
  if (ctx.subHandler && (functions.length !== 1 || dispatch)) {
    return left('SUB_HANDLER_NOT_FOLLOWED', `${where}: ${ctx.exportName}() tests req.method itself, where the route that calls it needs one version for every method`);
  }
  const copyOthers = copyProgram.body.filter((s: Node, i: number) => {
    if (s.type === 'ImportDeclaration' || isConfigExport(s)) return false;
    if (copyHandler?.kind === 'local' && i === copyHandler.index) return false;
    // The Pages versions of the map's functions, which the dispatched route rewrote, and of the sub-handlers whose
    // bodies it inlined: the module keeps them for its Pages handler.
    const name = declaredName(s);
    if (name && (mapFunctions.has(name) || result.inlined?.includes(name))) return false;
    return !(s.type === 'ExportDefaultDeclaration' && unwrap(s.declaration)?.type === 'Identifier');
  });
  const before = printedStatements(snip, copyOthers);
  const after = printedStatements(snip, others);
  if (before.length !== after.length || before.some((text, i) => text !== after[i])) {
    return left('HANDLER_MODULE_SHARED', `${where}: migrating the handler would also change other code of the module (a helper that takes res)`);
  }

  // The real module: the twin goes right after the original handler.
  const program = j(source.text).get().node.program;
  const binding = exportBinding(program, ctx.exportName);
  if (binding?.kind !== 'local') return left('HANDLER_NOT_FOUND', `${where}: the export ${ctx.exportName} is not a function`);
  const base = binding.local ?? 'handler';
  /** The twins' names: the first free ones, or (`taken` empty) the names a first run gives them. */
  const nameTwins = (taken: Set<string>) => {
    const rename = new Map<string, string>();
    const exports: HandlerTwin['exports'] = [];
    for (const f of functions) {
      const own = declaredName(f.node)!;
      const twin = freshName(f.methods.length === 0 ? `${own}Route` : f.methods.length === 1 && !ctx.subHandler ? `${base}${f.methods[0]}` : `${base}Route`, taken);
      taken.add(twin);
      rename.set(own, twin);
      if (f.methods.length) exports.push({ twin, methods: f.methods });
    }
    if (contextType) {
      const name = freshName(`${base[0].toUpperCase()}${base.slice(1)}Context`, taken);
      taken.add(name);
      rename.set(contextType.id.name, name);
    }
    return { rename, exports };
  };
  const renamed = (node: Node, rename: Map<string, string>): string => {
    const copyNode = j(snip.src({ ...node, comments: undefined })).get().node.program.body[0];
    walk(copyNode, (n, parent, key) => {
      if (n.type !== 'Identifier' || !rename.has(n.name)) return;
      const isDeclared = parent?.id === n && (parent.type === 'FunctionDeclaration' || parent.type === 'TSTypeAliasDeclaration' || parent.type === 'VariableDeclarator');
      const isTypeRef = parent?.type === 'TSTypeReference' && key === 'typeName';
      // The dispatcher's map names the rewritten functions: `{ GET: handleGET }` (a shorthand gets its key back).
      const isMapValue = dispatch && parent?.type === 'ObjectProperty' && key === 'value' && mapFunctions.has(n.name);
      if (isMapValue && parent.shorthand) {
        parent.shorthand = false;
        parent.key = { type: 'Identifier', name: n.name };
      }
      if (isDeclared || isTypeRef || isMapValue) n.name = rename.get(n.name);
    });
    return snip.src(copyNode);
  };
  const comment = `// Route-handler version of ${binding.local ?? 'the default export'}, which routes ${ctx.subHandler ? 'call' : 're-export'}: returns a Response instead of sending it (next-pages-api-migrate).`;
  // The map's functions stay the module's own; the rest is what routes re-export.
  const code = (rename: Map<string, string>) => [...(contextType ? [renamed(contextType, rename)] : []), ...functions.map((f) => `${f.methods.length ? 'export ' : ''}${renamed(f.node, rename)}`)];
  const outcome = { head, markers: result.diagnostics.map((d) => ({ reason: d.reason, detail: d.detail })), notes: result.notes, methods: result.methods, usesCompat: result.usesCompat, helpersUsed: result.helpersUsed ?? [], readsBody: result.readsBody ?? false, readsQuery: result.readsQuery ?? false, ...(result.bodyIndex !== undefined ? { bodyIndex: result.bodyIndex } : {}) };
  // An earlier run wrote these twins already (the module has each, as the same code): routes re-export those.
  if (mayHoldTwins(source.text)) {
    const first = nameTwins(new Set());
    const declared = new Map(program.body.map((stmt: Node) => [declaredName(stmt), stmt]));
    const reusable = code(first.rename).map((text) => snip.statements(text)[0]);
    if (reusable.every((stmt) => declared.has(declaredName(stmt)) && sameTwin(j, stmt, declared.get(declaredName(stmt))))) {
      return { output: rawText, exports: first.exports, ...outcome };
    }
  }
  const taken = namesIn(program);
  const { rename, exports } = nameTwins(taken);
  const inserted = code(rename).map((text, i) => snip.statements(text, i === 0 ? [comment] : [])[0]);
  program.body.splice(binding.index + 1, 0, ...inserted);

  // The imports the twin needs that the module lacks: next/server, the compat helpers (moved to the module's folder).
  const copyImports = new Map<string, string>();
  for (const stmt of copyProgram.body) if (stmt.type === 'ImportDeclaration') for (const s of stmt.specifiers ?? []) copyImports.set(s.local.name, stmt.source.value);
  const needs = new Map<string, { values: string[]; types: string[] }>();
  for (const stmt of imports) {
    let specifier = stmt.source.value as string;
    if (specifier.startsWith('.') && ![...copyImports.values()].includes(specifier)) {
      specifier = compatSpecifier(ctx.modulePath, ctx.compatPath);
    }
    for (const s of stmt.specifiers ?? []) {
      if (copyImports.has(s.local.name)) continue;
      if (taken.has(s.local.name)) return left('HANDLER_MODULE_SHARED', `${where}: the twin needs the name ${s.local.name}, which the module already uses`);
      const entry = needs.get(specifier) ?? { values: [], types: [] };
      (s.importKind === 'type' || stmt.importKind === 'type' ? entry.types : entry.values).push(s.local.name);
      needs.set(specifier, entry);
    }
  }
  const typescript = isTypeScriptPath(ctx.modulePath);
  // A twin of another module's helper joins the module's import of that helper.
  for (const [specifier, entry] of needs) {
    const values = entry.values.length && addToImport(snip, program, specifier, entry.values) ? [] : entry.values;
    addImport(snip, program, specifier, { values, types: entry.types }, typescript);
  }

  return { output: source.restore(printProgram(j, program, source.text, ctx.modulePath)), exports, ...outcome };
}
