/**
 * better-auth's Pages catch-all, `export default toNodeHandler(auth)` (or `auth.handler`) from `better-auth/node`, →
 * the App Router route better-auth documents: `export const { GET, POST } = toNextJsHandler(auth)` from
 * `better-auth/next-js`. Both hand the request to the same `auth.handler`; Next then answers 405 to the methods
 * better-auth's endpoints do not use (a note says so). `bodyParser: false` loses its purpose: route handlers never
 * parse the body.
 */
import { isIdent, unwrap, END, type Node, type Snippets } from './ast.js';

const NODE_ADAPTER = 'better-auth/node';

export interface BetterAuthRoute {
  notes: string[];
  methods: string[];
}

/** Rewrites the program in place into the route; null when the default export is not `toNodeHandler(x)`. */
export function rewriteBetterAuth(snip: Snippets, program: Node): BetterAuthRoute | null {
  const local = program.body
    .filter((s: Node) => s.type === 'ImportDeclaration' && s.source.value === NODE_ADAPTER && s.importKind !== 'type')
    .flatMap((s: Node) => s.specifiers ?? [])
    .find((s: Node) => s.type === 'ImportSpecifier' && s.imported.name === 'toNodeHandler')?.local.name;
  if (!local) return null;
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  const call = exportIndex < 0 ? null : unwrap(program.body[exportIndex].declaration);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee, local) || call.arguments.length !== 1 || call.arguments[0].type === 'SpreadElement') return null;
  const [route] = snip.statements(`export const { GET, POST } = toNextJsHandler(${snip.src(call.arguments[0])})${END}`);
  program.body[exportIndex] = snip.withCommentsOf(program.body[exportIndex], route);
  // The adapter's import becomes the Next.js one where it stood (changed in place, so recast reprints only it).
  const adapter = program.body.find((s: Node) => s.type === 'ImportDeclaration' && s.source.value === NODE_ADAPTER && s.specifiers?.length === 1 && s.specifiers[0].local.name === local);
  if (adapter) {
    const fresh = snip.statements(`import { toNextJsHandler } from ${snip.str('better-auth/next-js')}${END}`)[0];
    adapter.specifiers = fresh.specifiers;
    adapter.source = fresh.source;
  }
  return { notes: ['better-auth: toNextJsHandler exported as GET and POST; other methods now get 405 from Next'], methods: ['GET', 'POST'] };
}
