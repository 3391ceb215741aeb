/**
 * micro-cors around the default export: `export default cors(handler)` with `const cors = Cors({ … })` at module scope,
 * or `export default Cors({ … })(handler)`, `Cors` the default export of `micro-cors`. The wrapper sets its
 * Access-Control-* headers on res and then calls the handler; some versions (1.0.0-alpha) end an OPTIONS preflight
 * themselves instead. Before the handler is looked for, the wrapper comes off the export (a call made there moves to
 * a module-scope const, evaluated at the same point), and the handler's body then starts with a run of the same
 * wrapper on the Request, which the response rewrite turns into
 *
 *   const corsAnswer = await runCorsWrapper(request, cors, headers)
 *   if (corsAnswer) return corsAnswer
 *
 * `runCorsWrapper` (compat module) runs the package's own wrapper around a handler that only says it was reached, so
 * whatever the installed version does still decides: its headers go into the route's, its own answer is returned.
 * The handler ran on OPTIONS too (or the wrapper answered it), so the route exports OPTIONS.
 */
import { END, countIdentifiers, freshName, isFunction, isIdent, namesIn, unwrap, type Node, type Snippets } from './ast.js';
import { valueImports } from './imports.js';
import { corsOptionsProblem } from './cors-options.js';
import { markedRun } from './recipes-cors.js';

export const MICRO_CORS = 'micro-cors';

/** A module-scope `const name = Cors(…)` of micro-cors: its declarator, or null. */
function wrapperConst(program: Node, name: string, factories: Set<string>): Node | null {
  for (const stmt of program.body) {
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (decl?.type !== 'VariableDeclaration') continue;
    for (const d of decl.declarations) {
      if (!isIdent(d.id, name)) continue;
      const call = d.init && unwrap(d.init);
      return decl.kind === 'const' && call?.type === 'CallExpression' && isIdent(call.callee) && factories.has(call.callee.name) ? call : null;
    }
  }
  return null;
}

/**
 * Where the wrapped handler is: the export itself (`export default cors(handler)`), or the module-scope const it
 * exports (`const handler = cors(async (req, res) => …)`, `export default handler`) when nothing else names that
 * const, since the const then holds the bare handler.
 */
function wrappedHolder(program: Node, exported: Node): { node: Node; key: string } | null {
  const declaration = unwrap(exported.declaration);
  if (!isIdent(declaration)) return { node: exported, key: 'declaration' };
  for (const stmt of program.body) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const' || stmt.declarations.length !== 1) continue;
    const [d] = stmt.declarations;
    if (isIdent(d.id, declaration.name) && d.init && countIdentifiers(program, declaration.name) === 2) return { node: d, key: 'init' };
  }
  return null;
}

/** Why micro-cors's factory call `call` (`Cors(options)`) cannot be followed, or null. */
function factoryProblem(call: Node): string | null {
  if (call.arguments.length > 1) return 'Cors() of micro-cors is called with more than one argument';
  return corsOptionsProblem(call.arguments[0], MICRO_CORS);
}

export type MicroCorsUnwrap = { wrapper: string } | { problem: string; line?: number } | null;

/**
 * Takes micro-cors off the default export at `exportIndex`: the name of the wrapper the handler's run should use,
 * a problem when the export is micro-cors's but cannot be followed, or null when it is not micro-cors's.
 */
export function unwrapMicroCors(snip: Snippets, program: Node, exportIndex: number): MicroCorsUnwrap {
  const factories = new Set(valueImports(program, MICRO_CORS).filter((i) => i.imported === 'default').map((i) => i.local));
  if (!factories.size) return null;
  const holder = wrappedHolder(program, program.body[exportIndex]);
  const call = holder && unwrap(holder.node[holder.key]);
  if (!holder || call?.type !== 'CallExpression') return null;
  const callee = unwrap(call.callee);
  // `Cors(options)(handler)`, or `cors(handler)` on a module-scope `const cors = Cors(options)`.
  const inline = callee?.type === 'CallExpression' && isIdent(callee.callee) && factories.has(callee.callee.name) ? callee : null;
  const bound = !inline && isIdent(callee) ? wrapperConst(program, callee.name, factories) : null;
  if (!inline && !bound) return null;
  const line = call.loc?.start.line;
  const problem = factoryProblem(inline ?? bound);
  if (problem) return { problem, line };
  if (call.arguments.length !== 1 || call.arguments[0].type === 'SpreadElement') return { problem: "micro-cors's wrapper is not called with the handler alone", line };
  // The wrapper must be the outermost thing around the handler: another wrapper inside would run after cors in
  // Pages, but the run goes into the handler's body, after whatever that wrapper's route version does.
  const inner = unwrap(call.arguments[0]);
  if (!isFunction(inner) && !isIdent(inner)) return { problem: `the handler micro-cors wraps is not a function or its name (${inner.type === 'CallExpression' ? 'another wrapper inside cors(…) is not followed' : 'a computed value'})`, line };
  // `const handler = cors(…)`: the const then holds the handler itself, which must be a function.
  if (holder.key === 'init' && !isFunction(inner)) return { problem: `${holder.node.id.name} holds micro-cors's wrapper around ${inner.name}, a name the tool does not follow there (export default cors(${inner.name}) is followed)`, line };
  holder.node[holder.key] = call.arguments[0];
  if (bound) return { wrapper: callee.name };
  // The factory's call moves to a const of its own after the imports, ahead of the handler that now uses it: the
  // factory only keeps its options (plain data), so calling it earlier than the export did changes nothing.
  const taken = namesIn(program);
  const name = taken.has('cors') ? freshName('withCors', taken) : freshName('cors', taken);
  let at = 0;
  while (program.body[at]?.type === 'ImportDeclaration') at++;
  program.body.splice(at, 0, snip.statements(`const ${name} = ${snip.src(inline)}${END}`)[0]);
  return { wrapper: name };
}

/** The run the handler's body starts with, `await runCorsWrapper(request, cors, res)`, marked for the response rewrite. */
export function microCorsRun(snip: Snippets, wrapper: string, names: { request: string; res: string }): Node {
  return { type: 'ExpressionStatement', expression: markedRun(snip, `runCorsWrapper(${names.request}, ${wrapper}, ${names.res})`, 'compat', 'cors') };
}
