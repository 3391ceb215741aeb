/**
 * next-auth v4's catch-all route, `pages/api/auth/[...nextauth].ts`:
 *
 *   export default NextAuth(authOptions)
 *   export default (req, res) => NextAuth(req, res, authOptions)      (also a function that returns or awaits it)
 *
 * becomes the App Router form next-auth v4 documents: `const handler = NextAuth(authOptions)` exported as GET and POST.
 * A route file may not export anything else, but this file very often exports `authOptions` too, which other files
 * import (`getServerSession(authOptions)`). Then the file's other code moves to a module of its own
 * (`lib/auth-options.ts`; src/moved-exports.ts rewrites the importers), and the route imports from
 * it. Pure: source in, route (and module) text out.
 */
import { posix } from 'node:path';
import type { JSCodeshift } from 'jscodeshift';
import { cloneNode, freshName, isIdent, isTypeScriptPath, namesIn, unwrap, walk, Snippets, END, type Node } from './lib/ast.js';
import { addImport, compatSpecifier, fixRelativeImports, removeUnusedImports, valueImports } from './lib/imports.js';
import { requestOptions, type RequestOptions } from './lib/next-auth-request.js';
import { droppedConfigNotes, extractConfig, isConfigExport } from './lib/config.js';
import { printProgram } from './lib/print.js';
import type { ParsedSource } from './lib/source-text.js';
import { versionAtLeast } from './lib/version.js';
import { prerendersGet } from './lib/prerendered-get.js';
import { sentryWrapped, SENTRY_NOTE, SENTRY_SOURCE } from './lib/sentry.js';
import { movedNote, ROUTE_EXPORTS } from './lib/split-exports.js';
import type { TransformContext, TransformResult } from './types.js';

interface OptionsOf {
  /** The options argument. */
  options: Node;
  /** When the options read the request (`NextAuth(req, res, getAuthOptions(req))`): its name, and the function. */
  request?: { reqName: string; handler: Node };
}

interface NextAuthShape extends OptionsOf {
  /** program.body indices of the default export and of the declaration it names. */
  drop: number[];
  /** A name the route can reuse for its handler (the one the file gave it), if any. */
  name: string | null;
  /** The local name of next-auth's default import. */
  local: string;
  /** The default export was wrapped by @sentry/nextjs's withSentry. */
  sentry?: boolean;
}

const NEXT_AUTH_SOURCES = ['next-auth', 'next-auth/next'];

function nextAuthLocal(program: Node): string | null {
  // `next-auth/next` exports the same NextAuth as `next-auth` in v4.
  return valueImports(program, NEXT_AUTH_SOURCES).find((i) => i.imported === 'default')?.local ?? null;
}

/** The options of `NextAuth(options)`, or of `NextAuth(req, res, options)` inside a `(req, res)` function. */
function optionsOf(node: Node, local: string): OptionsOf | null {
  const value = unwrap(node);
  if (value?.type === 'CallExpression' && isIdent(value.callee, local) && value.arguments.length === 1) return { options: value.arguments[0] };
  if (value?.type !== 'ArrowFunctionExpression' && value?.type !== 'FunctionExpression' && value?.type !== 'FunctionDeclaration') return null;
  const [req, res] = value.params;
  if (value.params.length !== 2 || req?.type !== 'Identifier' || res?.type !== 'Identifier') return null;
  let expression = value.body;
  if (expression.type === 'BlockStatement') {
    if (expression.body.length !== 1) return null;
    const [stmt] = expression.body;
    expression = stmt.type === 'ReturnStatement' ? stmt.argument : stmt.type === 'ExpressionStatement' ? stmt.expression : null;
  }
  let call = expression && unwrap(expression);
  if (call?.type === 'AwaitExpression') call = unwrap(call.argument);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee, local) || call.arguments.length !== 3) return null;
  const [a, b, options] = call.arguments;
  if (!isIdent(a, req.name) || !isIdent(b, res.name)) return null;
  // Options built from the request (`getAuthOptions(req)`) keep the advanced initialization, with the route's
  // request (see lib/next-auth-request.ts); options that use `res` are not followed.
  let usesRequest = false;
  let usesResponse = false;
  walk(options, (n) => {
    if (n.type === 'Identifier' && n.name === req.name) usesRequest = true;
    if (n.type === 'Identifier' && n.name === res.name) usesResponse = true;
  });
  if (usesResponse) return null;
  return usesRequest ? { options, request: { reqName: req.name, handler: value } } : { options };
}

export function nextAuthShapeOf(program: Node): NextAuthShape | null {
  const local = nextAuthLocal(program);
  if (!local) return null;
  const index = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  if (index < 0) return null;
  // `export default withSentry(handler)`: the wrapper goes, as from any handler (transforms/lib/sentry.ts).
  const sentry = sentryWrapped(program, program.body[index].declaration);
  const decl = sentry?.inner ?? program.body[index].declaration;
  const withSentry = sentry ? { sentry: true } : {};
  const direct = optionsOf(decl, local);
  if (direct) return { drop: [index], ...direct, name: decl.type === 'FunctionDeclaration' ? (decl.id?.name ?? null) : null, local, ...withSentry };
  const inner = unwrap(decl);
  if (inner?.type !== 'Identifier') return null;
  for (let i = 0; i < program.body.length; i++) {
    const stmt = program.body[i];
    if (stmt.type === 'FunctionDeclaration' && stmt.id?.name === inner.name) {
      const options = optionsOf(stmt, local);
      return options ? { drop: [index, i], ...options, name: inner.name, local, ...withSentry } : null;
    }
    if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1 && isIdent(stmt.declarations[0].id, inner.name)) {
      const options = stmt.declarations[0].init && optionsOf(stmt.declarations[0].init, local);
      return options ? { drop: [index, i], ...options, name: inner.name, local, ...withSentry } : null;
    }
  }
  return null;
}

/** Value exports other than the default and the segment config: what the route may not keep (`authOptions`, helpers). */
export function otherExportsOf(program: Node): string[] {
  const names: string[] = [];
  for (const stmt of program.body) {
    if (stmt.type === 'ExportAllDeclaration' && stmt.exportKind !== 'type') names.push('*');
    if (stmt.type !== 'ExportNamedDeclaration' || stmt.exportKind === 'type') continue;
    const decl = stmt.declaration;
    if (decl?.type === 'TSTypeAliasDeclaration' || decl?.type === 'TSInterfaceDeclaration' || decl?.declare) continue;
    if (decl?.type === 'VariableDeclaration') names.push(...decl.declarations.map((d: Node) => d.id?.name ?? '?'));
    else if (decl) names.push(decl.id?.name ?? '?');
    else names.push(...stmt.specifiers.filter((s: Node) => s.exportKind !== 'type').map((s: Node) => s.exported.name));
  }
  return names.filter((name) => !ROUTE_EXPORTS.includes(name));
}


/** Top-level names the options expression reads that the file declares (not imports): they move with the module. */
function declaredNamesUsed(program: Node, options: Node, drop: number[]): string[] {
  const declared = new Set<string>();
  program.body.forEach((stmt: Node, i: number) => {
    if (stmt.type === 'ImportDeclaration' || drop.includes(i)) return;
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (decl?.type === 'VariableDeclaration') decl.declarations.forEach((d: Node) => d.id?.name && declared.add(d.id.name));
    else if (decl?.id?.name) declared.add(decl.id.name);
  });
  const used = new Set<string>();
  walk(options, (n, parent, key) => {
    if (n.type !== 'Identifier' || !declared.has(n.name)) return;
    if ((parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed) return;
    if (parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed && !parent.shorthand) return;
    used.add(n.name);
  });
  return [...used].sort();
}

/**
 * The route for a next-auth file, or null when it is not this shape (the main transform then reports it).
 * With other exports it needs `ctx.exportsModule`, where they move; without, it leaves them to the main transform.
 * `parsed` is the file as the main transform parsed it: the route and the options module are each made from a copy
 * of the program (cloneNode keeps the links recast reprints by), which stays as parsed, for the main transform to go
 * on with when this gives up.
 */
export function nextAuthRoute(parsed: ParsedSource, ctx: TransformContext): TransformResult | null {
  const { source, j, snip } = parsed;
  const program = cloneNode(parsed.program);
  if (!nextAuthShapeOf(program)) return null;
  // `export const config` becomes the route's segment exports, in its place (before the shape: it moves statements).
  const config = extractConfig(snip, program);
  if (config && (config === 'unreadable' || config.unknown.length || config.rawBody || config.bodyLimit || config.isEdge)) return null;
  const segment = config ? config.exports : [];
  const shape = nextAuthShapeOf(program);
  if (!shape) return null;
  const exports = otherExportsOf(program);
  const moves = exports.length > 0;
  // Without a module to move them to (the plan gives one), the other exports keep the file in place.
  const target = ctx.exportsModule && 'modulePath' in ctx.exportsModule ? ctx.exportsModule : null;
  if (moves && !target) {
    const why = ctx.exportsModule && 'left' in ctx.exportsModule ? `: ${ctx.exportsModule.left}` : '';
    return { status: 'left', diagnostics: [{ reason: 'EXTRA_EXPORTS', detail: `export ${exports.join(', ')}${why}` }], notes: [], usesCompat: false, methods: [] };
  }
  // NextAuth(options) answers an App Router request from 4.22.0 on; v3 and earlier v4 read req.query and write res.
  if (ctx.nextAuthVersion && !versionAtLeast(ctx.nextAuthVersion, 4, 22)) {
    return { status: 'left', diagnostics: [{ reason: 'NEXT_AUTH_TOO_OLD', detail: `next-auth ${ctx.nextAuthVersion} has no route handler (it came with 4.22.0): upgrade next-auth first` }], notes: [], usesCompat: false, methods: [] };
  }
  const typescript = isTypeScriptPath(ctx.sourcePath);
  const head = prerendersGet(ctx) ? [`export const dynamic = ${snip.str('force-dynamic')}${END}`] : [];

  if (!moves) {
    const taken = namesIn(program);
    if (shape.name) taken.delete(shape.name);
    const name = shape.name ?? freshName('handler', taken);
    const handler = handlerCode(j, snip, program, shape, name, ctx);
    if (!handler) return null;
    const statements = snip.statements([...head, ...handler.code, `export { ${name} as GET, ${name} as POST }${END}`].join('\n'));
    const at = Math.min(...shape.drop);
    statements[0] = snip.withCommentsOf(program.body[at], statements[0]);
    program.body = program.body.flatMap((stmt: Node, i: number) => (i === at ? statements : shape.drop.includes(i) ? [] : [stmt]));
    fixRelativeImports(program, ctx.sourcePath, ctx.targetPath);
    removeUnusedImports(snip, program, (s) => s === 'next' || s === SENTRY_SOURCE);
    // The rewritten functions stay in the route too.
    if (handler.request) addRequestImports(snip, program, ctx.targetPath, ctx, [...handler.request.uses, ...handler.request.functionUses], true);
    return { status: 'migrated', output: source.restore(printProgram(j, program, source.text, ctx.sourcePath)), diagnostics: [], notes: [...droppedConfigNotes(config), ...handler.notes, ...sentryNote(shape)], usesCompat: handler.usesCompat, methods: ['GET', 'POST'] };
  }

  // The route: the NextAuth import, the moved names from the new module, and the imports the options read directly.
  const moved = declaredNamesUsed(program, shape.options, shape.drop);
  const route = j('').get().node.program;
  for (const stmt of program.body) {
    // Side-effect imports stay in the module, which the route imports: they still run once.
    if (stmt.type === 'ImportDeclaration' && stmt.specifiers?.length) route.body.push(snip.statements(snip.src(stmt).replace(/;?\s*$/, END))[0]);
  }
  const handler = handlerCode(j, snip, program, shape, 'handler', ctx);
  if (!handler) return null;
  route.body.push(...segment.map(cloneNode), ...snip.statements([...head, ...handler.code, `export { handler as GET, handler as POST }${END}`].join('\n')));
  fixRelativeImports(route, ctx.sourcePath, ctx.targetPath);
  removeUnusedImports(snip, route, () => true);
  if (moved.length) addImport(snip, route, target!.routeSpecifier, { values: moved, types: [] }, typescript);
  if (handler.request) addRequestImports(snip, route, ctx.targetPath, ctx, handler.request.uses, true);
  const output = printProgram(j, route, source.text, ctx.sourcePath);
  const content = nextAuthOptionsModule({ ...parsed, program: cloneNode(parsed.program) }, ctx.sourcePath, target!.modulePath, ctx);
  if (content === null) return null;
  return { status: 'migrated', output: source.restore(output), diagnostics: [], notes: [movedNote(exports, target!.modulePath), ...droppedConfigNotes(config), ...handler.notes, ...sentryNote(shape)], usesCompat: handler.usesCompat, methods: ['GET', 'POST'], exportsModule: { path: target!.modulePath, content, exports } };
}

function sentryNote(shape: NextAuthShape): string[] {
  return shape.sentry ? [SENTRY_NOTE] : [];
}

/** One level deeper, every line (the code goes inside a function the snippet writes). */
const indented = (code: string) => code.replace(/^(?=.)/gm, '  ');

function imports(program: Node, local: string): boolean {
  return program.body.some((s: Node) => s.type === 'ImportDeclaration' && s.specifiers?.some((sp: Node) => sp.local?.name === local));
}

interface HandlerCode {
  code: string[];
  notes: string[];
  usesCompat: boolean;
  /** For options that read the request: what the rewrite of the request needs imported. */
  request: RequestOptions | null;
}

/**
 * `const handler = NextAuth(options)`; or, for options that read the request, a function that calls NextAuth with
 * the route's request and context (rewriting, in `program`, the functions the options pass the request to).
 * Null when the request's reads cannot be rewritten.
 */
function handlerCode(j: JSCodeshift, snip: Snippets, program: Node, shape: NextAuthShape, name: string, ctx: TransformContext): HandlerCode | null {
  if (!shape.request) return { code: [`const ${name} = ${shape.local}(${snip.src(shape.options)})${END}`], notes: [], usesCompat: false, request: null };
  const typescript = isTypeScriptPath(ctx.sourcePath);
  const taken = namesIn(program);
  taken.add(name);
  const request = requestOptions(j, snip, program, shape.request.handler, shape.options, shape.request.reqName, typescript, taken);
  if (!request) return null;
  const context = freshName('context', new Set([...taken, request.requestName]));
  const params = versionAtLeast(ctx.nextVersion, 15, 0) ? 'Promise<{ nextauth: string[] }>' : '{ nextauth: string[] }';
  const code = [
    `async function ${name}(${snip.src(request.requestParam)}, ${context}${typescript ? `: { params: ${params} }` : ''}) {`,
    ...[...request.prelude.map((stmt) => snip.src(stmt)), `return ${shape.local}(${request.requestName}, ${context}, ${snip.src(request.options)})${END}`].map(indented),
    '}',
  ];
  const note = 'next-auth reads its options from the request: the route calls NextAuth(request, context, options), next-auth v4\'s advanced initialization for route handlers';
  return { code, notes: [note], usesCompat: request.uses.size + request.functionUses.size > 0, request };
}

/** The compat helpers `uses`, and NextRequest (when asked, in TypeScript), imported into `program`, the file `file`. */
function addRequestImports(snip: Snippets, program: Node, file: string, ctx: TransformContext, uses: Iterable<string>, nextRequest: boolean): void {
  const typescript = isTypeScriptPath(ctx.sourcePath);
  const compat = [...new Set(uses)].sort();
  if (compat.length) addImport(snip, program, compatSpecifier(file, ctx.compatPath), { values: compat, types: [] }, typescript);
  if (nextRequest && typescript && !imports(program, 'NextRequest')) addImport(snip, program, 'next/server', { values: [], types: ['NextRequest'] }, true);
}

/** The module the file's other code moves to: everything but the NextAuth handler, imports fixed for its folder. */
function nextAuthOptionsModule(parsed: ParsedSource, sourcePath: string, modulePath: string, ctx: TransformContext): string | null {
  const { source, j, snip, program } = parsed;
  // The segment config is the route's (see nextAuthRoute): it does not move.
  program.body = program.body.filter((s: Node) => !isConfigExport(s));
  const shape = nextAuthShapeOf(program);
  if (!shape) return null;
  const moved = declaredNamesUsed(program, shape.options, shape.drop);
  const exported = new Set(otherExportsOf(program));
  // The functions the options pass the request to move here: they take the route's request now.
  const request = shape.request ? requestOptions(j, snip, program, shape.request.handler, shape.options, shape.request.reqName, isTypeScriptPath(sourcePath), namesIn(program)) : null;
  if (shape.request && !request) return null;
  program.body = program.body.filter((_: Node, i: number) => !shape.drop.includes(i));
  const missing = moved.filter((name) => !exported.has(name));
  // The route imports these from the module: they are exported now (the names were module-private before).
  // The snippet declares the names too, or the parser rejects an export of an undefined binding.
  if (missing.length) program.body.push(snip.statements(`${missing.map((n) => `let ${n}\n`).join('')}export { ${missing.join(', ')} }${END}`).at(-1));
  fixRelativeImports(program, sourcePath, modulePath);
  removeUnusedImports(snip, program, (s) => NEXT_AUTH_SOURCES.includes(s) || s === 'next' || s === SENTRY_SOURCE);
  if (request) addRequestImports(snip, program, modulePath, ctx, request.functionUses, request.functionsUseNextRequest);
  return source.restore(printProgram(j, program, source.text, modulePath));
}

/** Where the module goes: `lib/auth-options.ts` beside `pages` (`src/lib/…` for `src/pages`), a free name. */
export function nextAuthModulePath(sourcePath: string, exists: (withoutExtension: string) => boolean, jsx = false): string {
  const base = sourcePath.startsWith('src/') ? 'src/lib/auth-options' : 'lib/auth-options';
  // A module of options only is .ts (.js), unless they hold JSX (an email provider's `<LoginLink url={url} />`).
  const ext = jsx ? posix.extname(sourcePath) : posix.extname(sourcePath) === '.tsx' ? '.ts' : posix.extname(sourcePath) === '.jsx' ? '.js' : posix.extname(sourcePath);
  let candidate = base;
  for (let n = 2; exists(candidate); n++) candidate = `${base}-${n}`;
  return candidate + ext;
}
