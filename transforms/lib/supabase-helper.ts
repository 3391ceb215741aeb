/**
 * A project helper that hands the Pages req and res to @supabase/auth-helpers-nextjs's Pages client and nothing else:
 *
 *   export async function getSessionUser(req: NextApiRequest, res: NextApiResponse) {
 *     const supabase = createPagesServerClient({ req, res })
 *     const { data } = await supabase.auth.getUser()
 *     …
 *   }
 *   export async function requireRole(req, res, roles) { const user = await getSessionUser(req, res); … }
 *
 * It has no version without req and res (the client reads the session cookie and writes a refreshed one), but the
 * route can call the helper itself with the compat module's Pages-like request and response, as the handler-level
 * recipe gives them to the client (recipes-supabase.ts): the cookies as Pages parsed them in, the client's Set-Cookie
 * out into the route's headers. So, like a session helper that also reads a header (session-helper.ts), it gets no
 * twin, and its routes call it with the stand-ins.
 *
 * Followed: req and res as two plain parameters, each used only as `{ req, res }` of the client's maker, or passed on
 * as the (req, res) of another such helper of the same module (`requireRole` above, which calls `getSessionUser`).
 */
import { isIdent, unwrap, walk, type Node } from './ast.js';
import { isPagesClientCall, pagesClientMakers } from './recipes-supabase.js';
import { referencesTo } from './scope.js';
import { takesNextAuthShims } from './shim-types.js';

/** The module's functions by name: declarations and consts bound to a function, exported or not. */
function moduleFunctions(program: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' || raw.type === 'ExportDefaultDeclaration' ? raw.declaration : raw;
    if (stmt?.type === 'FunctionDeclaration' && stmt.id) out.set(stmt.id.name, stmt);
    if (stmt?.type === 'VariableDeclaration')
      for (const d of stmt.declarations) {
        const init = d.init && unwrap(d.init);
        if (isIdent(d.id) && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) out.set(d.id.name, init);
      }
  }
  return out;
}

type Args = { req: number; res: number };

/**
 * Where `fn` takes req and res when it is such a helper, or null. `known`: the answers so far, by function (null while
 * one is being looked at: a loop of calls is no such helper).
 */
function shimArgs(program: Node, fn: Node, makers: Set<string>, functions: Map<string, Node>, known: Map<Node, Args | null>): Args | null {
  if (known.has(fn) || !fn.body) return known.get(fn) ?? null;
  known.set(fn, null);
  const args = ownShimArgs(program, fn, makers, functions, known);
  known.set(fn, args);
  return args;
}

function ownShimArgs(program: Node, fn: Node, makers: Set<string>, functions: Map<string, Node>, known: Map<Node, Args | null>): Args | null {
  // The first client call, or the first call of another such helper, names req and res.
  let found = null as Args | null;
  const paramAt = (node: Node | undefined) => (node && isIdent(unwrap(node)) ? fn.params.findIndex((p: Node) => isIdent(p, unwrap(node).name)) : -1);
  const accepted = new Set<Node>();
  walk(fn.body, (node) => {
    if (node.type !== 'CallExpression' || !isIdent(node.callee)) return;
    let at: Args | null = null;
    let passed: Node[] = [];
    if (makers.has(node.callee.name)) {
      const context = unwrap(node.arguments[0] ?? null);
      const prop = (key: string) => context?.type === 'ObjectExpression' ? context.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key)) : undefined;
      const [req, res] = [paramAt(prop('req')?.value), paramAt(prop('res')?.value)];
      if (req >= 0 && res >= 0 && isPagesClientCall(node, makers, fn.params[req].name, fn.params[res].name)) {
        at = { req, res };
        passed = [prop('req').value, prop('res').value];
      }
    } else if (functions.has(node.callee.name)) {
      const inner = shimArgs(program, functions.get(node.callee.name)!, makers, functions, known);
      const [req, res] = inner ? [paramAt(node.arguments[inner.req]), paramAt(node.arguments[inner.res])] : [-1, -1];
      if (inner && req >= 0 && res >= 0) {
        at = { req, res };
        passed = [node.arguments[inner.req], node.arguments[inner.res]];
      }
    }
    // Only where they go in the same places: a call passing them the other way round stays a use of its own.
    if (at && !found) found = at;
    if (at && found?.req === at.req && found.res === at.res) passed.forEach((n) => accepted.add(n));
  });
  if (!found || found.req === found.res) return null;
  const { req, res } = found;
  const names = [fn.params[req].name, fn.params[res].name];
  // Every use of either is one of the accepted places.
  const only = names.every((name) => referencesTo([fn.body], name).every((ref) => accepted.has(ref.node) || accepted.has(ref.parent)));
  return only ? found : null;
}

/**
 * The helper's shape for its routes (session-helper.ts's shim-only form), or null when it is not such a helper.
 * Its parameters must take the compat module's request and response as typed (shim-types.ts).
 */
export function toSupabaseShimHelper(program: Node, fn: Node): { fn: null; args: { req: number; res: number }; shims: true; shimOnly: string } | null {
  const makers = pagesClientMakers(program);
  if (!makers.size) return null;
  const args = shimArgs(program, fn, makers, moduleFunctions(program), new Map());
  if (!args || fn.params.some((p: Node) => p.type !== 'Identifier' && p.type !== 'AssignmentPattern' && p.type !== 'ObjectPattern')) return null;
  if (!takesNextAuthShims(program, fn, args)) return null;
  return { fn: null, args, shims: true, shimOnly: `it hands ${fn.params[args.req].name} and ${fn.params[args.res].name} to @supabase/auth-helpers-nextjs's Pages client` };
}
