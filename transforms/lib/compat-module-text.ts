/**
 * The text of the small helper module written once into a migrated app (`app/api/_migrate/pages-compat.ts`).
 * Each helper reproduces one piece of Pages API behaviour that a route handler does not have built in, so migrated
 * routes answer exactly as before while staying short. Routes import only what they use.
 */

export const HEADER = `// Written by next-pages-api-migrate: Pages Router API behaviour for migrated route handlers.
// Each helper reproduces what Next.js did for a pages/api handler before it ran or after it answered.
`;

export const BODY = `import type { IncomingHttpHeaders } from 'node:http';
import type { NextApiRequest, NextApiResponse } from 'next';
import type { NextRequest } from 'next/server';

/** req.query: search params, repeated keys as arrays, merged with the route params (a route param wins). */
export function pagesQuery(request: NextRequest, params?: Record<string, string | string[] | undefined>): Partial<{ [key: string]: string | string[] }> {
  const query: Partial<{ [key: string]: string | string[] }> = {};
  const search = request.nextUrl.searchParams;
  for (const key of Array.from(new Set(search.keys()))) {
    const values = search.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) query[key] = value;
  return query;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function limitInBytes(limit: string | number): number {
  if (typeof limit === 'number') return limit;
  const match = /^\\s*(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb)?\\s*$/i.exec(String(limit));
  return match ? Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]) : 1024 ** 2;
}

// RFC 7231's media type, as Pages read the Content-Type header: a type/subtype of tokens, then \`; name=value\`
// parameters whose value is a token or a quoted string. Any other header was read as text/plain.
const MEDIA_TYPE = /^[!#$%&'*+.^_\`|~0-9A-Za-z-]+\\/[!#$%&'*+.^_\`|~0-9A-Za-z-]+$/;
const PARAMETER = /^; *([!#$%&'*+.^_\`|~0-9A-Za-z-]+) *= *([!#$%&'*+.^_\`|~0-9A-Za-z-]+|"(?:[\\u000b\\u0020\\u0021\\u0023-\\u005b\\u005d-\\u007e\\u0080-\\u00ff]|\\\\[\\u000b\\u0020-\\u00ff])*") */;

/**
 * A Content-Type as the content-type package parsed it (Pages' body parser, micro): its type, lower-cased, and
 * charset; or, where that package threw, its message.
 */
function parseContentType(value: string): { type: string; charset?: string } | { malformed: string } {
  const semicolon = value.indexOf(';');
  const type = (semicolon < 0 ? value : value.slice(0, semicolon)).trim();
  if (!MEDIA_TYPE.test(type)) return { malformed: 'invalid media type' };
  let charset: string | undefined;
  for (let at = semicolon; at >= 0 && at < value.length; ) {
    const match = PARAMETER.exec(value.slice(at));
    if (!match) return { malformed: 'invalid parameter format' };
    at += match[0].length;
    if (match[1].toLowerCase() === 'charset') charset = match[2].startsWith('"') ? match[2].slice(1, -1).replace(/\\\\(.)/g, '$1') : match[2];
  }
  return { type: type.toLowerCase(), charset };
}

function pagesContentType(header: string | null): { type: string; charset?: string } {
  const parsed = parseContentType(header || 'text/plain');
  return 'malformed' in parsed ? { type: 'text/plain' } : parsed;
}

/**
 * The body's text in its charset, as Pages decoded it (iconv-lite, through raw-body): UTF-8 by default, Latin-1,
 * UTF-16LE and ASCII as there; other charsets by TextDecoder's tables, which may differ from iconv-lite's on some
 * bytes; null (Pages' 400) for a charset TextDecoder does not know.
 */
function decodeBody(bytes: Uint8Array, given?: string): string | null {
  // An empty charset is none, as in Pages (\`charset || 'utf-8'\`).
  const charset = given || 'utf-8';
  const name = charset.toLowerCase().replace(/:\\d{4}$|[^0-9a-z]/g, '');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (name === 'utf8' || name === 'unicode11utf8') return new TextDecoder().decode(bytes);
  if (['latin1', 'iso88591', 'binary', 'l1', 'cp819', 'ibm819', 'isoir100', 'csisolatin1'].includes(name)) return buffer.toString('latin1');
  if (name === 'ucs2' || name === 'utf16le') return buffer.toString('utf16le').replace(/^\\uFEFF/, '');
  if (['ascii', 'usascii', 'ascii8bit', 'iso646irv1991', 'ansix341968'].includes(name)) return buffer.toString('latin1').replace(/[\\u0080-\\u00ff]/g, '\\uFFFD');
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * req.body as Pages parsed it: JSON and ld+json (empty → {}), urlencoded forms (repeated keys → arrays), anything
 * else as text, decoded in the Content-Type's charset; a malformed Content-Type is text/plain. A malformed JSON body,
 * one over the size limit (bodyParser.sizeLimit, 1mb by default) or in an unknown charset gives back the 400 or 413
 * response Pages sent before the handler ran. (A GET or HEAD request has no body here: "".)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readPagesBody(request: Request, limit: string | number = '1mb'): Promise<any> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > limitInBytes(limit)) return new Response(\`Body exceeded \${limit} limit\`, { status: 413 });
  const { type, charset } = pagesContentType(request.headers.get('content-type'));
  const text = decodeBody(bytes, charset);
  if (text === null) return new Response('Invalid body', { status: 400 });
  if (type === 'application/json' || type === 'application/ld+json') {
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      return new Response('Invalid JSON', { status: 400 });
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    // As Node's querystring.decode: an object with no prototype (a \`__proto__\` key is a key), the first 1000
    // \`&\`-separated pairs (empty ones count), a leading \`?\` kept in the first key.
    const form: Record<string, string | string[]> = Object.create(null);
    new URLSearchParams('&' + text.split('&', 1000).join('&')).forEach((value, key) => {
      const had = form[key];
      form[key] = had === undefined ? value : Array.isArray(had) ? had.concat(value) : [had, value];
    });
    return form;
  }
  return text;
}

/**
 * Each Set-Cookie header on its own. Headers.getSetCookie is in every Node.js that Next.js 14+ runs on (18.17 and later), but
 * TypeScript's DOM library declares it only from 5.2: the cast keeps apps on an older TypeScript compiling.
 */
function setCookiesOf(headers: Headers): string[] {
  return (headers as Headers & { getSetCookie(): string[] }).getSetCookie();
}

/** req.headers: lower-case keys, set-cookie as an array. */
export function pagesHeaders(request: Request): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  request.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = setCookiesOf(request.headers);
  if (cookies.length) headers['set-cookie'] = cookies;
  return headers;
}

/**
 * req.cookies as Pages parsed the Cookie header: parts split at \`;\`, a part without \`=\` skipped, names and values
 * trimmed, a value in quotes unquoted, %-escapes decoded (a value that cannot be decoded kept as sent), and the first
 * of a repeated name kept (a browser sends the cookie of the most specific path first). The App Router's
 * request.cookies keeps the last, and differs on the rest.
 */
export function pagesCookies(request: Request): Partial<{ [key: string]: string }> {
  const cookies: Partial<{ [key: string]: string }> = {};
  for (const part of (request.headers.get('cookie') ?? '').split(/; */)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies[name] !== undefined) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

// The Pages-like request of each request, made once: what a helper writes into it (a cookie set with cookies-next's
// setCookie({ req, res })) the next helper given it reads, as Pages handlers' helpers shared req.
const pagesRequests: WeakMap<Request, Record<string, unknown>> = new WeakMap();

/**
 * What next-auth's getServerSession(req, res, options) reads of the Pages request: its headers and its cookies. Given
 * these, it answers as in Pages (the one-argument form of a route handler drops the session's \`expires\`). With the
 * route's query (its own object, as Pages shared req.query), also the query and the method, for a project helper that
 * builds next-auth's options from them.
 */
export function nextAuthRequest(request: Request, query?: Partial<{ [key: string]: string | string[] }>): NextApiRequest {
  let pagesRequest = pagesRequests.get(request);
  if (!pagesRequest) pagesRequests.set(request, (pagesRequest = { headers: pagesHeaders(request), cookies: pagesCookies(request) }));
  if (query && !('query' in pagesRequest)) Object.assign(pagesRequest, { query, method: request.method });
  return pagesRequest as unknown as NextApiRequest;
}

/**
 * The response getServerSession(req, res, options) sets its cookies on (a renewed session, the CSRF and callback-URL
 * cookies), writing into the route's headers: it reads Set-Cookie and sets it again with one more, as on a Pages
 * response. The one-argument form of a route handler sets none.
 */
export function nextAuthResponse(headers: Headers): NextApiResponse {
  const res = {
    // As Node's: undefined for a header not set (no cookies yet: \`[res.getHeader('Set-Cookie'), c].filter(Boolean)\`).
    getHeader: (name: string) => (name.toLowerCase() === 'set-cookie' ? (setCookiesOf(headers).length ? setCookiesOf(headers) : undefined) : (headers.get(name) ?? undefined)),
    setHeader(name: string, value: string | number | readonly string[]) {
      setHeader(headers, name, value);
      return res;
    },
    appendHeader(name: string, value: string | readonly string[]) {
      setHeader(headers, name, value, true);
      return res;
    },
  };
  return res as unknown as NextApiResponse;
}

/**
 * nextAuthRequest and nextAuthResponse under names of their own, for another library that reads a Pages request's
 * cookies and sets Set-Cookie on its response (@supabase/auth-helpers-nextjs's createPagesServerClient): its cookies
 * go into the route's headers as it set them on res.
 */
export function pagesRequestShim(request: Request): NextApiRequest {
  return nextAuthRequest(request);
}

export function pagesResponseShim(headers: Headers): NextApiResponse {
  return nextAuthResponse(headers);
}

/** The request body as Buffer chunks, as \`for await (const chunk of req)\` gave them with bodyParser: false. */
export async function* bodyChunks(request: Request): AsyncGenerator<Buffer> {
  if (!request.body) return;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk);
}

// The reads of \`buffer(req)\` from micro, by request: micro kept the body it read, and gave it again.
const microBodies: WeakMap<Request, Promise<Buffer | string>> = new WeakMap();

/**
 * micro's \`await buffer(req)\` (9 and 10): the whole body, as a string decoded in the Content-Type's charset where it
 * names one (\`application/json; charset=utf-8\`), as a Buffer otherwise. A malformed Content-Type throws micro's
 * TypeError before anything is read; a body over 1 MB, in an unknown charset or shorter or longer than its
 * Content-Length throws micro's error (statusCode 413 or 400, the message micro gave).
 */
export function microBuffer(request: Request): Promise<Buffer | string> {
  let read = microBodies.get(request);
  if (!read) microBodies.set(request, (read = readMicroBody(request)));
  return read;
}

/** The charset of a Content-Type, for micro: it threw content-type's TypeError for a malformed one. */
function microCharset(header: string): string | undefined {
  const parsed = parseContentType(header);
  if ('malformed' in parsed) throw new TypeError(parsed.malformed);
  return parsed.charset;
}

function microError(status: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode: status });
}

async function readMicroBody(request: Request): Promise<Buffer | string> {
  const charset = microCharset(request.headers.get('content-type') || 'text/plain');
  const bytes = Buffer.from(await request.arrayBuffer());
  const declared = request.headers.get('content-length');
  const length = declared === null ? NaN : parseInt(declared, 10);
  const limit = 1024 ** 2;
  // In raw-body's order: the declared length, the charset, then what came.
  if (!Number.isNaN(length) && length > limit) throw microError(413, 'Body exceeded 1mb limit');
  if (charset && decodeBody(new Uint8Array(0), charset) === null) throw microError(400, 'Invalid body');
  if (bytes.byteLength > limit) throw microError(413, 'Body exceeded 1mb limit');
  if (!Number.isNaN(length) && length !== bytes.byteLength) throw microError(400, 'Invalid body');
  return charset ? (decodeBody(bytes, charset) as string) : bytes;
}

/** res.setHeader / res.appendHeader with any value: arrays become separate lines, numbers strings. */
export function setHeader(headers: Headers, name: string, value: string | number | readonly string[] | undefined, append = false): void {
  if (!append) headers.delete(name);
  if (value === undefined) return;
  for (const item of Array.isArray(value) ? value : [String(value)]) headers.append(name, item);
}

/**
 * A status set on res that may not be one (\`res.status(error.statusCode)\` with none): Node checked it only as the
 * answer went out, as \`status | 0\` from 100 to 999, and threw there (Pages answered 500, or the handler's catch ran),
 * where a Response given \`status: undefined\` says 200.
 */
export function pagesStatus(status: unknown): number {
  const code = (status as number) | 0;
  if (code < 100 || code > 999) throw Object.assign(new RangeError('Invalid status code: ' + String(status)), { code: 'ERR_HTTP_INVALID_STATUS_CODE' });
  return code;
}

/**
 * res.redirect(url) or res.redirect(status, url) where the code does not show a URL string (and a number): Next
 * threw on any other arguments (a URL object, a null \`session.url\`, a status read as a string), so Pages answered
 * 500 or ran the handler's catch, where a Response would carry them. The Location goes out as given and the URL is
 * the body, with no Content-Type, as Pages wrote it; \`headers\` are those set on res before.
 */
export function pagesRedirect(statusOrUrl: unknown, url?: unknown, headers?: Headers): Response {
  if (typeof statusOrUrl === 'string') {
    url = statusOrUrl;
    statusOrUrl = 307;
  }
  if (typeof statusOrUrl !== 'number' || typeof url !== 'string') {
    throw new Error("Invalid redirect arguments. Please use a single argument URL, e.g. res.redirect('/destination') or use a status code and URL, e.g. res.redirect(307, '/destination').");
  }
  const init = { status: pagesStatus(statusOrUrl), headers: new Headers(headers) };
  init.headers.set('Location', url);
  return new Response(textBody(url, init), init);
}

function isEmptyStatus(init?: ResponseInit): boolean {
  return init?.status === 204 || init?.status === 304;
}

/**
 * res.json(value) where the value may be undefined (a handler's value a wrapper sends): JSON.stringify gives nothing
 * for it, and Pages sent an empty body with the JSON content type; Response.json would throw instead.
 */
export function pagesJson(value: unknown, init?: ResponseInit): Response {
  // As Response.json (which TypeScript's DOM library declares only from 5.2): the JSON type unless one is set.
  const headers = new Headers(init?.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  const text = JSON.stringify(value);
  return new Response(text === undefined ? null : text, { ...init, headers });
}

/** res.send(value): strings as they are, Buffers as octet-stream, objects, numbers and booleans as JSON. */
export function pagesSend(value: unknown, init?: ResponseInit): Response {
  if (value === null || value === undefined || isEmptyStatus(init)) return new Response(null, init);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const headers = new Headers(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/octet-stream');
    return new Response(new Uint8Array(value), { ...init, headers });
  }
  if (typeof value === 'object' || typeof value === 'number' || typeof value === 'boolean') {
    const headers = new Headers(init?.headers);
    headers.set('content-type', 'application/json; charset=utf-8');
    return new Response(JSON.stringify(value), { ...init, headers });
  }
  return new Response(textBody(String(value), init), init);
}

/**
 * A string as Pages sent it: with no Content-Type where none was set (a browser sniffs it: an HTML page runs), which
 * a Response gives only a body of bytes; a string body would say text/plain.
 */
function textBody(text: string, init?: ResponseInit): BodyInit {
  return new Headers(init?.headers).has('content-type') ? text : new TextEncoder().encode(text);
}

/**
 * Headers set on res before another function answered (a helper, or the handler a wrapper calls): Pages sent them
 * with that answer. The answer's own headers win, as a later res.setHeader did; a new Response, because some
 * answers' headers cannot be changed (Response.redirect).
 */
export function withHeaders<R extends Response | undefined>(response: R, headers: Headers): R {
  // A handler a wrapper calls may return nothing (a path where Pages sent nothing): the route then returns nothing too.
  if (!response) return response;
  const merged = new Headers(headers);
  const cookies = setCookiesOf(response.headers);
  if (cookies.length) merged.delete('set-cookie');
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') merged.set(name, value);
  });
  for (const cookie of cookies) merged.append('set-cookie', cookie);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged }) as R;
}

/**
 * A guard's answer, as its route-handler version returns it: apart from the value it returns where it did not
 * answer, which may itself be a Response (a fetch it made), so that the route returns only what the guard answered.
 */
export class GuardAnswer {
  readonly response: Response;
  constructor(response: Response) {
    this.response = response;
  }
}

/** res.write(chunk) in a stream: text as UTF-8 (or in the encoding given, as Node took it), bytes as they are. */
export function chunkBytes(chunk: string | Uint8Array, encoding?: BufferEncoding): Uint8Array {
  if (typeof chunk !== 'string') return chunk;
  return encoding ? new Uint8Array(Buffer.from(chunk, encoding)) : new TextEncoder().encode(chunk);
}

/**
 * res.end(chunk[, encoding]): the chunk written as it is, text in the encoding given (UTF-8 without one). Anything
 * else that is not falsy (a number, an object) threw, whatever the status: Next counted its bytes first
 * (Buffer.byteLength, whose error this is), and Node's end took only text and bytes.
 */
export function pagesEnd(value: unknown, init?: ResponseInit, encoding?: BufferEncoding): Response {
  if (value && typeof value !== 'string' && !(value instanceof Uint8Array)) {
    Buffer.byteLength(value as string);
    throw Object.assign(new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array.'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  if (!value || isEmptyStatus(init)) return new Response(null, init);
  if (value instanceof Uint8Array) return new Response(new Uint8Array(value), init);
  if (typeof value === 'string' && encoding) return new Response(new Uint8Array(Buffer.from(value, encoding)), init);
  return new Response(textBody(String(value), init), init);
}

/**
 * A connect middleware that reads only the request's method, URL and headers and writes only headers, the status
 * and an empty end (the cors package), run as runMiddleware(req, res, middleware) ran it in Pages: its headers go
 * into \`headers\`, the route's, so that they go out with the route's answer. Resolves with the Response when the
 * middleware ended the response itself (a CORS preflight), with null when it called next(); rejects when it called
 * next(error).
 */
export function runConnectMiddleware(
  request: Request,
  middleware: (req: never, res: never, next: (result?: unknown) => void) => unknown,
  headers: Headers,
): Promise<Response | null> {
  const run = middleware as (req: unknown, res: unknown, next: (result?: unknown) => void) => unknown;
  const url = new URL(request.url);
  const req = { method: request.method, url: url.pathname + url.search, headers: pagesHeaders(request) };
  return new Promise((resolve, reject) => {
    const res = {
      statusCode: 200,
      getHeader: (name: string) => headers.get(name) ?? undefined,
      setHeader: (name: string, value: string | number | readonly string[]) => setHeader(headers, name, value),
      removeHeader: (name: string) => headers.delete(name),
      end(chunk?: string | Uint8Array) {
        // Framing is the server's: cors's Content-Length: 0 would only clash with it.
        const answer = new Headers(headers);
        answer.delete('content-length');
        resolve(pagesEnd(chunk, { status: res.statusCode, headers: answer }));
      },
    };
    run(req, res, (result) => (result instanceof Error ? reject(result) : resolve(null)));
  });
}

/**
 * A wrapper that sets headers and then either calls the handler or ends the response itself (micro-cors's
 * \`cors(handler)\`), run as it ran around the Pages handler, through runConnectMiddleware: the handler it is given
 * only says that the wrapper went on. Resolves with the wrapper's own answer when it ended the response, with null
 * when it would have called the handler, which the route then runs.
 */
export function runCorsWrapper(
  request: Request,
  wrapper: (handler: (req: unknown, res: unknown) => void) => (req: never, res: never) => unknown,
  headers: Headers,
): Promise<Response | null> {
  return runConnectMiddleware(request, (req, res, next) => wrapper(() => next())(req, res), headers);
}

/**
 * nextjs-cors's \`await NextCors(req, res, options)\`, a promise around the cors package's middleware, run through
 * runConnectMiddleware: its headers into \`headers\`, its own answer (a preflight, when its promise never settled in
 * Pages) returned, null when it resolved, its error rethrown.
 */
export function runNextCors<Options>(
  request: Request,
  nextCors: (req: never, res: never, options?: Options) => Promise<unknown>,
  headers: Headers,
  options?: Options,
): Promise<Response | null> {
  return runConnectMiddleware(request, (req, res, next) => nextCors(req, res, options).then(() => next(), next), headers);
}
`;

/** The module for TypeScript apps. A module of its own, without the parser: planning a TypeScript app loads only this. */
export const COMPAT_MODULE_TS = HEADER + BODY;
