/**
 * `export default withMiddlewares({ GET: getHandler, POST: postHandler }, options)`, where `withMiddlewares` is a
 * dispatcher of another project module that has a route-handler version (transforms/lib/route-wrapper.ts,
 * transforms/lib/method-lookup.ts). The per-method functions are inlined into one handler, a branch per method, as for
 * a dispatcher of this file (method-map.ts), so that the split by method rewrites each like any handler; the route
 * then hands the rewritten functions to the dispatcher's version, which keeps answering the methods outside the map
 * (its own 405) and running its try/catch, as the original did.
 */
import { freshName, isIdent, leadingCommentText, namesIn, stringValue, unwrap, type Node, type Snippets } from './ast.js';
import { NotRewritable, ifChain, inlineBody, methodTest, referencesOutside, replaceWithHandler, resolveFunction } from './dispatch.js';
import { declaredNames } from './free-names.js';
import { ALL_METHODS } from './split-methods.js';
import { mapEntries } from './method-map.js';
import { mapConst } from './called-dispatcher.js';
import type { ImportedHelper } from '../types.js';

export interface ImportedDispatch {
  /** The dispatcher's local name and binding (its twin, the map's position in the call). */
  local: string;
  binding: ImportedHelper;
  /** The original call: its other arguments (`options`) go to the twin as written. */
  call: Node;
  /** The map's methods, each with the name of its function when it was a declared one (`getHandler`). */
  methods: Map<string, string | undefined>;
  /**
   * The name of the route's `const handler = withMiddlewaresRoute({ … })`, free in the module. The reshaped handler has
   * it until then, so that the functions split from it are named after it (`getHandler`) and none takes it.
   */
  constName: string;
}

/** Why `map` is not a map of methods to functions of this file: its first entry that is not one, explained. */
function whyNotAMap(program: Node, map: Node): string {
  for (const prop of map.properties) {
    if (prop.type === 'ObjectMethod') continue;
    const key = prop.key?.type === 'Identifier' && !prop.computed ? prop.key.name : stringValue(prop.key);
    if (!key) return 'an entry has a computed key or is spread';
    if (!ALL_METHODS.includes(key)) return `${key} is not an HTTP method`;
    if (resolveFunction(program, prop.value)) continue;
    const value = unwrap(prop.value);
    const exported = isIdent(value) && program.body.some((s: Node) => s.type === 'ExportNamedDeclaration' && s.declaration && declaredNames(s).includes(value.name));
    if (exported) return `${key}: ${value.name} is exported by this file, which a route file may not do (move it to another module, or stop exporting it)`;
    return `${key}: its handler is not a function of this file (a call, an import)`;
  }
  return 'not a map of methods';
}

/**
 * Rewrites the default export into a `(req, res)` handler with a branch per method of the map. Returns null when the
 * default export is not a call of such a dispatcher; throws NotRewritable when it is one the tool cannot follow.
 */
export function reshapeImportedDispatch(snip: Snippets, program: Node, dispatchers: Map<string, ImportedHelper>): ImportedDispatch | null {
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  const call = exportIndex >= 0 ? unwrap(program.body[exportIndex].declaration) : null;
  if (call?.type !== 'CallExpression' || !isIdent(call.callee) || !dispatchers.has(call.callee.name)) return null;
  const local: string = call.callee.name;
  const binding = dispatchers.get(local)!;
  const line = call.loc?.start.line;
  const given = unwrap(call.arguments[binding.resIndex]);
  // `createHandlers(handlers)` with `const handlers = { POST: … }` of this file, used nowhere else: its object.
  const held = isIdent(given) ? mapConst(program, given.name) : null;
  if (held && referencesOutside(program, given.name, new Set([held.index, exportIndex])) > 0) throw new NotRewritable(line, `${given.name} is used elsewhere in the file`);
  const map = held ? held.object : given;
  if (call.arguments.some((a: Node) => a.type === 'SpreadElement') || map?.type !== 'ObjectExpression') throw new NotRewritable(line, `${local} is not given an object of handlers by method`);
  const entries = mapEntries(program, map);
  if (!entries) throw new NotRewritable(line, `${local}({ … }): ${whyNotAMap(program, map)}`);
  const remove = new Set<number>(held ? [held.index] : []);
  for (const { ref } of entries) if (ref.index >= 0) remove.add(ref.index);
  for (const name of new Set(entries.map((e) => e.ref.name).filter((n): n is string => !!n))) {
    if (referencesOutside(program, name, new Set([...remove, exportIndex])) > 0) throw new NotRewritable(line, `${name} is used elsewhere in the file`);
  }
  const taken = namesIn(program);
  // The names the functions' parameters take in the one handler (inlineBody checks that a body has no other use).
  const [req, res] = ['req', 'res'];
  // Methods outside the map never reach a handler: the dispatcher answers them, so no branch (and no export body).
  const cases = entries.map(({ method, ref }) => ({ test: methodTest(snip, req, [method]), body: inlineBody(snip, ref.fn, [req, res]) }));
  const constName = freshName('handler', taken);
  // The comments of the functions inlined stay, above the route's first function.
  const comments = [...remove].sort((a, b) => a - b).map((i) => leadingCommentText(program.body[i])).filter(Boolean);
  replaceWithHandler(snip, program, exportIndex, remove, { handler: constName, req, res }, ifChain(snip, cases));
  if (comments.length) {
    const at = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
    program.body[at] = snip.withCommentsOf(program.body[at], program.body[at], comments);
  }
  return { local, binding, call, methods: new Map(entries.map((e) => [e.method, e.ref.name])), constName };
}
