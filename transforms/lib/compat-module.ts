/**
 * The text of the small helper module written once into a migrated app (`app/api/_migrate/pages-compat.ts`).
 * Each helper reproduces one piece of Pages API behaviour that a route handler does not have built in, so migrated
 * routes answer exactly as before while staying short. Routes import only what they use.
 */
const HEADER = `// Written by next-pages-api-migrate: Pages Router API behaviour for migrated route handlers.
// Each helper reproduces what Next.js did for a pages/api handler before it ran or after it answered.
`;

const TS = `${HEADER}import type { IncomingHttpHeaders } from 'node:http';
import type { NextRequest } from 'next/server';

/** req.query: search params, repeated keys as arrays, merged with the route params (a route param wins). */
export function pagesQuery(request: NextRequest, params?: Record<string, string | string[] | undefined>): Partial<{ [key: string]: string | string[] }> {
  const query: Partial<{ [key: string]: string | string[] }> = {};
  const search = request.nextUrl.searchParams;
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) query[key] = value;
  return query;
}

/**
 * req.body as Pages parsed it: JSON and ld+json (empty → {}), urlencoded forms (repeated keys → arrays), anything
 * else as text; GET and HEAD → "". Invalid JSON gives back the 400 response Pages sent before the handler ran.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readPagesBody(request: Request): Promise<any> {
  const text = await request.text();
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type === 'application/ld+json') {
    if (!text) return {};
    try {
      return JSON.parse(text);
    } catch {
      return new Response('Invalid JSON', { status: 400 });
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form: Record<string, string | string[]> = {};
    const params = new URLSearchParams(text);
    for (const key of new Set(params.keys())) {
      const values = params.getAll(key);
      form[key] = values.length === 1 ? values[0] : values;
    }
    return form;
  }
  return text;
}

/** req.headers: lower-case keys, set-cookie as an array. */
export function pagesHeaders(request: Request): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  request.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value;
  });
  const cookies = request.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  return headers;
}

/** req.cookies: name → value. */
export function pagesCookies(request: NextRequest): Partial<{ [key: string]: string }> {
  const cookies: Partial<{ [key: string]: string }> = {};
  for (const cookie of request.cookies.getAll()) cookies[cookie.name] = cookie.value;
  return cookies;
}

/** The request body as Buffer chunks, as \`for await (const chunk of req)\` gave them with bodyParser: false. */
export async function* bodyChunks(request: Request): AsyncGenerator<Buffer> {
  if (!request.body) return;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk);
}

/** res.setHeader / res.appendHeader with any value: arrays become separate lines, numbers strings. */
export function setHeader(headers: Headers, name: string, value: string | number | readonly string[] | undefined, append = false): void {
  if (!append) headers.delete(name);
  if (value === undefined) return;
  for (const item of Array.isArray(value) ? value : [String(value)]) headers.append(name, item);
}

function isEmptyStatus(init?: ResponseInit): boolean {
  return init?.status === 204 || init?.status === 304;
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
  return new Response(String(value), init);
}

/** res.end(chunk): the chunk written as it is. */
export function pagesEnd(value: unknown, init?: ResponseInit): Response {
  if (value === null || value === undefined || isEmptyStatus(init)) return new Response(null, init);
  if (value instanceof Uint8Array) return new Response(new Uint8Array(value), init);
  return new Response(String(value), init);
}
`;

/** The same module without type annotations, for JavaScript apps. */
function stripTypes(ts: string): string {
  return ts
    .replace("import type { IncomingHttpHeaders } from 'node:http';\n", '')
    .replace("import type { NextRequest } from 'next/server';\n", '')
    .replace(/\(request: NextRequest, params\?: [^)]*\): [^{]*\{/, '(request, params) {')
    .replace(/const query: [^=]*=/, 'const query =')
    .replace(/export async function readPagesBody\(request: Request\): Promise<any> \{/, 'export async function readPagesBody(request) {')
    .replace('// eslint-disable-next-line @typescript-eslint/no-explicit-any\n', '')
    .replace('const form: Record<string, string | string[]> = {};', 'const form = {};')
    .replace('export function pagesHeaders(request: Request): IncomingHttpHeaders {', 'export function pagesHeaders(request) {')
    .replace('const headers: IncomingHttpHeaders = {};', 'const headers = {};')
    .replace(/export function pagesCookies\(request: NextRequest\): [^{]*\{/, 'export function pagesCookies(request) {')
    .replace(/const cookies: Partial<[^=]*=/, 'const cookies =')
    .replace('export async function* bodyChunks(request: Request): AsyncGenerator<Buffer> {', 'export async function* bodyChunks(request) {')
    .replace(' as unknown as AsyncIterable<Uint8Array>', '')
    .replace(/export function setHeader\([^)]*\): void \{/, 'export function setHeader(headers, name, value, append = false) {')
    .replace('function isEmptyStatus(init?: ResponseInit): boolean {', 'function isEmptyStatus(init) {')
    .replace('export function pagesSend(value: unknown, init?: ResponseInit): Response {', 'export function pagesSend(value, init) {')
    .replace('export function pagesEnd(value: unknown, init?: ResponseInit): Response {', 'export function pagesEnd(value, init) {');
}

export function compatModuleSource(typescript: boolean): string {
  return typescript ? TS : stripTypes(TS);
}
