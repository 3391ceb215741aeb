/**
 * better-auth's Pages catch-all, `export default toNodeHandler(auth)` (or `auth.handler`) from `better-auth/node`, →
 * the App Router route better-auth documents: `export const { GET, POST } = toNextJsHandler(auth)` from
 * `better-auth/next-js`. Both hand the request to the same `auth.handler`, which in Pages took every method: plugins
 * answer PUT, PATCH and DELETE (SCIM provisioning), so the route exports POST's function, the same handler, for them
 * too. `bodyParser: false` loses its purpose: route handlers never parse the body. A file that imports from
 * `better-auth/next-js` already keeps that import: the route calls toNextJsHandler through it (under its alias, or
 * as a member of the namespace), or the name joins it.
 */
import { isIdent, unwrap, END, type Node, type Snippets } from './ast.js';
import { importWith, valueImports } from './imports.js';

const NODE_ADAPTER = 'better-auth/node';
const NEXT_ADAPTER = 'better-auth/next-js';

export interface BetterAuthRoute {
  notes: string[];
  methods: string[];
}

/** Value imports from better-auth/next-js (`import type` ones cannot be called). */
function nextAdapterImports(program: Node): Node[] {
  return program.body.filter((s: Node) => s.type === 'ImportDeclaration' && s.source.value === NEXT_ADAPTER && s.importKind !== 'type');
}

/** How the file names toNextJsHandler already: its import's local name, or the member of a namespace import; null when it does not. */
function importedNextHandler(program: Node): string | null {
  const imports = valueImports(program, NEXT_ADAPTER);
  const named = imports.find((i) => i.imported === 'toNextJsHandler');
  if (named) return named.local;
  const namespace = imports.find((i) => i.imported === '*');
  return namespace ? `${namespace.local}.toNextJsHandler` : null;
}

/**
 * Imports toNextJsHandler once: into the file's named import from better-auth/next-js when it has one, else in place
 * of the adapter's import when that imports nothing else (changed in place, so recast reprints only it), else just
 * after it.
 */
function importNextHandler(snip: Snippets, program: Node, adapterLocal: string): void {
  const fresh = snip.statements(`import { toNextJsHandler } from ${snip.str(NEXT_ADAPTER)}${END}`)[0];
  const named = nextAdapterImports(program).find((s: Node) => s.specifiers?.some((x: Node) => x.type === 'ImportSpecifier'));
  if (named) {
    // Rebuilt from text in the file's style (a pushed specifier would make recast reprint it in its own).
    const at = program.body.indexOf(named);
    program.body[at] = snip.withCommentsOf(named, importWith(snip, named, [...named.specifiers, fresh.specifiers[0]]));
    return;
  }
  const at = program.body.findIndex((s: Node) => s.type === 'ImportDeclaration' && s.source.value === NODE_ADAPTER && s.specifiers?.some((x: Node) => x.local.name === adapterLocal));
  const adapter = program.body[at];
  if (adapter.specifiers.length === 1) {
    adapter.specifiers = fresh.specifiers;
    adapter.source = fresh.source;
  } else program.body.splice(at + 1, 0, fresh);
}

/** Rewrites the program in place into the route; null when the default export is not `toNodeHandler(x)`. */
export function rewriteBetterAuth(snip: Snippets, program: Node): BetterAuthRoute | null {
  const local = valueImports(program, NODE_ADAPTER).find((i) => i.imported === 'toNodeHandler')?.local;
  if (!local) return null;
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  const call = exportIndex < 0 ? null : unwrap(program.body[exportIndex].declaration);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee, local) || call.arguments.length !== 1 || call.arguments[0].type === 'SpreadElement') return null;
  const imported = importedNextHandler(program);
  const [route, others] = snip.statements(
    `export const { GET, POST } = ${imported ?? 'toNextJsHandler'}(${snip.src(call.arguments[0])})${END}\n` +
      `// better-auth took every method in Pages (plugins such as SCIM answer PUT, PATCH and DELETE): the same handler.\n` +
      `export { POST as PUT, POST as PATCH, POST as DELETE }${END}`,
  );
  program.body.splice(exportIndex, 1, snip.withCommentsOf(program.body[exportIndex], route), others);
  // The adapter's import goes once unused (removeUnusedImports), unless the file uses its other names.
  if (!imported) importNextHandler(snip, program, local);
  return { notes: ['better-auth: toNextJsHandler exported as GET and POST, and its handler as PUT, PATCH and DELETE; OPTIONS is now answered by Next'], methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] };
}
