/**
 * iron-session v6/v7's wrapper, `export default withIronSessionApiRoute(handler, options)` from 'iron-session/next',
 * put the session on `req.session`. v8 dropped the wrapper: the handler reads the session itself. So the wrapper goes,
 * the handler opens with `const session = await getIronSession(req, res, options)` and its `req.session` reads become
 * `session` (`save()` and `destroy()` keep their names in v8); the getIronSession recipe (recipes.ts) then turns the
 * call into `getIronSession(await cookies(), options)`. The route needs v8, so it gets an IRON_SESSION_V8 marker.
 * Options computed per request (`(req, res) => options` inline or a function of this file, v7) are not followed:
 * HANDLER_NOT_FOUND. An imported name is taken for an options object.
 */
import { isFunction, isIdent, memberName, namesIn, freshName, unwrap, walk, END, type Node, type Snippets } from './ast.js';
import { dropImportOf } from './imports.js';
import type { Reason } from '../../src/diagnostics.js';

const WRAPPER = 'withIronSessionApiRoute';
const SOURCES = ['iron-session/next'];

export const IRON_WRAPPER_NOTE = 'withIronSessionApiRoute removed: the handler reads its session with getIronSession (iron-session v8)';

export type IronUnwrap = null | { markers: Array<{ reason: Reason; detail: string }> } | { problem: string; line?: number };

function wrapperImport(program: Node, local: string): number {
  return program.body.findIndex(
    (s: Node) => s.type === 'ImportDeclaration' && SOURCES.includes(s.source.value) && s.specifiers?.some((sp: Node) => sp.type === 'ImportSpecifier' && sp.local.name === local && sp.imported.name === WRAPPER),
  );
}

/** The function an identifier names at the top level: `function h(req, res)` or `const h = (req, res) => …`. */
function topLevelFunction(program: Node, name: string): Node | null {
  for (const stmt of program.body) {
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (decl?.type === 'FunctionDeclaration' && decl.id?.name === name) return decl;
    if (decl?.type === 'VariableDeclaration') {
      for (const d of decl.declarations) if (isIdent(d.id, name) && d.init && isFunction(unwrap(d.init))) return unwrap(d.init);
    }
  }
  return null;
}

/** Unwraps the default export in place when it is `withIronSessionApiRoute(handler, options)`. */
export function unwrapIronSession(snip: Snippets, program: Node, exportIndex: number, typescript: boolean): IronUnwrap {
  const stmt = program.body[exportIndex];
  const call = unwrap(stmt.declaration);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee)) return null;
  const importIndex = wrapperImport(program, call.callee.name);
  if (importIndex < 0) return null;
  const line = call.loc?.start.line;
  const [handlerArg, options] = call.arguments;
  if (call.arguments.length !== 2 || handlerArg.type === 'SpreadElement' || options.type === 'SpreadElement') return { problem: `${WRAPPER}(…) without (handler, options)`, line };
  // v7 also took a function of (req, res), inline or by name.
  if (isFunction(unwrap(options)) || (isIdent(unwrap(options)) && topLevelFunction(program, unwrap(options).name))) return { problem: `${WRAPPER}(…) with options computed per request`, line };
  if (!isIdent(unwrap(options)) && unwrap(options).type !== 'ObjectExpression') return { problem: `${WRAPPER}(…) with options that are not a name or an object literal`, line };
  const fn = isFunction(unwrap(handlerArg)) ? unwrap(handlerArg) : isIdent(unwrap(handlerArg)) ? topLevelFunction(program, unwrap(handlerArg).name) : null;
  if (!fn || fn.params.length < 1 || fn.params[0].type !== 'Identifier') return { problem: `${WRAPPER}(…) around a handler the tool cannot follow`, line };
  const reqName = fn.params[0].name;
  if (fn.params.length < 2) fn.params.push({ type: 'Identifier', name: freshName('res', namesIn(fn)) });
  const resName = fn.params[1].type === 'Identifier' ? fn.params[1].name : null;
  if (!resName) return { problem: `${WRAPPER}(…) around a handler whose res is destructured`, line };

  // `req.session` → `session`; any other use of the session through req (`const { session } = req`) is not followed.
  const sessionName = freshName('session', namesIn(fn));
  const uses: Array<[Node, string, Node]> = [];
  let other = false;
  walk(fn.body, (node, parent, key) => {
    if (node.type === 'ObjectPattern' && parent?.type === 'VariableDeclarator' && isIdent(unwrap(parent.init), reqName) && node.properties.some((p: Node) => p.key?.name === 'session')) other = true;
    if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && isIdent(unwrap(node.object), reqName) && memberName(node) === 'session' && parent) uses.push([parent, key, node]);
  });
  if (other) return { problem: `req.session destructured from req`, line };
  for (const [parent, key, node] of uses) {
    const slot = parent[key];
    const identifier = { type: 'Identifier', name: sessionName };
    if (Array.isArray(slot)) slot[slot.indexOf(node)] = identifier;
    else parent[key] = identifier;
  }
  const bodyStatements = fn.body.type === 'BlockStatement' ? fn.body.body : null;
  const opening = snip.statements(`const ${sessionName} = await getIronSession${typescript ? '<IronSessionData>' : ''}(${reqName}, ${resName}, ${snip.src(options)})${END}`);
  if (bodyStatements) bodyStatements.unshift(...opening);
  else fn.body = { type: 'BlockStatement', body: [...opening, ...snip.statements(`return ${snip.src(fn.body)}${END}`)] };
  fn.async = true;

  stmt.declaration = handlerArg;
  // The wrapper's import goes when nothing else uses it; getIronSession comes from the package itself.
  const removed = dropImportOf(program, importIndex, call.callee.name);
  const existing = program.body.find((s: Node) => s.type === 'ImportDeclaration' && s.source.value === 'iron-session');
  const names = ['getIronSession', ...(typescript ? ['type IronSessionData'] : [])].filter(
    (n) => !existing?.specifiers?.some((sp: Node) => sp.local?.name === n.replace('type ', '')),
  );
  if (names.length) {
    program.body.splice(removed ? importIndex : importIndex + 1, 0, ...snip.statements(`import { ${names.join(', ')} } from ${snip.str('iron-session')}${END}`));
  }
  const detail = typescript ? 'getIronSession<IronSessionData>: v8 exports no IronSessionData, name your session type' : `${WRAPPER} from iron-session/next`;
  return { markers: [{ reason: 'IRON_SESSION_V8', detail }] };
}
