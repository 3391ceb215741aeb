/*
 * When is a migrated answer "the same" as the original one? Every rule lives in this module.
 *
 * Compared:
 *  1. Status: always, exactly.
 *  2. Body: byte for byte, except that a JSON body (the original's content type is application/json or
 *     application/<x>+json, and both bodies parse) is compared as a value: object key order is free, everything
 *     else (array order, numbers, strings, null vs missing key) must match. A client that reads JSON cannot see key
 *     order, while `"x": null` where the key used to be absent is a real change (see SEMANTICS.md).
 *  3. Headers the handler sets: every header present on either side is compared, apart from the framework noise
 *     below. Names are case-insensitive; values are compared exactly, with these normalisations:
 *     - Content-Type: compared as a media type: type, subtype and parameter names are case-insensitive, white
 *       space around `;` is not significant, and a `charset` value is case-insensitive (RFC 9110 §8.3.1).
 *       The `charset` parameter of a JSON type is dropped: `res.json` sends `application/json; charset=utf-8`,
 *       `NextResponse.json` sends `application/json`, and JSON is UTF-8 by definition (RFC 8259 §8.1).
 *       Where the ORIGINAL answer had no Content-Type (`res.send(string)`, `res.end(text)`, `res.redirect`, Next's
 *       own "Invalid JSON" 400), the migrated one is not compared: `new Response(string)` always adds
 *       `text/plain;charset=UTF-8`, and a client given no type had to guess anyway. Except for a body that starts
 *       with markup, which a browser sniffed as HTML and ran: the migrated answer must have no type either.
 *     - Set-Cookie: the list of cookies, in order, each string exactly, except Next's own draft-mode cookie
 *       (maskBuildSecrets: its value is the build's random preview id), iron-session's sealed cookies
 *       (maskIronSeal: a seal has a random salt and IV and its expiry time in it), and next-auth's CSRF token and
 *       renewed session cookie (maskNextAuth: random; a renewed one is compared by its claims, and expires 30 days
 *       from the clock). The attributes of each cookie
 *       are compared as a browser reads them (cookieAttributes, RFC 6265 §5.2–5.3): in any order, names and the
 *       SameSite value case-insensitive, and an Expires beside a Max-Age ignored, since Max-Age wins; Next's
 *       `cookies().set` adds that Expires (computed from Max-Age and the clock) where Pages code wrote Max-Age only.
 *     - Vary: compared as a set of tokens, after removing the tokens Next.js adds on its own (see below).
 *  4. A 405 answer must stay 405, and only the status is compared: App Router's built-in 405 for a method a route
 *     does not export has an empty body and no headers of the handler (no Allow either); see KNOWN-DIFFERENCES.md.
 *  5. A request that got no answer at all (connection refused or reset, timeout) on either side is a difference.
 *
 * Ignored, because the framework sets them and no handler decides them:
 *  - Date: the clock.
 *  - ETag: Pages computes one for every res.send/res.json body; App Router route handlers never do (no migration
 *    can keep it; SEMANTICS.md "What no migration can keep").
 *  - Content-Length, Transfer-Encoding, Connection, Keep-Alive: framing. Pages sets Content-Length on res.send and
 *    streams res.write; App Router streams a Response body chunked. The body itself is compared.
 *  - Content-Encoding: the compression `next start` applies (the `compress` option), which the handler does not
 *    choose and fetch undoes; the decoded bodies are compared. Observed: Pages compresses only bodies of 1 KB or
 *    more; Next 16 compresses every App Router answer, however small; Next 14 and 15 compress none of them.
 *  - X-Powered-By: "Next.js", added by next start (poweredByHeader) to the pages it renders itself (its 404 page);
 *    no API or route handler answer carried it in our runs, so ignoring it costs nothing.
 *  - Vary tokens RSC, Next-Router-State-Tree, Next-Router-Prefetch, Next-Router-Segment-Prefetch, Next-Url and
 *    Accept-Encoding: Next.js adds the first ones to every App Router answer (client-router cache keys; 14 and 15
 *    capitalised, 16 lower-case plus Next-Router-Segment-Prefetch) and its compression adds Accept-Encoding (to every
 *    Pages answer; to 16's App Router answers). A Vary token the handler set itself is compared.
 *
 * Not ignored, on purpose: Cache-Control and X-Nextjs-Cache. Next adds neither to a dynamic route handler's answer
 * (checked on 14, 15 and 16). On 14 a route that exports only GET and reads no request data is prerendered at build
 * time unless it has `dynamic = 'force-dynamic'`, and then answers with `x-nextjs-cache: HIT`: the answer is
 * frozen at build time, a real change.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RecordedResponse, ReplayRequest } from './harness.js';

/** Headers never compared (lower case). */
export const IGNORED_HEADERS: ReadonlySet<string> = new Set([
  'date',
  'etag',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'content-encoding',
  'x-powered-by',
]);

/** Vary tokens Next.js adds by itself (lower case). */
export const FRAMEWORK_VARY: ReadonlySet<string> = new Set([
  'rsc',
  'next-router-state-tree',
  'next-router-prefetch',
  'next-router-segment-prefetch',
  'next-url',
  'accept-encoding',
]);

export interface Difference {
  /** What differs: `status`, `body` or `header <name>`. */
  field: string;
  before: string;
  after: string;
}

interface MediaType {
  essence: string;
  params: Map<string, string>;
}

function parseMediaType(value: string): MediaType {
  const [essence = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let paramValue = part.slice(eq + 1).trim();
    if (paramValue.startsWith('"') && paramValue.endsWith('"')) paramValue = paramValue.slice(1, -1);
    params.set(name, name === 'charset' ? paramValue.toLowerCase() : paramValue);
  }
  return { essence: essence.trim().toLowerCase(), params };
}

export function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const { essence } = parseMediaType(contentType);
  return essence === 'application/json' || /^application\/[\w.-]+\+json$/.test(essence);
}

/** The comparable form of a Content-Type value (rule 3). */
export function normalizeContentType(value: string): string {
  const { essence, params } = parseMediaType(value);
  if (isJsonType(essence)) params.delete('charset');
  const sorted = [...params].sort(([a], [b]) => a.localeCompare(b));
  return [essence, ...sorted.map(([name, paramValue]) => `${name}=${paramValue}`)].join('; ');
}

function varyTokens(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token && !FRAMEWORK_VARY.has(token))
    .sort();
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function describeBody(body: Buffer): string {
  if (body.length === 0) return '(empty)';
  const text = body.toString('utf8');
  // Not valid UTF-8 (a replacement character appeared): show bytes.
  if (Buffer.from(text, 'utf8').equals(body)) return JSON.stringify(text);
  return `<${body.length} bytes> ${body.toString('hex')}`;
}

function bodiesEqual(before: RecordedResponse, after: RecordedResponse): boolean {
  if (before.body.equals(after.body)) return true;
  if (!isJsonType(before.headers['content-type'])) return false;
  const a = parseJson(before.body);
  const b = parseJson(after.body);
  return a.ok && b.ok && isDeepStrictEqual(a.value, b.value);
}

/** Every difference that counts between the original answer and the migrated one (empty: equivalent). */
export function compareResponses(before: RecordedResponse, after: RecordedResponse): Difference[] {
  const diffs: Difference[] = [];
  // Rule 5.
  if (before.error || after.error) {
    if (before.error !== after.error) diffs.push({ field: 'answer', before: before.error ?? 'answered', after: after.error ?? 'answered' });
    return diffs;
  }
  // Rule 1.
  if (before.status !== after.status) {
    diffs.push({ field: 'status', before: String(before.status), after: String(after.status) });
  }
  // Rule 4.
  if (before.status === 405 && after.status === 405) return diffs;

  // Rule 2.
  if (!bodiesEqual(before, after)) {
    diffs.push({ field: 'body', before: describeBody(before.body), after: describeBody(after.body) });
  }

  // Rule 3.
  const names = new Set([...Object.keys(before.headers), ...Object.keys(after.headers)]);
  for (const name of [...names].sort()) {
    if (IGNORED_HEADERS.has(name)) continue;
    const a = before.headers[name];
    const b = after.headers[name];
    if (name === 'content-type') {
      // An answer Pages sent without a type may get one (a string Response says text/plain), unless it is markup,
      // which a browser sniffed as HTML and ran: then it must go without one too.
      if (a === undefined && !(b !== undefined && /^\s*</.test(after.body.toString('utf8')))) continue;
      if (b === undefined || normalizeContentType(a) !== normalizeContentType(b)) {
        diffs.push({ field: 'header content-type', before: a, after: b ?? '(absent)' });
      }
      continue;
    }
    if (name === 'vary') {
      if (varyTokens(a).join() !== varyTokens(b).join()) {
        diffs.push({ field: 'header vary', before: a ?? '(absent)', after: b ?? '(absent)' });
      }
      continue;
    }
    if (a !== b) diffs.push({ field: `header ${name}`, before: a ?? '(absent)', after: b ?? '(absent)' });
  }
  if (!isDeepStrictEqual(before.setCookie.map(maskCookie), after.setCookie.map(maskCookie))) {
    diffs.push({
      field: 'header set-cookie',
      before: before.setCookie.join(' ‖ ') || '(absent)',
      after: after.setCookie.join(' ‖ ') || '(absent)',
    });
  }
  return diffs;
}

/**
 * The draft-mode cookie `__prerender_bypass` is Next's own, written by `res.setDraftMode` (Pages) or
 * `draftMode().enable()` (App Router), not by the handler. Its value is the build's preview id, random for every
 * `next build`: an enabling cookie is compared as "some value", a clearing one (Expires 1970) not at all, since Pages
 * writes the id and App Router an empty string there. The two write its attributes in another order and case
 * (`HttpOnly; Secure; SameSite=None` against `Secure; HttpOnly; SameSite=none`), which RFC 6265 §5.2 makes
 * equivalent: they are compared as a set, lower-cased. The other cookies are compared exactly.
 */
function maskBuildSecrets(cookie: string): string {
  if (!cookie.startsWith('__prerender_bypass=')) return cookie;
  const [pair, ...attributes] = cookie.split(/;\s*/);
  const clearing = attributes.some((a) => /^expires=thu, 01 jan 1970/i.test(a));
  const value = clearing ? '(cleared)' : pair.length > '__prerender_bypass='.length ? '(build id)' : '';
  return [`__prerender_bypass=${value}`, ...attributes.map((a) => a.toLowerCase()).sort()].join('; ');
}

/**
 * iron-session seals its cookie with iron (`Fe26.2*…`): every seal has a random salt and IV, and the time it expires,
 * so two answers to the same request never carry the same value, and no replay can compare it. Such a value is
 * compared as "a seal"; whether it unseals to the right data is what the requests that send a sealed cookie back
 * check (their answers show the data).
 */
function maskIronSeal(cookie: string): string {
  const [pair, ...attributes] = cookie.split(/;\s*/);
  const eq = pair.indexOf('=');
  if (eq < 0 || !pair.slice(eq + 1).startsWith('Fe26.2*')) return cookie;
  return [`${pair.slice(0, eq)}=(iron seal)`, ...attributes].join('; ');
}

/**
 * The attributes as a browser reads them (RFC 6265 §5.2–5.3): order free, names and the SameSite value
 * case-insensitive, an Expires beside a Max-Age without effect. Pages code writes cookies through the `cookie`
 * package (`Max-Age=…; Path=/; HttpOnly; Secure; SameSite=Lax`), App Router through `cookies().set`
 * (`Path=/; Expires=…; Max-Age=…; Secure; HttpOnly; SameSite=lax`). Name and value stay exact.
 */
function cookieAttributes(cookie: string): string {
  const [pair, ...attributes] = cookie.split(/;\s*/);
  const normal = attributes.map((a) => {
    const eq = a.indexOf('=');
    const key = (eq < 0 ? a : a.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? null : a.slice(eq + 1);
    return value === null ? key : `${key}=${key === 'samesite' ? value.toLowerCase() : value}`;
  });
  const hasMaxAge = normal.some((a) => a.startsWith('max-age='));
  return [pair, ...normal.filter((a) => !(hasMaxAge && a.startsWith('expires='))).sort()].join('; ');
}

/**
 * next-auth's own cookies, set by getServerSession(req, res, options). A CSRF token is random (`token|hash`): it is
 * compared as "a token". A renewed session cookie is a fresh JWE that expires the session's max age from the moment
 * it was made: its value is compared opened (next-auth-tokens.ts: its claims but the times), and its Expires as "in
 * about 30 days" (next-auth's default max age, within a day). A cleared session cookie (empty value) and the
 * callback-URL cookie stay exact.
 */
function maskNextAuth(cookie: string): string {
  const [pair, ...attributes] = cookie.split(/;\s*/);
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  if (/next-auth\.csrf-token$/.test(name) && /^[0-9a-f]+(%7C|\|)[0-9a-f]+$/i.test(value)) return [`${name}=(csrf token)`, ...attributes].join('; ');
  if (!/next-auth\.session-token$/.test(name) || !value) return cookie;
  const day = 24 * 60 * 60 * 1000;
  const masked = attributes.map((a) => {
    const expires = /^expires=(.*)$/i.exec(a);
    const inDays = expires ? (Date.parse(expires[1]) - Date.now()) / day : NaN;
    return Math.abs(inDays - 30) < 1 ? 'Expires=(in 30 days)' : a;
  });
  return [pair, ...masked].join('; ');
}

function maskCookie(cookie: string): string {
  return cookieAttributes(maskNextAuth(maskIronSeal(maskBuildSecrets(cookie))));
}

// ---------------------------------------------------------------------------------------------------------------
// Printing a failure: the request, then both answers side by side.

const COLUMN = 64;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    let rest = raw;
    do {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    } while (rest.length > 0);
  }
  return lines;
}

function responseLines(response: RecordedResponse): string[] {
  if (response.error) return [`no answer: ${response.error}`];
  const lines = [`status ${response.status}`];
  for (const [name, value] of Object.entries(response.headers).sort(([a], [b]) => a.localeCompare(b))) {
    const mark = IGNORED_HEADERS.has(name) ? '~' : ' ';
    lines.push(...wrap(`${mark}${name}: ${value}`, COLUMN));
  }
  for (const cookie of response.setCookie) lines.push(...wrap(` set-cookie: ${cookie}`, COLUMN));
  const body = describeBody(response.body);
  lines.push(...wrap(`body ${body.length > 600 ? `${body.slice(0, 600)}…` : body}`, COLUMN));
  return lines;
}

export function describeRequest(request: ReplayRequest): string {
  const lines = [`${request.method} ${request.path}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`  ${name}: ${value}`);
  if (request.body !== undefined) lines.push(`  body: ${JSON.stringify(request.body)}`);
  if (request.bodyBase64 !== undefined) lines.push(`  body (base64): ${request.bodyBase64}`);
  return lines.join('\n');
}

/** The request and both answers in two columns, then the differences that count (`~`: ignored header). */
export function formatSideBySide(
  request: ReplayRequest,
  before: RecordedResponse,
  after: RecordedResponse,
  diffs: Difference[],
): string {
  const left = responseLines(before);
  const right = responseLines(after);
  const rows = [`${'ORIGINAL (pages/api)'.padEnd(COLUMN)} │ MIGRATED (app route)`, `${'─'.repeat(COLUMN)}─┼─${'─'.repeat(COLUMN)}`];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    rows.push(`${(left[i] ?? '').padEnd(COLUMN)} │ ${right[i] ?? ''}`);
  }
  const reasons = diffs.map((diff) => `  ≠ ${diff.field}: ${diff.before}  →  ${diff.after}`);
  return [`✗ ${request.name}`, describeRequest(request), ...rows, ...reasons].join('\n');
}
