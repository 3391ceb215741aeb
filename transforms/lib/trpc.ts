/**
 * tRPC: `export default createNextApiHandler({ router, createContext })` (@trpc/server/adapters/next) →
 * `fetchRequestHandler({ endpoint, req: request, router, createContext })` (@trpc/server/adapters/fetch), exported
 * as GET (queries) and POST (mutations). The endpoint is the route's path without its `[trpc]` segment, which the
 * Pages adapter read from `req.query.trpc` and the fetch adapter cuts off the URL instead.
 * The fetch adapter gives createContext (and onError) `{ req: Request, resHeaders, info }` where the Pages one gave
 * `{ req, res, info }` with Node objects: a createContext that reads its argument gets a TRPC_CONTEXT marker.
 */
import { isIdent, isTypeScriptPath, memberName, unwrap, isFunction, END, freshName, namesIn, type Node, type Snippets } from './ast.js';
import { versionAtLeast } from './version.js';
import type { TransformContext } from '../types.js';
import { referencesTo } from './scope.js';
import { valueImports } from './imports.js';
import { markerText, type Reason } from '../../src/diagnostics.js';

const ADAPTER = '@trpc/server/adapters/next';
/** Options both adapters take with the same meaning. */
const KEPT = ['router', 'createContext', 'onError', 'responseMeta', 'batching', 'allowBatching', 'allowMethodOverride'];

export type TrpcRoute =
  | { left: Reason; line?: number; detail: string }
  | { markers: Array<{ reason: Reason; detail: string }>; notes: string[]; methods: string[] };

/** The call's options object when the default export is `createNextApiHandler({…})` (or `ns.createNextApiHandler`). */
function handlerCall(program: Node, exportIndex: number): Node | null {
  const imports = valueImports(program, ADAPTER);
  const named = new Set(imports.filter((i) => i.imported === 'createNextApiHandler').map((i) => i.local));
  const namespaces = new Set(imports.filter((i) => i.imported === '*').map((i) => i.local));
  const call = unwrap(program.body[exportIndex].declaration);
  if (call?.type !== 'CallExpression') return null;
  const callee = unwrap(call.callee);
  const matches = (isIdent(callee) && named.has(callee.name)) || (memberName(callee) === 'createNextApiHandler' && isIdent(callee.object) && namespaces.has(callee.object.name));
  return matches ? call : null;
}

/**
 * Whether a default export is tRPC's Pages handler: the route keeps the call (as fetchRequestHandler) and only reads
 * the router and options it is given, so those may move to a module with the file's other exports.
 */
export function isTrpcHandlerExport(program: Node, exportIndex: number): boolean {
  return handlerCall(program, exportIndex) !== null;
}

/** The API path the route answers, from `app/api/trpc/[trpc]/route.ts`: `/api/trpc`; null without a `[trpc]` folder. */
function endpointOf(targetPath: string): string | null {
  const folders = targetPath.replace(/^(src\/)?app\//, '').split('/').slice(0, -1);
  const last = folders.pop();
  if (last !== '[trpc]' && last !== '[...trpc]') return null;
  if (folders.some((f) => f.startsWith('['))) return null;
  return `/${folders.map((f) => f.replace(/^%5F/, '_')).join('/')}`;
}

/** A function option that reads its argument (the adapter's `{ req, res }`), or one the tool cannot see. */
function readsAdapterArgument(program: Node, value: Node): boolean {
  let fn = unwrap(value);
  if (isIdent(fn)) {
    const decl = program.body.find((s: Node) => (s.type === 'FunctionDeclaration' && s.id?.name === fn.name) || (s.type === 'VariableDeclaration' && s.declarations.some((d: Node) => isIdent(d.id, fn.name))));
    fn = decl?.type === 'FunctionDeclaration' ? decl : decl ? unwrap(decl.declarations.find((d: Node) => isIdent(d.id, fn.name)).init) : null;
  }
  if (!fn || !isFunction(fn)) return true;
  const [param] = fn.params;
  if (!param) return false;
  // `({ error, path }) => …` reads nothing Node-specific; `({ req })`, `({ res })` or a rest element may.
  if (param.type === 'ObjectPattern') return param.properties.some((p: Node) => p.type !== 'ObjectProperty' || p.computed || ['req', 'res'].includes(p.key.name));
  return param.type !== 'Identifier' || referencesTo([fn.body], param.name).length > 0;
}

/**
 * Rewrites the program in place into the route, or says why it cannot. Null when the default export is not a
 * tRPC Pages handler.
 */
export function rewriteTrpc(snip: Snippets, program: Node, ctx: Pick<TransformContext, 'targetPath' | 'sourcePath' | 'trpcVersion'>, configMarkers: Array<{ reason: Reason; detail: string }> = []): TrpcRoute | null {
  const { targetPath } = ctx;
  const typescript = isTypeScriptPath(ctx.sourcePath);
  const exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  if (exportIndex < 0) return null;
  const call = handlerCall(program, exportIndex);
  if (!call) return null;
  const line = call.loc?.start.line;
  // The fetch adapter came with tRPC v10: a v9 app's route would import a module its @trpc/server does not have.
  if (ctx.trpcVersion && !versionAtLeast(ctx.trpcVersion, 10, 0)) {
    return { left: 'TRPC_NOT_FOLLOWED', line, detail: `@trpc/server ${ctx.trpcVersion} has no fetch adapter (it came with v10): upgrade tRPC first` };
  }
  const options = unwrap(call.arguments[0]);
  if (call.arguments.length !== 1 || options?.type !== 'ObjectExpression') return { left: 'TRPC_NOT_FOLLOWED', line, detail: 'the options are not an object literal' };
  const endpoint = endpointOf(targetPath);
  if (!endpoint) return { left: 'TRPC_NOT_FOLLOWED', line, detail: 'the file is not named [trpc] or [...trpc]' };
  const markers: Array<{ reason: Reason; detail: string }> = [...configMarkers];
  for (const prop of options.properties) {
    const key = prop.type === 'ObjectProperty' || prop.type === 'ObjectMethod' ? (prop.computed ? null : prop.key.name ?? prop.key.value) : null;
    if (!key || !KEPT.includes(key)) return { left: 'TRPC_NOT_FOLLOWED', line, detail: `option ${key ?? '…'} has no fetch-adapter equivalent the tool knows` };
    if ((key === 'createContext' || key === 'onError') && readsAdapterArgument(program, prop.type === 'ObjectMethod' ? prop : prop.value)) {
      markers.push({ reason: 'TRPC_CONTEXT', detail: `${key} now receives { req: Request, resHeaders, info }` });
    }
  }

  const taken = namesIn(program);
  const handler = freshName('handler', taken);
  const request = freshName('request', taken);
  // The options keep their layout: on one line, or one per line as the source wrote them.
  const multiline = options.loc && options.loc.start.line !== options.loc.end.line;
  const entries = [`endpoint: ${snip.str(endpoint)}`, `req: ${request}`, ...options.properties.map((p: Node) => snip.src(p).replace(/\n/g, '\n    '))];
  const object = multiline ? `{\n    ${entries.join(',\n    ')},\n  }` : `{ ${entries.join(', ')} }`;
  const comments = markers.map((m) => `// ${markerText(m.reason, m.detail)}`);
  const code = `function ${handler}(${request}${typescript ? ': Request' : ''}) {\n  return fetchRequestHandler(${object})${END}\n}\n\nexport { ${handler} as GET, ${handler} as POST }${END}`;
  const route = snip.statements(code);
  route[0] = snip.withCommentsOf(program.body[exportIndex], route[0], comments);
  program.body.splice(exportIndex, 1, ...route);
  const importIndex = program.body.findIndex((s: Node) => s.type === 'ImportDeclaration' && s.source.value === ADAPTER);
  // Changed in place, so that recast reprints only this import and keeps the lines around it.
  const fresh = snip.statements(`import { fetchRequestHandler } from ${snip.str('@trpc/server/adapters/fetch')}${END}`)[0];
  program.body[importIndex].specifiers = fresh.specifiers;
  program.body[importIndex].source = fresh.source;
  program.body[importIndex].importKind = 'value';
  return { markers, notes: [`tRPC: fetchRequestHandler with endpoint ${endpoint}, exported as GET and POST`], methods: ['GET', 'POST'] };
}
