/**
 * Fields a project wrapper sets on the request for the handler it wraps (`req.user = user; return handler(req, res)`),
 * which the handler then reads (`req.user.id`).
 *
 * A Request is an ordinary object: the wrapper's twin sets the same field on the App Router request it passes on
 * (`request.user = user`), and the handler's route reads it there (`request.user.id`). Only for names that neither the
 * Pages request nor the App Router request has (a NextRequest's `ip`, `geo` or `nextUrl`, an IncomingMessage's
 * `socket`): setting one of those changes what the request is. In TypeScript the wrapper's module declares the fields
 * on NextRequest (`declare module 'next/server'`), typed as the wrapper's request type gave them.
 */
import { END, isIdent, memberName, walk, type Node, type Snippets } from './ast.js';

/**
 * Properties of the requests: Node's IncomingMessage (and its stream and emitter prototypes), NextApiRequest's own,
 * Request and NextRequest (of every supported Next.js version), and Object.prototype's.
 */
const REQUEST_PROPERTIES = new Set(
  `__defineGetter__ __defineSetter__ __lookupGetter__ __lookupSetter__ __proto__ _addHeaderLine _addHeaderLineDistinct
  _addHeaderLines _consuming _destroy _dump _dumped _events _eventsCount _maxListeners _read _readableState _undestroy
  aborted addListener arrayBuffer asIndexedPairs attribute blob body bodyUsed bytes cache client clone closed complete
  compose connection constructor cookies credentials destination destroy destroyed draftMode drop duplex emit env
  errored eventNames every filter find flatMap forEach formData geo getMaxListeners hasOwnProperty headers
  headersDistinct httpVersion httpVersionMajor httpVersionMinor integrity ip isHistoryNavigation isPaused isPrototypeOf
  isReloadNavigation iterator joinDuplicateHeaders json keepalive listenerCount listeners map method mode nextUrl off on
  once page pause pipe prependListener prependOnceListener preview previewData priority propertyIsEnumerable push query
  rawHeaders rawListeners rawTrailers read readable readableAborted readableBuffer readableDidRead readableEncoding
  readableEnded readableFlowing readableHighWaterMark readableLength readableObjectMode redirect reduce referrer
  referrerPolicy removeAllListeners removeListener resume setEncoding setMaxListeners setTimeout signal socket some
  statusCode statusMessage take text toArray toLocaleString toString trailers trailersDistinct ua unpipe unshift upgrade
  url valueOf wrap`.split(/\s+/),
);

/** Whether a field of this name can be set on an App Router request for the handler, as a wrapper set it on req. */
export function isRequestExtra(name: string): boolean {
  return !REQUEST_PROPERTIES.has(name);
}

/** The request extras `body` sets (`req.user = …`) and the ones it only reads (set by a wrapper around it). */
export function extrasUsed(body: Node, reqName: string): { written: Set<string>; read: Set<string> } {
  const written = new Set<string>();
  const read = new Set<string>();
  walk(body, (node, parent, key) => {
    if (node.type !== 'MemberExpression' || node.computed || !isIdent(node.object, reqName)) return undefined;
    const name = memberName(node);
    if (name === null || !isRequestExtra(name)) return undefined;
    if (parent?.type === 'AssignmentExpression' && key === 'left' && parent.operator === '=') written.add(name);
    else read.add(name);
    return undefined;
  });
  for (const name of written) read.delete(name);
  return { written, read };
}

/** The comment above the declaration: not a twin's (prior-twins.ts), so a later run finds it by its module name. */
const DECLARATION_COMMENT = '// Fields the route-handler versions in this module set on the request for the handlers they wrap (next-pages-api-migrate).';

/**
 * Declares `fields` (name → type) on NextRequest for the TypeScript module of wrapper twins that set them:
 * `declare module 'next/server' { interface NextRequest { user: Req['user'] } }` at the module's end, or, where an
 * earlier run wrote one, the fields it lacks added to it.
 */
export function declareRequestExtras(snip: Snippets, program: Node, fields: Map<string, string>): void {
  if (!fields.size) return;
  const existing: Node | undefined = program.body
    .filter((s: Node) => s.type === 'TSModuleDeclaration' && s.id?.value === 'next/server')
    .flatMap((s: Node) => s.body?.body ?? [])
    .find((s: Node) => s.type === 'TSInterfaceDeclaration' && isIdent(s.id, 'NextRequest'));
  const declared = new Set((existing?.body.body ?? []).flatMap((m: Node) => (m.type === 'TSPropertySignature' && m.key?.type === 'Identifier' ? [m.key.name] : [])));
  const missing = [...fields].filter(([name]) => !declared.has(name)).sort(([a], [b]) => a.localeCompare(b));
  if (!missing.length) return;
  const members = missing.map(([name, type]) => `    ${name}: ${type}`).join('\n');
  const [made] = snip.statements(`declare module 'next/server' {\n  interface NextRequest {\n${members}\n  }\n}${END}`);
  if (existing) existing.body.body.push(...made.body.body[0].body.body);
  else program.body.push(snip.withCommentsOf(made, made, [DECLARATION_COMMENT]));
}
