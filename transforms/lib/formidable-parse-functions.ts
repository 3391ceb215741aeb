/**
 * A function of the route's own file that only promises formidable's callback parse for the handler, as many apps
 * write it once beside the handler:
 *
 *   function parseForm(req: NextApiRequest) {
 *     const form = formidable({ maxFileSize: 10 * 1024 * 1024 });
 *     return new Promise((resolve, reject) => {
 *       form.parse(req, (err, fields, files) => { if (err) reject(err); else resolve({ fields, files }); });
 *     });
 *   }
 *   …
 *   const { fields, files } = await parseForm(req);
 *
 * (also the form made in the handler and passed in, `await parseForm(req, form)`). Its promise takes the call's
 * place, its parameters replaced by the call's arguments, and the function goes: the handler then holds the promised
 * parse that recipes-formidable.ts follows (or leaves, with its own reason). A form the function made before the
 * promise is made first in the executor instead: the executor runs at once, within the same call, so the form is made
 * at the same point, and a factory that throws fails the same `await` (an async function's throw rejects its promise;
 * a plain one's reached the handler at that `await` too).
 *
 * Only where the move changes nothing else: the function is not exported, takes plain parameters that its promise reads
 * (an argument left out could have thrown), is used only by such calls in the handler's body (a variable declared
 * with the `await`ed call, in a block outside nested functions, where the recipe looks), each passing names for every
 * parameter, and its parse is of a form made in it or passed by the call and declared in the handler (not one of the
 * module); no name it reads from the module is the handler's own there, and no name a call passes is one it declares
 * inside. Otherwise it stays, and the local request functions' check says why (a function of this file that uses req
 * as a handler could not).
 * Pure: syntax trees in, changed in place.
 */
import { cloneNode, countIdentifiers, isIdent, unwrap, usesOwnThisOrArguments, type Node } from './ast.js';
import { freeNames, namesDeclaredWithin } from './free-names.js';
import { formidableNames, madeForm, parseLists, promisedParses } from './recipes-formidable.js';
import { referencesTo, renameReferences } from './scope.js';

interface ParseFunction {
  fn: Node;
  params: string[];
  /** `const form = formidable(…)` before the promise, if any. */
  made: Node | null;
  promise: Node;
}

/**
 * Inlines the file's parse functions into the handler `handlerFn` (whose statements are `body`), and returns their
 * names and their statements, which the caller takes out of the program. `gone`: statements of the program about to
 * go (sub-handlers whose bodies now stand in the handler), whose calls are not counted.
 */
export function inlineFormidableParseFunctions(program: Node, handlerFn: Node, body: Node[], reqName: string, gone: Set<Node> = new Set()): { names: string[]; unused: Set<Node> } {
  const removed = new Set<Node>();
  const inlined: string[] = [];
  const names = formidableNames(program);
  if (!names.factories.size && !names.namespaces.size) return { names: inlined, unused: removed };
  // The handler's `const x = await f(…)` declarators, outside nested functions.
  const declarators = new Set<Node>();
  for (const list of parseLists(body)) {
    for (const stmt of list) if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) declarators.add(stmt.declarations[0]);
  }
  const handlerNames = namesDeclaredWithin(handlerFn);
  for (const stmt of program.body) {
    if (gone.has(stmt)) continue;
    const found = parseFunction(stmt, names);
    if (!found || exported(program, found.fn.id?.name ?? declaredName(stmt))) continue;
    const name = found.fn.id?.name ?? declaredName(stmt);
    const reads = [...freeNames(found.fn).reads].filter((n) => n !== name);
    if (reads.some((n) => handlerNames.has(n))) continue;
    const inside = namesDeclaredWithin(found.fn);
    found.params.forEach((p) => inside.delete(p));
    const others = program.body.filter((s: Node) => s !== stmt && !gone.has(s));
    const refs = referencesTo(others, name);
    const replacements: Array<{ awaited: Node; promise: Node }> = [];
    for (const ref of refs) {
      const call = ref.parent;
      const awaited = ref.ancestors[ref.ancestors.length - 2];
      const declarator = ref.ancestors[ref.ancestors.length - 3];
      if (call.type !== 'CallExpression' || ref.key !== 'callee' || awaited?.type !== 'AwaitExpression' || unwrap(awaited.argument) !== call) break;
      if (!declarators.has(declarator) || unwrap(declarator.init) !== awaited) break;
      if (call.arguments.length !== found.params.length || !call.arguments.every((a: Node) => isIdent(a) && !inside.has(a.name))) break;
      const args: string[] = call.arguments.map((a: Node) => a.name);
      const promise = instantiate(found, args);
      if (!promise) break;
      // What recipes-formidable.ts reads as the handler's promised parse of its own req, on a form it can find: one
      // made in the executor, or one the call passes, declared in the handler (not a form of the module's).
      const parses = promisedParses([{ type: 'ExpressionStatement', expression: promise }], reqName, names);
      const form = parses.length === 1 ? unwrap(parses[0].parse.callee.object) : null;
      if (!form || !(parses[0].made || (isIdent(form) && args.includes(form.name) && handlerNames.has(form.name)))) break;
      replacements.push({ awaited, promise });
    }
    // Every mention of the name is such a call (a type that reads it, `typeof parseForm`, would lose it).
    if (!refs.length || replacements.length !== refs.length || others.reduce((n: number, s: Node) => n + countIdentifiers(s, name), 0) !== refs.length) continue;
    for (const { awaited, promise } of replacements) awaited.argument = promise;
    removed.add(stmt);
    inlined.push(name);
  }
  return { names: inlined, unused: removed };
}

/** `function f(a, b) { [const form = formidable(…);] return new Promise(…); }`, or such a const arrow. */
function parseFunction(stmt: Node, names: ReturnType<typeof formidableNames>): ParseFunction | null {
  let fn: Node | null = null;
  if (stmt.type === 'FunctionDeclaration') fn = stmt;
  else if (stmt.type === 'VariableDeclaration' && stmt.kind === 'const' && stmt.declarations.length === 1 && isIdent(stmt.declarations[0].id) && !stmt.declarations[0].id.typeAnnotation) {
    const init = stmt.declarations[0].init;
    if (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression') fn = init;
  }
  if (!fn || fn.generator || !fn.params.every((p: Node) => p.type === 'Identifier') || usesOwnThisOrArguments(fn)) return null;
  const params: string[] = fn.params.map((p: Node) => p.name);
  const statements: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ReturnStatement', argument: fn.body }];
  const made = statements.length === 2 ? madeForm(statements[0], names) : null;
  const last = statements[statements.length - 1];
  if (statements.length !== (made ? 2 : 1) || last?.type !== 'ReturnStatement') return null;
  const promise = unwrap(last.argument);
  if (promise?.type !== 'NewExpression' || !isIdent(promise.callee, 'Promise') || promise.arguments.length !== 1) return null;
  if (made && params.includes(made.name)) return null;
  // A parameter the promise never reads would drop its argument, whose reading could throw (a name not yet declared).
  if (params.some((p) => !referencesTo([promise], p).length)) return null;
  return { fn, params, made: made ? statements[0] : null, promise };
}

/**
 * The function's promise for a call passing `args`: its parameters renamed, the form it made made in the executor;
 * null where the executor is not a function to make it in.
 */
function instantiate(found: ParseFunction, args: string[]): Node | null {
  const promise = cloneNode(found.promise);
  const executor = promise.arguments[0];
  if (found.made) {
    if (executor?.type !== 'ArrowFunctionExpression' && executor?.type !== 'FunctionExpression') return null;
    const made = cloneNode(found.made);
    if (executor.body.type === 'BlockStatement') executor.body.body.unshift(made);
    else executor.body = { type: 'BlockStatement', body: [made, { type: 'ExpressionStatement', expression: executor.body }], directives: [] };
  }
  // Through names of their own first, so that `(a, b)` called with `(b, a)` swaps rather than merges.
  const temporary = found.params.map((_, i) => `\u0000param${i}`);
  found.params.forEach((param, i) => renameReferences([promise], param, temporary[i]));
  temporary.forEach((param, i) => renameReferences([promise], param, args[i]));
  return promise;
}

function declaredName(stmt: Node): string {
  return stmt.type === 'VariableDeclaration' ? stmt.declarations[0].id.name : '';
}

/** Exported by name anywhere in the module (`export function`, `export { parseForm }`, `export default parseForm`). */
function exported(program: Node, name: string): boolean {
  return program.body.some((stmt: Node) => {
    if (stmt.type === 'ExportDefaultDeclaration') return isIdent(unwrap(stmt.declaration), name) || stmt.declaration?.id?.name === name;
    if (stmt.type !== 'ExportNamedDeclaration') return false;
    return (stmt.specifiers ?? []).some((s: Node) => s.local?.name === name) || stmt.declaration?.id?.name === name || (stmt.declaration?.declarations ?? []).some((d: Node) => isIdent(d.id, name));
  });
}
