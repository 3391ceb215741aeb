/**
 * nextjs-cors in the handler: `await NextCors(req, res, { …options })`, `NextCors` the default export of
 * `nextjs-cors`, a promise around the cors package's middleware that resolves when cors calls next (rejects on its
 * error, and never settles when cors ended a preflight itself). It becomes a marked run, which the response rewrite
 * turns into
 *
 *   const corsAnswer = await runNextCors(request, NextCors, headers, { …options })
 *   if (corsAnswer) return corsAnswer
 *
 * `runNextCors` (compat module) calls the package's own NextCors through runConnectMiddleware, as the cors recipe
 * runs cors (recipes-cors.ts): the same headers into the route's, the same answer of a preflight, so the route exports
 * OPTIONS. The options are evaluated in the route where they were in the handler: only plain data is carried
 * (cors-options.ts); any other use of NextCors leaves the file.
 */
import { isIdent, unwrap, walk, type Node, type Snippets } from './ast.js';
import { valueImports } from './imports.js';
import { corsOptionsProblem } from './cors-options.js';
import { markedRun } from './recipes-cors.js';

export const NEXTJS_CORS = 'nextjs-cors';

export interface NextCorsRecipe {
  /** OPTIONS when a run was rewritten: cors answers the preflight itself. */
  methods: string[];
  problem?: { line?: number; detail: string };
}

export function rewriteNextCorsRuns(snip: Snippets, program: Node, roots: Node[], names: { req: string; res: string; request: string }): NextCorsRecipe {
  const result: NextCorsRecipe = { methods: [] };
  const locals = new Set(valueImports(program, NEXTJS_CORS).filter((i) => i.imported === 'default').map((i) => i.local));
  if (!locals.size) return result;
  const runs: Node[] = [];
  const runCalls = new Set<Node>();
  for (const root of roots) {
    walk(root, (node) => {
      if (node.type !== 'ExpressionStatement' || result.problem) return;
      const awaited = unwrap(node.expression);
      const call = awaited?.type === 'AwaitExpression' ? unwrap(awaited.argument) : null;
      if (call?.type !== 'CallExpression' || !isIdent(call.callee) || !locals.has(call.callee.name)) return;
      const line = node.loc?.start.line;
      const [req, res, options, ...rest] = call.arguments;
      if (!isIdent(unwrap(req), names.req) || !isIdent(unwrap(res), names.res) || rest.length) {
        result.problem = { line, detail: `${call.callee.name}(…) is not called with the handler's (${names.req}, ${names.res}) and options` };
        return;
      }
      const problem = corsOptionsProblem(options, NEXTJS_CORS);
      if (problem) result.problem = { line, detail: problem };
      else runs.push(node), runCalls.add(call);
    }, true);
  }
  if (result.problem) return result;
  // Any other use (not awaited, inside a callback, passed along) would still hand it the Pages req and res.
  for (const root of roots) {
    walk(root, (node, parent, key) => {
      if (result.problem || !isIdent(node) || !locals.has(node.name) || (parent && runCalls.has(parent) && key === 'callee')) return;
      result.problem = { line: node.loc?.start.line, detail: `${node.name} of nextjs-cors is used other than as await ${node.name}(${names.req}, ${names.res}, options), a statement of the handler` };
    });
  }
  if (result.problem) return result;
  for (const stmt of runs) {
    const call = unwrap(unwrap(stmt.expression).argument);
    const options = call.arguments[2] ? `, ${snip.src(call.arguments[2])}` : '';
    stmt.expression = markedRun(snip, `runNextCors(${names.request}, ${call.callee.name}, ${names.res}${options})`, 'compat', 'cors');
  }
  if (runs.length) result.methods.push('OPTIONS');
  return result;
}
