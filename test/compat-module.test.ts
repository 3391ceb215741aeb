/**
 * The helper module written into migrated apps, run for real: the JavaScript variant is written to disk, imported,
 * and given real Request objects. The TypeScript variant runs in the e2e apps on real Next.js builds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import querystring from 'node:querystring';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compatModuleSource } from '../transforms/lib/compat-module.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let compat: any;

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'compat-')), 'pages-compat.mjs');
  writeFileSync(file, compatModuleSource(false));
  compat = await import(pathToFileURL(file).href);
});

const exportsOf = (source: string) => [...source.matchAll(/^export (?:async )?function\*? ?(\w+)/gm)].map((m) => m[1]).sort();

function post(body: string | Uint8Array, type?: string): Request {
  return new Request('http://localhost/api/x', { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
}

describe('compat module', () => {
  it('has the same exports in its TypeScript and JavaScript variants, and the JavaScript one has no types left', () => {
    expect(exportsOf(compatModuleSource(true))).toEqual(exportsOf(compatModuleSource(false)));
    expect(exportsOf(compatModuleSource(false))).toEqual(['bodyChunks', 'chunkBytes', 'microBuffer', 'nextAuthRequest', 'nextAuthResponse', 'pagesCookies', 'pagesEnd', 'pagesHeaders', 'pagesJson', 'pagesQuery', 'pagesRedirect', 'pagesRequestShim', 'pagesResponseShim', 'pagesSend', 'pagesStatus', 'readPagesBody', 'runConnectMiddleware', 'runCorsWrapper', 'runNextCors', 'setHeader', 'withHeaders']);
    expect(compatModuleSource(false)).not.toMatch(/: Promise<|\): void \{|\): Response \{|import type| as unknown/);
  });

  it("checks a status as Node's writeHead did when the answer went out: the same throw, or the status it sent", () => {
    const sent = (status: unknown) => {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      try {
        res.writeHead(status as number);
        return { code: res.statusCode };
      } catch (error) {
        return { error: (error as Error).message, name: (error as Error).name, errorCode: (error as { code?: string }).code };
      }
    };
    const checked = (status: unknown) => {
      try {
        return { code: compat.pagesStatus(status) };
      } catch (error) {
        return { error: (error as Error).message, name: (error as Error).name, errorCode: (error as { code?: string }).code };
      }
    };
    for (const status of [undefined, null, 'abc', '404', 404.7, 0, 99, 100, 200, 599, 999, 1000, -1, NaN]) expect(checked(status), String(status)).toEqual(sent(status));
  });

  it('refuses in res.end what Pages refused (Next counts the bytes, then Node writes them), whatever the status', async () => {
    // Next 14.2 to 16.4's api-resolver wraps res.end to count the bytes with Buffer.byteLength(chunk || '').
    const pages = (value: unknown, status: number) => {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      res.statusCode = status;
      try {
        Buffer.byteLength((value || '') as string);
        res.end(value);
        return 'sent';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    const route = async (value: unknown, status: number) => {
      try {
        const response = compat.pagesEnd(value, { status });
        await response.arrayBuffer();
        return 'sent';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    for (const value of [42, {}, [1], true, new ArrayBuffer(2), 0, false, '', null, undefined, 'text', Buffer.from('b')]) {
      for (const status of [200, 204]) expect(await route(value, status), `${String(value)} with ${status}`).toBe(pages(value, status));
    }
  });

  it("checks res.redirect's arguments as Next did, and answers as Pages wrote the redirect", async () => {
    const invalid = /^Invalid redirect arguments\. Please use a single argument URL/;
    for (const args of [[new URL('https://example.com/')], [undefined], [301], [null, '/x'], [301, undefined], [301, ['/a', '/b']]]) {
      expect(() => compat.pagesRedirect(...args), String(args)).toThrow(invalid);
    }
    // A status Node's writeHead refused is refused as it was.
    expect(() => compat.pagesRedirect(NaN, '/x')).toThrow('Invalid status code: NaN');
    // A string first is the URL, whatever follows.
    expect(compat.pagesRedirect('301', '/x').headers.get('location')).toBe('301');
    const plain = compat.pagesRedirect('/api/hello');
    expect([plain.status, plain.headers.get('location'), plain.headers.get('content-type'), await plain.text()]).toEqual([307, '/api/hello', null, '/api/hello']);
    const headers = new Headers([['x-kept', '1'], ['location', '/old']]);
    const withHeaders = compat.pagesRedirect(308.9, 'https://example.com/a b', headers);
    expect([withHeaders.status, withHeaders.headers.get('location'), withHeaders.headers.get('x-kept')]).toEqual([308, 'https://example.com/a b', '1']);
    // The route's own headers are not changed: a later answer of the handler does not get the Location.
    expect(headers.get('location')).toBe('/old');
  });

  it("gives next-auth's getServerSession the request's headers and cookies, and a response that adds its cookies to the route's", () => {
    const url = 'http://localhost/api/me';
    const request = new Request(url, { headers: { cookie: 'a=1; b=2', 'x-forwarded-proto': 'https' } });
    const req = compat.nextAuthRequest(request);
    expect(req.cookies).toEqual({ a: '1', b: '2' });
    expect(req.headers).toEqual({ cookie: 'a=1; b=2', 'x-forwarded-proto': 'https' });
    // What next-auth's setCookie does: read Set-Cookie, set it again with one more.
    const headers = new Headers([['set-cookie', 'theme=dark; Path=/'], ['x-kept', '1']]);
    const res = compat.nextAuthResponse(headers);
    const before = res.getHeader('Set-Cookie');
    expect(before).toEqual(['theme=dark; Path=/']);
    expect(res.setHeader('Set-Cookie', [...before, 'next-auth.csrf-token=t; Path=/'])).toBe(res);
    expect(headers.getSetCookie()).toEqual(['theme=dark; Path=/', 'next-auth.csrf-token=t; Path=/']);
    expect(res.getHeader('x-kept')).toBe('1');
    // None set: undefined, as Node's getHeader gives (`[res.getHeader('Set-Cookie'), c].filter(Boolean)` adds no empty one).
    expect(compat.nextAuthResponse(new Headers()).getHeader('Set-Cookie')).toBeUndefined();
    expect(compat.nextAuthResponse(new Headers()).getHeader('x-absent')).toBeUndefined();
  });

  it("gives the Supabase client's cookie methods a response that appends headers, as Node's appendHeader does", () => {
    const headers = new Headers([['set-cookie', 'theme=dark; Path=/']]);
    const res = compat.pagesResponseShim(headers);
    expect(res.appendHeader('Set-Cookie', 'sb-token=; Max-Age=0; Path=/')).toBe(res);
    res.appendHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
    expect(headers.getSetCookie()).toEqual(['theme=dark; Path=/', 'sb-token=; Max-Age=0; Path=/', 'a=1; Path=/', 'b=2; Path=/']);
    res.appendHeader('Vary', 'Cookie');
    res.appendHeader('Vary', 'Origin');
    expect(headers.get('vary')).toBe('Cookie, Origin');
  });

  it('parses cookies as Pages did (next/dist/compiled/cookie): first of a name, trimmed, unquoted, decoded when it can be', () => {
    const cookies = (header: string) => compat.pagesCookies(new Request('http://localhost/', { headers: { cookie: header } }));
    // Expected values as Next 14.2.35, 15.5.29 and 16.4.6's Pages parser gives them for the same header.
    expect(cookies('theme=dark; theme=light; q="x"; bad=%E0%A4%A;  sp = 1 ; flag; constructor=x; s=a%3Db')).toEqual({ theme: 'dark', q: 'x', bad: '%E0%A4%A', sp: '1', s: 'a=b' });
    expect(cookies('')).toEqual({});
    expect(compat.pagesCookies(new Request('http://localhost/'))).toEqual({});
  });

  it('reads a body as Pages parsed it, by content type', async () => {
    expect(await compat.readPagesBody(post('{"a":[1,2]}', 'application/json; charset=utf-8'))).toEqual({ a: [1, 2] });
    expect(await compat.readPagesBody(post('', 'application/json'))).toEqual({});
    expect(await compat.readPagesBody(post('a=1&a=2&b=3', 'application/x-www-form-urlencoded'))).toEqual({ a: ['1', '2'], b: '3' });
    expect(await compat.readPagesBody(post('plain', 'text/plain'))).toBe('plain');
    expect(await compat.readPagesBody(post('no type'))).toBe('no type');
    expect(await compat.readPagesBody(new Request('http://localhost/api/x'))).toBe('');
  });

  it("reads a raw body as micro's buffer(req) did (expected values as micro 10.0.1 gave them; e2e raw/micro runs it)", async () => {
    const read = async (body: string | Uint8Array, type?: string) => {
      try {
        const value = await compat.microBuffer(post(body, type));
        return { kind: Buffer.isBuffer(value) ? 'buffer' : typeof value, text: value.toString() };
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message, status: (error as { statusCode?: number }).statusCode };
      }
    };
    expect(await read('{"a":1}', 'application/json')).toEqual({ kind: 'buffer', text: '{"a":1}' });
    expect(await read('\ufeffé', 'application/json; charset=utf-8')).toEqual({ kind: 'string', text: 'é' });
    expect(await read('café', 'text/plain; charset=latin1')).toEqual({ kind: 'string', text: 'cafÃ©' });
    expect(await read('x', 'text/plain; charset=""')).toEqual({ kind: 'buffer', text: 'x' });
    expect(await read('x', 'text/plain; charset=x-unknown')).toEqual({ name: 'Error', message: 'Invalid body', status: 400 });
    expect(await read('x', 'nonsense')).toEqual({ name: 'TypeError', message: 'invalid media type' });
    expect(await read('x', 'text/plain;')).toEqual({ name: 'TypeError', message: 'invalid parameter format' });
    expect(await read('a'.repeat(1024 * 1024 + 1), 'application/octet-stream')).toEqual({ name: 'Error', message: 'Body exceeded 1mb limit', status: 413 });
    expect((await read(Buffer.alloc(1024 * 1024, 97))).kind).toBe('buffer');
    // micro kept what it read: a second call gives the same body.
    const request = post('twice', 'text/plain');
    expect(await compat.microBuffer(request)).toBe(await compat.microBuffer(request));
  });

  it("reads an urlencoded form as Node's querystring.decode, which Pages called: no prototype, 1000 pairs", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `k${i % 700}=${i}`).join('&');
    const texts = ['a=1&b=2&a=3', '__proto__=x&constructor=1', '?a=1', '&&a=1&&', 'a=%E0%A4%A&b=%zz&c=%', 'a+b=c+d', '%61=1;b=2', 'a=1=2', 'a', '=1', many(1005), `${many(999)}&&&&x=1`, `&&&${many(1001)}`];
    for (const text of texts) {
      const form = await compat.readPagesBody(post(text, 'application/x-www-form-urlencoded'));
      const decoded = querystring.decode(text);
      expect(Object.getPrototypeOf(form), text.slice(0, 20)).toBe(null);
      expect(Object.entries(form), text.slice(0, 20)).toEqual(Object.entries(decoded));
    }
  });

  it('answers malformed JSON with 400 "Invalid JSON" and a body over the limit with 413, as Pages did', async () => {
    const invalid: Response = await compat.readPagesBody(post('{oops', 'application/json'));
    expect([invalid.status, await invalid.text()]).toEqual([400, 'Invalid JSON']);
    const big: Response = await compat.readPagesBody(post('x'.repeat(1024 * 1024 + 1), 'text/plain'));
    expect([big.status, await big.text()]).toEqual([413, 'Body exceeded 1mb limit']);
    expect(await compat.readPagesBody(post('x'.repeat(1024 * 1024), 'text/plain'))).toHaveLength(1024 * 1024);
    const custom: Response = await compat.readPagesBody(post('12345678901', 'text/plain'), '10b');
    expect([custom.status, await custom.text()]).toEqual([413, 'Body exceeded 10b limit']);
  });

  it('builds req.query with arrays for repeated keys and route params winning', () => {
    const url = 'http://localhost/api/x/7?tag=a&tag=b&id=9&q=1';
    const request = Object.assign(new Request(url), { nextUrl: new URL(url) });
    expect(compat.pagesQuery(request, { id: '7', rest: undefined })).toEqual({ tag: ['a', 'b'], id: '7', q: '1' });
  });

  it('sends like res.send: text as is, Buffers as octet-stream, objects and scalars as JSON, nothing with 204', async () => {
    const buffer: Response = compat.pagesSend(Buffer.from('bytes'));
    expect([buffer.headers.get('content-type'), await buffer.text()]).toEqual(['application/octet-stream', 'bytes']);
    const object: Response = compat.pagesSend({ a: 1 }, { status: 201 });
    expect([object.status, object.headers.get('content-type'), await object.text()]).toEqual([201, 'application/json; charset=utf-8', '{"a":1}']);
    expect(await compat.pagesSend(false).text()).toBe('false');
    expect(await compat.pagesSend('text').text()).toBe('text');
    expect(await compat.pagesSend({ a: 1 }, { status: 204 }).text()).toBe('');
    expect(await compat.pagesEnd(Buffer.from('raw')).text()).toBe('raw');
  });

  it('adds headers set before another function answered, the answer\'s own headers and cookies winning', async () => {
    const before = new Headers([['X-Trace', '1'], ['Content-Type', 'text/plain'], ['Set-Cookie', 'early=1']]);
    const merged: Response = compat.withHeaders(Response.redirect('http://localhost/next', 307), before);
    expect([merged.status, merged.headers.get('location'), merged.headers.get('x-trace')]).toEqual([307, 'http://localhost/next', '1']);
    expect(merged.headers.getSetCookie()).toEqual(['early=1']);
    const answer = new Response('{}', { status: 400, headers: [['Content-Type', 'application/json'], ['Set-Cookie', 'late=2']] });
    const own: Response = compat.withHeaders(answer, before);
    expect([own.status, own.headers.get('content-type'), own.headers.get('x-trace'), await own.text()]).toEqual([400, 'application/json', '1', '{}']);
    expect(own.headers.getSetCookie()).toEqual(['late=2']);
    // A wrapped handler that returned nothing (Pages sent nothing there): nothing is made up.
    expect(compat.withHeaders(undefined, before)).toBeUndefined();
  });

  it('sets headers like res.setHeader: arrays as separate values, numbers as text, append keeps earlier values', () => {
    const headers = new Headers();
    compat.setHeader(headers, 'Set-Cookie', ['a=1', 'b=2']);
    compat.setHeader(headers, 'Content-Length', 5);
    compat.setHeader(headers, 'X-Trace', 'one');
    compat.setHeader(headers, 'X-Trace', 'two', true);
    expect(headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(headers.get('content-length')).toBe('5');
    expect(headers.get('x-trace')).toBe('one, two');
  });

  it('runs a connect middleware as runMiddleware did: its headers into the route\'s, its own answer, its error', async () => {
    // A middleware in the shape of cors: reads the method and headers, sets headers, answers OPTIONS itself.
    const corsLike = (req: { method: string; url: string; headers: Record<string, string> }, res: { statusCode: number; getHeader(n: string): string | undefined; setHeader(n: string, v: string | string[]): void; end(): void }, next: (err?: unknown) => void) => {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
      res.setHeader('Vary', [res.getHeader('Vary'), 'Origin'].filter(Boolean).join(', '));
      if (req.url !== '/api/x?a=1') return next(new Error(`url ${req.url}`));
      if (req.method !== 'OPTIONS') return next();
      res.statusCode = 204;
      res.setHeader('Content-Length', '0');
      res.end();
    };
    const headers = new Headers([['Vary', 'Accept']]);
    const get = new Request('http://localhost/api/x?a=1', { headers: { Origin: 'https://a.example' } });
    expect(await compat.runConnectMiddleware(get, corsLike, headers)).toBeNull();
    expect([headers.get('access-control-allow-origin'), headers.get('vary')]).toEqual(['https://a.example', 'Accept, Origin']);
    const preflight: Response = await compat.runConnectMiddleware(new Request('http://localhost/api/x?a=1', { method: 'OPTIONS' }), corsLike, new Headers());
    expect([preflight.status, preflight.headers.get('access-control-allow-origin'), preflight.headers.get('content-length'), await preflight.text()]).toEqual([204, '*', null, '']);
    await expect(compat.runConnectMiddleware(new Request('http://localhost/api/y'), corsLike, new Headers())).rejects.toThrow('url /api/y');
  });

  it("runs a wrapper around a handler (micro-cors) for its headers, and returns its answer only when it ended the response", async () => {
    type Res = { statusCode: number; setHeader(n: string, v: string): void; end(): void };
    // micro-cors 0.1.x: headers, then the handler on every method; 1.0.0-alpha.1: a preflight ends without it.
    const wrapper = (endsPreflight: boolean) => (handler: (req: unknown, res: unknown) => unknown) => (req: { method: string }, res: Res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') res.setHeader('Access-Control-Allow-Methods', 'POST');
      if (req.method === 'OPTIONS' && endsPreflight) return res.end();
      return handler(req, res);
    };
    const headers = new Headers();
    expect(await compat.runCorsWrapper(new Request('http://localhost/api/x', { method: 'OPTIONS' }), wrapper(false), headers)).toBeNull();
    expect([headers.get('access-control-allow-origin'), headers.get('access-control-allow-methods')]).toEqual(['*', 'POST']);
    const ended: Response = await compat.runCorsWrapper(new Request('http://localhost/api/x', { method: 'OPTIONS' }), wrapper(true), new Headers());
    expect([ended.status, ended.headers.get('access-control-allow-methods'), await ended.text()]).toEqual([200, 'POST', '']);
    const thrown = () => {
      throw new Error('wrapper failed');
    };
    await expect(compat.runCorsWrapper(new Request('http://localhost/api/x'), () => thrown, new Headers())).rejects.toThrow('wrapper failed');
  });

  it("runs nextjs-cors's promise with its options: resolved goes on, a preflight it ended is the answer, a rejection rethrows", async () => {
    type Res = { statusCode: number; setHeader(n: string, v: string): void; end(): void };
    // In the shape of NextCors: the cors middleware in a promise that settles on next().
    const nextCorsLike = (req: { method: string }, res: Res, options?: { origin?: string; fail?: boolean }) =>
      new Promise<void>((resolve, reject) => {
        if (options?.fail) return reject(new Error('cors error'));
        res.setHeader('Access-Control-Allow-Origin', options?.origin ?? '*');
        if (req.method !== 'OPTIONS') return resolve();
        res.statusCode = 204;
        res.end();
      });
    const headers = new Headers();
    expect(await compat.runNextCors(new Request('http://localhost/api/x'), nextCorsLike, headers, { origin: 'https://a.example' })).toBeNull();
    expect(headers.get('access-control-allow-origin')).toBe('https://a.example');
    const preflight: Response = await compat.runNextCors(new Request('http://localhost/api/x', { method: 'OPTIONS' }), nextCorsLike, new Headers());
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
    await expect(compat.runNextCors(new Request('http://localhost/api/x'), nextCorsLike, new Headers(), { fail: true })).rejects.toThrow('cors error');
  });

  it('gives whole headers and the raw body chunks', async () => {
    const request = new Request('http://localhost/api/x', { method: 'POST', body: 'chunked body', headers: { 'X-A': '1' } });
    expect(compat.pagesHeaders(request)).toMatchObject({ 'x-a': '1' });
    const chunks: Buffer[] = [];
    for await (const chunk of compat.bodyChunks(request)) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('chunked body');
  });
});
