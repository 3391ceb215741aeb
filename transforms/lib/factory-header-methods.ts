/**
 * A project factory that returns an object literal of methods, one of which only sets headers on its `res` parameter.
 * Vercel's rate-limit example, copied into many apps, is the model:
 *
 *   export default function rateLimit(options) {
 *     const counts = new LRU(…)
 *     return { check: (res, limit, token) => new Promise((resolve, reject) => { …; res.setHeader('X-RateLimit-Limit', limit); …; count > limit ? reject() : resolve() }) }
 *   }
 *
 * with `const limiter = rateLimit({ … })` at module level and `await limiter.check(res, 10, 'TOKEN')` in the handler.
 * The returned object gets a twin method beside the original, `checkHeaders: (headers, limit, token) => …`, that
 * writes the same headers into the route's `Headers` (as a header helper's twin does, res-helpers.ts toHeaderFunction),
 * and the handler's call becomes `await limiter.checkHeaders(headers, 10, 'TOKEN')`: the headers go out with the
 * route's next answer, the one a rejection's `catch` sends included, as Pages sent them with its next send.
 */
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, countIdentifiers, freshName, isIdent, leadingCommentText, namesIn, walk, END, type Node, type Snippets } from './ast.js';
import { hasTwinComment, sameTwinProperty } from './prior-twins.js';
import { headerOnlyStatements, headersParam, isResponseParam, takesPagesRequest, toHeaderFunction } from './res-helpers.js';
import { referencesTo, type Reference } from './scope.js';
import type { ResponseHelper } from './response.js';
import type { ImportedHelper } from '../types.js';

/** A method of the factory's object that has a twin: names, and what the route's rewrite needs to know of it. */
export interface HeaderMethod {
  /** The original method's key (`check`). */
  method: string;
  /** The twin's key (`checkHeaders`). */
  twin: string;
  /** Position of the `res` parameter. */
  resIndex: number;
  /** The header names it sets (lowercase), or null when one is not a literal. */
  setsHeaders: string[] | null;
}

export interface FactoryHeaderMethods {
  methods: HeaderMethod[];
  /** Compat helpers the twins call (`setHeader`). */
  uses: Set<string>;
  /**
   * Puts the twins into the factory's object, after its last property; a twin whose original is in `replacing` takes
   * its place instead, with its comments.
   */
  insert(replacing?: Set<string>): void;
}

/**
 * The object literal `fn` returns: an arrow's body, or the argument of its one return, its last statement. Not when a
 * return type is declared, or the object is cast: a method added there would not be part of its type.
 */
function returnedObject(fn: Node): { object: Node; statement: Node | null } | null {
  if (fn.returnType || fn.async || fn.generator) return null;
  if (fn.body.type !== 'BlockStatement') return fn.body.type === 'ObjectExpression' ? { object: fn.body, statement: null } : null;
  const last = soleFinalReturn(fn);
  return last?.argument?.type === 'ObjectExpression' ? { object: last.argument, statement: last } : null;
}

/** The return of a block-bodied function when it is its only one and its last statement; else null. */
function soleFinalReturn(fn: Node): Node | null {
  const returns: Node[] = [];
  walk(fn.body, (n) => {
    if (n.type === 'ReturnStatement') returns.push(n);
  }, true);
  const last = fn.body.body[fn.body.body.length - 1];
  return returns.length === 1 && returns[0] === last ? last : null;
}

/** A method of an object literal: `check(res) {…}` or `check: (res) => …` / `function (res) {…}`, by a plain key. */
function methodOf(prop: Node): { name: string; fn: Node } | null {
  if (prop.computed || !isIdent(prop.key)) return null;
  if (prop.type === 'ObjectMethod' && prop.kind === 'method') return { name: prop.key.name, fn: prop };
  if (prop.type === 'ObjectProperty' && !prop.shorthand && (prop.value.type === 'ArrowFunctionExpression' || prop.value.type === 'FunctionExpression')) return { name: prop.key.name, fn: prop.value };
  return null;
}

/**
 * `fn` (a copy, changed in place) rewritten to take `headers` in `res`'s place, when all it does with res is set
 * headers: as statements of its body (toHeaderFunction), or inside the executor of the promise it returns, `(res, …)
 * => new Promise((resolve, reject) => { …res.setHeader(…)… })`. The executor runs at once, as it did, and its
 * resolve or reject settles the promise as before.
 */
function toHeaderMethod(j: JSCodeshift, snip: Snippets, fn: Node, typescript: boolean, taken: Set<string>): { resIndex: number; setsHeaders: string[] | null; uses: Set<string> } | null {
  // Without the request: the route calls a twin method as `limiter.checkHeaders(headers, …)`, and has no place
  // among its arguments to pass a request that the method would read.
  const plain = toHeaderFunction(j, snip, fn, typescript, taken);
  if (plain) return plain;
  const resIndex = fn.params.findIndex(isResponseParam);
  if (resIndex < 0 || fn.params[resIndex].type !== 'Identifier' || takesPagesRequest(fn)) return null;
  const resName = fn.params[resIndex].name;
  const promise: Node | null = fn.body.type === 'BlockStatement' ? (soleFinalReturn(fn)?.argument ?? null) : fn.body;
  const executor = promise?.type === 'NewExpression' && isIdent(promise.callee, 'Promise') && promise.arguments.length === 1 ? promise.arguments[0] : null;
  if (!executor || (executor.type !== 'ArrowFunctionExpression' && executor.type !== 'FunctionExpression') || executor.body.type !== 'BlockStatement') return null;
  // Every use of res is inside the executor (one that names its own `res`, resolve's usual short name, has none).
  const refs = referencesTo([fn.body], resName);
  if (refs.length === 0 || refs.some((r) => !r.ancestors.includes(executor))) return null;
  const rewrite = headerOnlyStatements(j, snip, executor.body.body, resName, taken);
  if (!rewrite) return null;
  fn.params[resIndex] = headersParam(snip, rewrite.headersName, typescript);
  executor.body.body = rewrite.body;
  return { resIndex, setsHeaders: rewrite.setsHeaders, uses: rewrite.uses };
}

/**
 * The methods of the object `factory` returns that only set headers on res, each with its twin (a rewritten copy
 * under `<method>Headers`); `insert()` adds the twins. Null when the factory has no such method.
 * `taken`: the module's names, which the twins' `headers` parameter avoids.
 */
export function factoryHeaderMethods(j: JSCodeshift, snip: Snippets, factory: Node, typescript: boolean, taken: Set<string>): FactoryHeaderMethods | null {
  const returned = returnedObject(factory);
  if (!returned) return null;
  const { object, statement } = returned;
  const keys = new Set<string>(object.properties.flatMap((p: Node) => (isIdent(p.key) ? [p.key.name] : p.key?.type === 'StringLiteral' ? [p.key.value] : [])));
  // A spread may bring a key of the twin's name: not guessed.
  if (object.properties.some((p: Node) => p.type === 'SpreadElement' || p.computed)) return null;
  const methods: HeaderMethod[] = [];
  const uses = new Set<string>();
  const twins: Array<{ original: Node; twin: Node; method: string }> = [];
  for (const prop of object.properties) {
    const method = methodOf(prop);
    if (!method || !method.fn.params.some(isResponseParam)) continue;
    const comment = ` Route-handler version of ${method.name}: sets the headers of the route's next answer (next-pages-api-migrate).`;
    // An earlier run (after `--only`) added this twin already: reused when it comes out as the same code. Its own
    // names (its `headers`) are free again for that comparison, as they were when that run wrote it.
    const prior = object.properties.find((p: Node) => isIdent(p.key, `${method.name}Headers`) && !p.computed && hasTwinComment(p));
    if (prior) {
      const again = cloneNode(prop);
      const freed = new Set([...taken].filter((name) => !namesIn(prior).has(name)));
      const rewrittenAgain = toHeaderMethod(j, snip, again.type === 'ObjectMethod' ? again : again.value, typescript, freed);
      again.key = j.identifier(prior.key.name);
      if (rewrittenAgain && sameTwinProperty(j, again, prior)) {
        rewrittenAgain.uses.forEach((u) => uses.add(u));
        methods.push({ method: method.name, twin: prior.key.name, resIndex: rewrittenAgain.resIndex, setsHeaders: rewrittenAgain.setsHeaders });
        continue;
      }
    }
    const copy = cloneNode(prop);
    const fn = copy.type === 'ObjectMethod' ? copy : copy.value;
    const rewritten = toHeaderMethod(j, snip, fn, typescript, taken);
    if (!rewritten) continue;
    const twin = freshName(`${method.name}Headers`, keys);
    copy.key = j.identifier(twin);
    copy.comments = [j.commentLine(comment, true, false)];
    rewritten.uses.forEach((u) => uses.add(u));
    methods.push({ method: method.name, twin, resIndex: rewritten.resIndex, setsHeaders: rewritten.setsHeaders });
    twins.push({ original: prop, twin: copy, method: method.name });
  }
  if (!methods.length) return null;
  return {
    methods,
    uses,
    insert(replacing = new Set()) {
      for (const { original, twin, method } of twins) {
        if (replacing.has(method)) {
          twin.comments = original.comments ?? null;
          object.properties[object.properties.indexOf(original)] = twin;
        }
        // At the end: the properties before keep their lines, their commas included (recast gives the last none).
        else object.properties.push(twin);
      }
      // recast reprints a return statement in its own style (a semicolon) when anything in it changed: this one is
      // rebuilt from its text, in the source's style. Nothing added (every twin reused): it stays as it is.
      if (statement && twins.length) {
        const body = factory.body.body;
        body[body.indexOf(statement)] = snip.statements(`return ${snip.src(object)}${END}`, [leadingCommentText(statement)].filter(Boolean))[0];
      }
    },
  };
}

/**
 * The module-level `const limiter = factory(…)` of `program` (not exported), by the factory's local name: the names
 * the route follows, and those whose declared type hides the twin (name → the type's text).
 */
function factoryConsts(snip: Snippets, program: Node, factory: string): { consts: string[]; typed: Map<string, string> } {
  const consts: string[] = [];
  const typed = new Map<string, string>();
  for (const d of madeConsts(program, factory)) {
    const type = declaredType(d, factory);
    if (type) typed.set(d.id.name, snip.src(type));
    else consts.push(d.id.name);
  }
  return { consts, typed };
}

/** A name declared anywhere else in the file too is left out: a call through it might reach another object. */
function madeConsts(program: Node, factory: string): Node[] {
  const made: Node[] = [];
  for (const stmt of program.body) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    for (const d of stmt.declarations) {
      if (isIdent(d.id) && d.init?.type === 'CallExpression' && isIdent(d.init.callee, factory) && !declaredElsewhere(program, d.id.name)) made.push(d);
    }
  }
  return made;
}

/**
 * The type a const is declared with (`const limiter: Limiter = rateLimit()`), when the twin method would not be part
 * of it: a call of the twin through it would not type-check. `ReturnType<typeof rateLimit>` is the factory's own
 * object, twin included; null then, and when no type is declared.
 */
function declaredType(d: Node, factory: string): Node | null {
  const type = d.id.typeAnnotation?.typeAnnotation;
  if (!type) return null;
  const args = type.type === 'TSTypeReference' && isIdent(type.typeName, 'ReturnType') ? (type.typeParameters?.params ?? []) : [];
  const own = args.length === 1 && args[0].type === 'TSTypeQuery' && isIdent(args[0].exprName, factory) && !args[0].typeParameters;
  return own ? null : type;
}

/**
 * Whether `name` is declared below the top level of `program` too (a parameter, a local, a catch binding): every
 * identifier of that name that is no property and no type is then not a reference to the top-level one.
 */
function declaredElsewhere(program: Node, name: string): boolean {
  let occurrences = 0;
  walk(program, (n, parent, key) => {
    if (n.type !== 'Identifier' || n.name !== name || !parent) return;
    if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed) return;
    if ((parent.type === 'ObjectProperty' || parent.type === 'ObjectMethod' || parent.type === 'ClassProperty' || parent.type === 'ClassMethod') && key === 'key' && !parent.computed) return;
    if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return;
    if (parent.type.startsWith('TS') && !['TSAsExpression', 'TSNonNullExpression', 'TSSatisfiesExpression', 'TSTypeAssertion'].includes(parent.type)) return;
    occurrences++;
  });
  return occurrences !== referencesTo(program.body, name).length;
}

/** The route's helper entries for the methods with twins: `limiter.check` → `limiter.checkHeaders`, for each const. */
function methodHelpers(consts: string[], methods: HeaderMethod[]): Map<string, ResponseHelper> {
  const helpers = new Map<string, ResponseHelper>();
  for (const name of consts) {
    for (const m of methods) helpers.set(`${name}.${m.method}`, { resIndex: m.resIndex, statuses: [], rename: `${name}.${m.twin}`, setsHeaders: m.setsHeaders });
  }
  return helpers;
}

/**
 * Whether the route may drop the original of a twinned method of a same-file factory: the factory only makes the
 * consts, each const is only read as `limiter.<method>`, and nothing else in the file names the method.
 */
function originalUnused(program: Node, factory: { name: string; id: Node }, consts: string[], method: string): boolean {
  const factoryUses = referencesTo(program.body, factory.name).filter((r) => r.node !== factory.id);
  const makesConst = (r: Reference) => r.parent.type === 'CallExpression' && r.key === 'callee' && r.ancestors[r.ancestors.length - 2]?.type === 'VariableDeclarator' && consts.includes(r.ancestors[r.ancestors.length - 2].id.name);
  if (!factoryUses.every(makesConst)) return false;
  for (const name of consts) {
    const uses = referencesTo(program.body, name).filter((r) => !(r.parent.type === 'VariableDeclarator' && r.key === 'id'));
    if (!uses.every((r) => r.parent.type === 'MemberExpression' && r.key === 'object' && !r.parent.computed)) return false;
  }
  return countIdentifiers(program, method) === 1;
}

/** The top-level functions of the route's file other than the handler, not exported: their nodes and names' nodes. */
function ownFunctions(program: Node, handlerFn: Node): Map<string, { fn: Node; id: Node }> {
  const found = new Map<string, { fn: Node; id: Node }>();
  for (const stmt of program.body) {
    if (stmt.type === 'FunctionDeclaration' && stmt.id && stmt !== handlerFn) found.set(stmt.id.name, { fn: stmt, id: stmt.id });
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    for (const d of stmt.declarations) {
      if (isIdent(d.id) && d.init !== handlerFn && (d.init?.type === 'ArrowFunctionExpression' || d.init?.type === 'FunctionExpression')) found.set(d.id.name, { fn: d.init, id: d.id });
    }
  }
  return found;
}

export interface RouteFactoryMethods {
  /** `limiter.check` → its twin's helper entry, for every const made by a factory with twinned methods. */
  helpers: Map<string, ResponseHelper>;
  /**
   * Once the responses are rewritten, given the helper keys called: the imported factories whose twins the route
   * uses, and the compat helpers of the twins written into the route's own factories.
   */
  finish(called: Set<string>): { used: ImportedHelper[]; uses: Set<string> };
  /** Why `object.method(res, …)` was not rewritten, when a factory's method of that name is the reason; or null. */
  explain(object: string, method: string): string | null;
}

/**
 * The factories behind the route's module-level `const limiter = rateLimit(…)`: imported ones whose module gets twin
 * methods (the plan found them: `imported`), and functions of the route's own file, which get the twins in place,
 * the originals dropped when nothing else can reach them.
 */
export function routeFactoryMethods(j: JSCodeshift, snip: Snippets, program: Node, handlerFn: Node, imported: Map<string, ImportedHelper>, typescript: boolean, taken: Set<string>): RouteFactoryMethods {
  const helpers = new Map<string, ResponseHelper>();
  const factories: Array<{ keys: string[]; binding?: ImportedHelper; own?: { found: FactoryHeaderMethods; name: string; id: Node; consts: string[] } }> = [];
  const callees = new Set<string>();
  // Method name → why a call of it through another name than a confirmed const, or at all, is not followed.
  const why = new Map<string, (object: string) => string | null>();
  // Every variable made by a call, anywhere: those that are no module-level const are named in the reasons.
  walk(program, (n) => {
    if (n.type === 'VariableDeclarator' && n.init?.type === 'CallExpression' && isIdent(n.init.callee)) callees.add(n.init.callee.name);
  });
  const functions = ownFunctions(program, handlerFn);
  for (const factory of callees) {
    const binding = imported.get(factory);
    const own = binding ? null : (functions.get(factory) ?? null);
    const found = own ? factoryHeaderMethods(j, snip, own.fn, typescript, taken) : null;
    const methods = binding?.headerMethods ?? found?.methods;
    if (own && !found) {
      // The file's own factory: its methods that take res, but do more with it than set headers.
      for (const prop of (returnedObject(own.fn)?.object.properties ?? []) as Node[]) {
        const method = methodOf(prop);
        if (method?.fn.params.some(isResponseParam)) why.set(method.name, () => `${factory}()'s ${method.name}() does more with res than set headers`);
      }
    }
    if (!methods) continue;
    const { consts, typed } = factoryConsts(snip, program, factory);
    for (const m of methods) {
      if (why.has(m.method)) continue;
      why.set(m.method, (object) => {
        if (consts.includes(object)) return null;
        const type = typed.get(object);
        if (type) return `${object} is declared as ${type}, which would not have the route's ${m.twin}()`;
        return `${object} is not a module-level const made by ${factory}(), which the tool follows`;
      });
    }
    const entries = methodHelpers(consts, methods);
    entries.forEach((helper, key) => helpers.set(key, helper));
    factories.push({ keys: [...entries.keys()], ...(binding ? { binding } : {}), ...(found && own ? { own: { found, name: factory, id: own.id, consts } } : {}) });
  }
  return {
    helpers,
    explain: (object, method) => why.get(method)?.(object) ?? null,
    finish(called) {
      const used: ImportedHelper[] = [];
      const uses = new Set<string>();
      for (const { keys, binding, own } of factories) {
        if (!keys.some((k) => called.has(k))) continue;
        if (binding) used.push(binding);
        if (!own) continue;
        // The route is the file's only user: an original no call can reach any more goes, with its Pages types, and
        // its twin takes its place and its comments (a JSDoc), no other version being left to tell it from.
        own.found.insert(new Set(own.found.methods.map((m) => m.method).filter((m) => originalUnused(program, own, own.consts, m))));
        own.found.uses.forEach((u) => uses.add(u));
      }
      return { used, uses };
    },
  };
}
