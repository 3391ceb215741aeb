/** Route-handler twins for helpers in other modules that take `res` (transforms/helper-module.ts). */
import { describe, expect, it } from 'vitest';
import { twinResponseHelpers, type HelperModuleResult } from '../transforms/helper-module.js';

const context = { modulePath: 'lib/errors.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };

/** The result without why each name has no wrapper twin (asserted where a test is about wrappers). */
function withoutWrapperWhys(result: HelperModuleResult): Omit<HelperModuleResult, 'wrappersDeclined'> {
  const { wrappersDeclined: _whys, ...rest } = result;
  return rest;
}

const MODULE = `import type { NextApiRequest, NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  return res.status(status).json({ error: message });
}

export const notFound = (res: NextApiResponse) => res.status(404).end('Not found');

export function maybeFail(res: NextApiResponse, failed: boolean) {
  if (failed) res.status(500).end();
}

export function withRequest(req: NextApiRequest, res: NextApiResponse) {
  return res.json({ url: req.url });
}
`;

describe('helper module twins', () => {
  it('says which helpers have written the answer when a call returns: not one that awaits first, one that may stream, nor one that throws after its answer', () => {
    const module = `import type { NextApiResponse } from 'next';

export function errorhandler(err: unknown, res: NextApiResponse) {
  if (!(err instanceof Error)) throw err;
  if (err.message === 'gone') {
    res.status(410).end('Gone');
    return;
  }
  return res.status(500).json({ message: 'Internal Server Error', error: err.message });
}

export function failThenThrow(res: NextApiResponse, err: Error) {
  res.status(500).json({ error: err.message });
  throw err;
}

export async function auditThenFail(res: NextApiResponse) {
  await Promise.resolve();
  return res.status(500).json({ error: 'failed' });
}

export function failLater(res: NextApiResponse, stream: NodeJS.ReadableStream) {
  return res.status(500).send(stream);
}
`;
    const result = twinResponseHelpers(module, context, ['errorhandler', 'auditThenFail', 'failLater', 'failThenThrow']);
    expect(result.twins.map((t) => [t.name, t.kind, t.answersAtOnce ?? false])).toEqual([
      ['auditThenFail', 'helper', false],
      ['errorhandler', 'helper', true],
      ['failLater', 'helper', false],
      ['failThenThrow', 'helper', false],
    ]);
  });

  it('adds a twin after each helper that answers on every path, and keeps the originals', () => {
    const result = twinResponseHelpers(MODULE, context, ['sendError', 'notFound']);
    expect(result.twins).toEqual([
      { kind: 'helper', name: 'notFound', twin: 'notFoundResponse', resIndex: 0, statuses: [404], answersAtOnce: true },
      { kind: 'helper', name: 'sendError', twin: 'sendErrorResponse', resIndex: 0, statuses: [null], answersAtOnce: true },
    ]);
    // Its status may be undefined (a caller's `error.statusCode`, whatever the parameter's type says): pagesStatus
    // throws as Node did when the answer went out.
    expect(result.output).toBe(`import { NextResponse } from 'next/server';
import type { NextApiRequest, NextApiResponse } from 'next';
import { pagesStatus } from '../app/api/_migrate/pages-compat';

export function sendError(res: NextApiResponse, status: number, message: string) {
  return res.status(status).json({ error: message });
}

// Route-handler version of sendError: returns the Response instead of sending it (next-pages-api-migrate).
export function sendErrorResponse(status: number, message: string) {
  return NextResponse.json({ error: message }, { status: pagesStatus(status) });
}

export const notFound = (res: NextApiResponse) => res.status(404).end('Not found');

// Route-handler version of notFound: returns the Response instead of sending it (next-pages-api-migrate).
export const notFoundResponse = () => {
  return new Response('Not found', { status: 404 });
};

export function maybeFail(res: NextApiResponse, failed: boolean) {
  if (failed) res.status(500).end();
}

export function withRequest(req: NextApiRequest, res: NextApiResponse) {
  return res.json({ url: req.url });
}
`);
  });

  it('twins nothing for a helper that may not answer; one that also takes the request is a guard', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(MODULE, context, ['maybeFail']))).toEqual({ twins: [] });
    // It answers on every path, so its twin always returns the Response (guard twins below).
    expect(twinResponseHelpers(MODULE, context, ['withRequest']).twins).toEqual([{ kind: 'guard', name: 'withRequest', twin: 'withRequestForRoute', resIndex: 1, reqIndex: 0, statuses: [200] }]);
  });

  it('keeps CRLF line endings and leaves a module it cannot parse alone', () => {
    const crlf = twinResponseHelpers(MODULE.replace(/\n/g, '\r\n'), context, ['notFound']);
    expect(crlf.output).toContain('export const notFoundResponse = () => {\r\n');
    expect(crlf.output?.replace(/\r\n/g, '')).not.toContain('\n');
    expect(twinResponseHelpers('export function (', context, ['x'])).toEqual({ twins: [] });
  });
});

const WRAPPERS = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withApiKey(handler: NextApiHandler, scope = 'read') {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (req.headers['x-api-key'] !== scope + '-key') {
      return res.status(401).json({ error: 'bad key' })
    }
    res.setHeader('X-Scope', scope)
    return handler(req, res)
  }
}

export const withCors = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  res.setHeader('Access-Control-Allow-Origin', '*')
  if (req.method === 'OPTIONS') return res.status(204).end()
  await handler(req, res)
}

function withTiming(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const started = Date.now()
    await handler(req, res)
    console.log(req.url, Date.now() - started)
  }
}
export default withTiming

export const withBody = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  if (!req.body) return res.status(400).end()
  return handler(req, res)
}

export const withUser = (handler: (req: NextApiRequest, res: NextApiResponse, user: string) => unknown) => async (req: NextApiRequest, res: NextApiResponse) => {
  return handler(req, res, 'me')
}

export const withSession = (handler: any) => async (req: NextApiRequest, res: NextApiResponse) => {
  const token = req.headers.authorization
  if (!token) return res.status(401).end()
  return handler(req, res, { token }, 'web')
}

export const withLocals = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  return handler(req, res, res.locals)
}

export function withSetup(handler: NextApiHandler) {
  const limit = 10
  return async (req: NextApiRequest, res: NextApiResponse) => (limit ? handler(req, res) : res.status(429).end())
}

type Method = 'GET' | 'POST'

export function withMiddlewares(handlers: Partial<Record<Method, NextApiHandler>>, name = 'api') {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const handler: NextApiHandler | undefined = handlers[req.method as Method]
    if (!handler) return res.status(405).json({ error: name + ': method not allowed', allow: Object.keys(handlers) })
    try {
      return handler(req, res)
    } catch (error) {
      return res.status(500).json({ error: String(error) })
    }
  }
}

export const dispatch = (handlers: Partial<Record<Method, NextApiHandler>>) => async (req: NextApiRequest, res: NextApiResponse) => {
  const method = req.method as Method
  if (!(method in handlers)) return res.status(405).end()
  await handlers[method]!(req, res)
}

export const withDefaults = (handlers: Partial<Record<Method, NextApiHandler>>) => async (req: NextApiRequest, res: NextApiResponse) => {
  const all = { GET: (_req: NextApiRequest, r: NextApiResponse) => r.status(405).end(), ...handlers }
  return all[req.method as Method](req, res)
}
`;

describe('wrapper module twins', () => {
  const wrapperContext = { ...context, modulePath: 'lib/guard.ts' };

  it('adds a route-handler version of each wrapper: generic in the context, the handler answer returned', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['withApiKey', 'withCors']);
    expect(result.twins).toEqual([
      { kind: 'wrapper', name: 'withApiKey', twin: 'withApiKeyRoute', resIndex: 0, statuses: [], methods: [] },
      { kind: 'wrapper', name: 'withCors', twin: 'withCorsRoute', resIndex: 0, statuses: [], methods: ['OPTIONS'] },
    ]);
    expect(result.output).toContain(`// Route-handler version of withApiKey: wraps App Router route handlers (next-pages-api-migrate).
export function withApiKeyRoute<Context>(handler: (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>, scope = 'read') {
  return async (request: NextRequest, context: Context) => {
    const xApiKey = request.headers.get('x-api-key') ?? undefined
    const headers = new Headers()
    if (xApiKey !== scope + '-key') {
      return NextResponse.json({ error: 'bad key' }, { status: 401, headers })
    }
    setHeader(headers, 'X-Scope', scope)
    return withHeaders(await handler(request, context), headers)
  }
}`);
    expect(result.output).toContain(`export const withCorsRoute = <Context>(handler: (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>) => async (request: NextRequest, context: Context) => {
  const headers = new Headers()
  headers.set('Access-Control-Allow-Origin', '*')
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers })
  return withHeaders(await handler(request, context), headers)
}`);
    expect(result.output).toContain(`import { NextResponse, type NextRequest } from 'next/server'`);
    expect(result.output).toContain(`import { setHeader, withHeaders } from '../app/api/_migrate/pages-compat'`);
    // The originals stay for Pages code.
    expect(result.output).toContain(WRAPPERS.split('\n').slice(2, 11).join('\n'));
  });

  it('twins a default-exported wrapper, code after the handler running in after() on 15.1+', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['default']);
    expect(result.twins).toEqual([{ kind: 'wrapper', name: 'default', twin: 'withTimingRoute', resIndex: 0, statuses: [], methods: [] }]);
    expect(result.output).toContain('export function withTimingRoute<Context>(');
    expect(result.output).toContain('after(');
  });

  it('passes the extra arguments after (request, context), typed as the original handler type gave them', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['withUser', 'withSession']);
    expect(result.twins.map((t) => t.twin)).toEqual(['withSessionRoute', 'withUserRoute']);
    expect(result.output).toContain(`export const withUserRoute = <Context>(handler: (request: NextRequest, context: Context, user: string) => Response | undefined | Promise<Response | undefined>) => async (request: NextRequest, context: Context) => {
  return handler(request, context, 'me')
}`);
    // No function type to read the extra parameters from: any, as they were to the original.
    expect(result.output).toContain(`export const withSessionRoute = <Context>(handler: (request: NextRequest, context: Context, ...args: any[]) => Response | undefined | Promise<Response | undefined>) => async (request: NextRequest, context: Context) => {
  const token = request.headers.get('authorization') ?? undefined
  if (!token) return new Response(null, { status: 401 })
  return handler(request, context, { token }, 'web')
}`);
  });

  it('twins no wrapper that reads the body or query, passes the handler anything of res, or runs setup code', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['withBody', 'withLocals', 'withSetup']);
    expect(withoutWrapperWhys(result)).toEqual({ twins: [] });
    // Each says why, for the routes they wrap.
    expect(result.wrappersDeclined).toEqual([
      { name: 'withBody', why: 'it reads req.body' },
      { name: 'withLocals', why: 'it calls handler with other arguments than (req, res, …)' },
      { name: 'withSetup', why: 'it runs setup code before returning its (req, res) function' },
    ]);
  });

  it("calls the twin of its module's request helper, and gives next-auth's and Supabase's calls on req and res the route's headers", () => {
    const source = `import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { createPagesServerClient } from '@supabase/auth-helpers-nextjs'
import { authOptions } from './auth'

function sameOrigin(req: NextApiRequest) {
  return !req.headers.origin || req.headers.origin === 'https://app.example'
}

export function withAdmin(handler: (req: NextApiRequest, res: NextApiResponse, email: string) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!sameOrigin(req)) return res.status(403).json({ error: 'cross-origin' })
    const supabase = createPagesServerClient({ req, res })
    const { data } = await supabase.auth.getSession()
    if (!data.session) return res.status(401).json({ error: 'sign in' })
    return handler(req, res, data.session.user.email!)
  }
}

export function withSession(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const session = await getServerSession(req, res, authOptions)
    if (!session) return res.status(401).json({ error: 'sign in' })
    return handler(req, res)
  }
}
`;
    const result = twinResponseHelpers(source, wrapperContext, ['withAdmin', 'withSession']);
    expect(result.twins.map((t) => t.twin)).toEqual(['withAdminRoute', 'withSessionRoute']);
    expect(result.calledTwins).toEqual(['sameOriginForRoute']);
    expect(result.output).toContain(`  return async (request: NextRequest, context: Context) => {
    const headers = new Headers()
    if (!sameOriginForRoute(request)) return NextResponse.json({ error: 'cross-origin' }, { status: 403, headers })
    const supabase = createPagesServerClient({ req: pagesRequestShim(request), res: pagesResponseShim(headers) })
    const { data } = await supabase.auth.getSession()
    if (!data.session) return NextResponse.json({ error: 'sign in' }, { status: 401, headers })
    return withHeaders(await handler(request, context, data.session.user.email!), headers)
  }`);
    expect(result.output).toContain(`    const session = await getServerSession(nextAuthRequest(request), nextAuthResponse(headers), authOptions)
    if (!session) return NextResponse.json({ error: 'sign in' }, { status: 401, headers })
    return withHeaders(await handler(request, context), headers)`);
    expect(result.output).toContain("import { nextAuthRequest, nextAuthResponse, pagesRequestShim, pagesResponseShim, withHeaders } from '../app/api/_migrate/pages-compat'");
  });

  it('gives a session helper of another module that takes { req, res } in one object the stand-ins in that object', () => {
    const source = `import type { NextApiRequest, NextApiResponse } from 'next'
import { createClient } from '@/utils/supabase/server'

export function withUser(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const supabase = createClient({ req, res })
    const { data } = await supabase.auth.getUser()
    if (!data.user) return res.status(401).json({ error: 'sign in' })
    return handler(req, res)
  }
}

export function withTaggedUser(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const supabase = createClient({ req, res, tag: 'admin' })
    const { data } = await supabase.auth.getUser()
    if (!data.user) return res.status(401).json({ error: 'sign in' })
    return handler(req, res)
  }
}
`;
    const importedRequestHelpers = [{ local: 'createClient', specifier: '@/utils/supabase/server', twin: 'createClient', reqIndex: 0, shimRes: 0 }];
    const result = twinResponseHelpers(source, { ...wrapperContext, importedRequestHelpers }, ['withUser', 'withTaggedUser']);
    expect(result.twins.map((t) => t.twin)).toEqual(['withUserRoute']);
    expect(result.output).toContain(`    const headers = new Headers()
    const supabase = createClient({ req: nextAuthRequest(request), res: nextAuthResponse(headers) })`);
    // An object that carries more than the two is not what the helper takes: the wrapper keeps its req.
    expect(result.wrappersDeclined).toEqual([{ name: 'withTaggedUser', why: 'req is passed to createClient() in an object' }]);
  });

  it("twins no wrapper whose getServerSession runs in a callback, and marks one whose twin writes a library's cookies", () => {
    const source = `import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { authOptions } from './auth'

export function withLaterSession(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const session = await Promise.resolve().then(() => getServerSession(req, res, authOptions))
    if (!session) return res.status(401).json({ error: 'sign in' })
    return handler(req, res)
  }
}

export function withSession(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!(await getServerSession(req, res, authOptions))) return res.status(401).json({ error: 'sign in' })
    return handler(req, res)
  }
}
`;
    const result = twinResponseHelpers(source, wrapperContext, ['withLaterSession', 'withSession']);
    expect(result.twins).toEqual([{ kind: 'wrapper', name: 'withSession', twin: 'withSessionRoute', resIndex: 0, statuses: [], methods: [], setsCookies: true }]);
    expect(result.wrappersDeclined).toEqual([{ name: 'withLaterSession', why: 'it calls getServerSession in a callback, where its route-handler form sets no cookies' }]);
  });

  it('adds a route-handler version of a dispatcher of a method map: the lookup kept, the handler called with (request, context)', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['withMiddlewares', 'dispatch']);
    expect(result.twins).toEqual([
      { kind: 'dispatcher', name: 'dispatch', twin: 'dispatchRoute', resIndex: 0, statuses: [], methods: [] },
      { kind: 'dispatcher', name: 'withMiddlewares', twin: 'withMiddlewaresRoute', resIndex: 0, statuses: [], methods: [] },
    ]);
    // The handler's answer is awaited inside the try, or a rejected promise would pass its catch.
    expect(result.output).toContain(`export function withMiddlewaresRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>, name = 'api') {
  return async (request: NextRequest, context: Context) => {
    const handler = handlers[request.method as Method]
    if (!handler) return NextResponse.json({ error: name + ': method not allowed', allow: Object.keys(handlers) }, { status: 405 })
    try {
      return await handler(request, context)
    } catch (error) {`);
    expect(result.output).toContain(`export const dispatchRoute = <Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>) => async (request: NextRequest, context: Context) => {
  const method = request.method as Method
  if (!(method in handlers)) return new Response(null, { status: 405 })
  return handlers[method]!(request, context)
}`);
  });

  it('twins no dispatcher that hands its map to other code', () => {
    const result = twinResponseHelpers(WRAPPERS, wrapperContext, ['withDefaults']);
    expect(withoutWrapperWhys(result)).toEqual({ twins: [] });
    expect(result.wrappersDeclined).toEqual([{ name: 'withDefaults', why: 'it spreads handlers into another object' }]);
  });
});

const REQUEST_HELPERS = `import type { NextApiRequest } from 'next'

export async function getSession(req: NextApiRequest, id: string) {
  const token = req.cookies['session-' + id]
  return token ? { token, ip: req.headers['x-forwarded-for'] } : null
}

export const pageOf = (req: NextApiRequest) => Number(req.query.page ?? 1)

export function readJson(req: NextApiRequest) {
  return req.body
}
`;

describe('request helper twins', () => {
  it('adds a version that takes the App Router request, its reads rewritten as in a handler', () => {
    const result = twinResponseHelpers(REQUEST_HELPERS, { ...context, modulePath: 'lib/session.ts' }, ['getSession']);
    expect(result.twins).toEqual([{ kind: 'request', name: 'getSession', twin: 'getSessionForRoute', resIndex: 0, statuses: [] }]);
    expect(result.output).toContain(`// Route-handler version of getSession: takes the App Router request (next-pages-api-migrate).
export async function getSessionForRoute(request: NextRequest, id: string) {
  const xForwardedFor = request.headers.get('x-forwarded-for') ?? undefined
  const token = pagesCookies(request)['session-' + id]
  return token ? { token, ip: xForwardedFor } : null;
}`);
    expect(result.output).toContain(`import type { NextRequest } from 'next/server'`);
    expect(result.output).toContain(REQUEST_HELPERS.split('\n').slice(2, 7).join('\n'));
  });

  it('gives a helper that reads the query a last parameter for the route\'s query (route params differ per route)', () => {
    const result = twinResponseHelpers(REQUEST_HELPERS, { ...context, modulePath: 'lib/session.ts' }, ['pageOf']);
    expect(result.twins).toEqual([{ kind: 'request', name: 'pageOf', twin: 'pageOfForRoute', resIndex: 0, statuses: [], queryIndex: 1 }]);
    expect(result.output).toContain(`export const pageOfForRoute = (request: NextRequest, query: Partial<{ [key: string]: string | string[] }>) => {
  return Number(query.page ?? 1);
}`);
  });

  it('twins no helper that assigns the body or reads the socket, and says why for the routes\' reasons', () => {
    const writes = `import type { NextApiRequest } from 'next'\n\nexport function normalise(req: NextApiRequest) {\n  req.body = { ...req.body, at: Date.now() }\n}\n\nexport const ipOf = (req: NextApiRequest) => req.socket.remoteAddress\n`;
    expect(withoutWrapperWhys(twinResponseHelpers(writes, { ...context, modulePath: 'lib/normalise.ts' }, ['ipOf', 'normalise']))).toEqual({
      twins: [],
      declined: [
        { name: 'ipOf', why: 'it uses req as a handler could not (req.socket)' },
        { name: 'normalise', why: 'it writes req.body' },
      ],
    });
  });

  it('gives a helper that reads the body a last parameter for it: the route reads the body once and passes it', () => {
    const result = twinResponseHelpers(REQUEST_HELPERS, { ...context, modulePath: 'lib/session.ts' }, ['readJson']);
    expect(result.twins).toEqual([{ kind: 'request', name: 'readJson', twin: 'readJsonForRoute', resIndex: 0, statuses: [], bodyIndex: 1 }]);
    expect(result.output).toContain(`export function readJsonForRoute(request: NextRequest, body: any) {
  return body;
}`);
  });
});

const CALLED_DISPATCHERS = `import type { NextApiRequest, NextApiResponse } from 'next';

type Method = 'GET' | 'POST' | 'DELETE';
type Handlers = { [method in Method]?: (req: NextApiRequest, res: NextApiResponse) => Promise<void> };

export const defaultHandler = async (req: NextApiRequest, res: NextApiResponse, handlers: Handlers) => {
  try {
    const handler = handlers[req.method as Method];
    if (!handler) {
      res.setHeader('Allow', Object.keys(handlers).join(', '));
      throw { message: 'Method not allowed', statusCode: 405 };
    }
    await handler(req, res);
    return;
  } catch (err: any) {
    res.status(err.statusCode || 500).json({ error: { message: err.message }, url: req.url });
  }
};

export async function handleWith(req: NextApiRequest, res: NextApiResponse, handlers: Handlers, name: string) {
  const handler = handlers[req.method as Method];
  if (!handler) return res.status(405).json({ error: name });
  return handler(req, res);
}

export async function leaky(req: NextApiRequest, res: NextApiResponse, handlers: Handlers) {
  audit(handlers);
  return handlers[req.method as Method]!(req, res);
}

export async function readsThis(this: unknown, req: NextApiRequest, res: NextApiResponse, handlers: Handlers) {
  if (!this) return res.status(500).end();
  return handlers[req.method as Method]!(req, res);
}

export async function onlyTwo(req: NextApiRequest, res: NextApiResponse) {
  // It reads req (a helper that answers and never reads its req is twinned as a res helper).
  return res.status(204).end(req.url);
}

declare function audit(x: unknown): void;
`;

describe('called dispatcher twins', () => {
  const calledContext = { ...context, modulePath: 'lib/api/default.ts' };

  it('reads a dispatcher called as (req, res, handlers, …rest) as a factory of (handlers, …rest): the route calls it so', () => {
    const result = twinResponseHelpers(CALLED_DISPATCHERS, calledContext, ['defaultHandler', 'handleWith']);
    expect(result.twins).toEqual([
      { kind: 'dispatcher', name: 'defaultHandler', twin: 'defaultHandlerRoute', resIndex: 0, statuses: [], methods: [], called: true },
      { kind: 'dispatcher', name: 'handleWith', twin: 'handleWithRoute', resIndex: 0, statuses: [], methods: [], called: true },
    ]);
    // The Allow header set before the throw goes out with the catch's answer; req.url is the Pages URL (path and query).
    expect(result.output).toContain(`export function defaultHandlerRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>) {
  return async (request: NextRequest, context: Context) => {
    const url = request.nextUrl.pathname + request.nextUrl.search;
    const headers = new Headers();
    try {
      const handler = handlers[request.method as Method];
      if (!handler) {
        setHeader(headers, 'Allow', Object.keys(handlers).join(', '));
        throw { message: 'Method not allowed', statusCode: 405 };
      }
      return withHeaders(await handler(request, context), headers);
    } catch (err: any) {
      return NextResponse.json({ error: { message: err.message }, url }, { status: err.statusCode || 500, headers });
    }
  };
}`);
    expect(result.output).toContain(`export function handleWithRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>, name: string) {`);
    // The originals stay for Pages code.
    expect(result.output).toContain(CALLED_DISPATCHERS.split('\n').slice(5, 18).join('\n'));
  });

  it('twins no called dispatcher that hands its map to other code, reads this, takes no map, or reads req in a default', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(CALLED_DISPATCHERS, calledContext, ['leaky', 'readsThis', 'onlyTwo']))).toEqual({ twins: [] });
    // Its factory's parameters are evaluated without a request: `req` would be undefined there.
    const labelled = `import type { NextApiRequest, NextApiResponse } from 'next';\n\nexport async function labelled(req: NextApiRequest, res: NextApiResponse, handlers: Record<string, (req: NextApiRequest, res: NextApiResponse) => Promise<void>>, label = String(req.headers['x-label'])) {\n  const handler = handlers[req.method as string];\n  if (!handler) return res.status(405).json({ label });\n  return handler(req, res);\n}\n`;
    expect(withoutWrapperWhys(twinResponseHelpers(labelled, calledContext, ['labelled']))).toEqual({ twins: [] });
  });
});

const HEADER_HELPERS = `import type { NextApiResponse } from 'next';

export const setErrorCookie = (res: NextApiResponse, value: unknown, options: { path?: string } = {}) => {
  let cookie = 'app_error=' + encodeURIComponent(JSON.stringify(value));
  if (options.path) cookie += '; Path=' + options.path;
  res.setHeader('Set-Cookie', cookie);
};

export function noStore(res: NextApiResponse, name: string) {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader(name, '1');
}

export function setAndSay(res: NextApiResponse) {
  res.setHeader('X-A', '1');
  return res;
}

export function setAndStatus(res: NextApiResponse) {
  res.setHeader('X-A', '1');
  res.status(202);
}
`;

describe('header helper twins', () => {
  const headerContext = { ...context, modulePath: 'lib/cookies.ts' };

  it('gives a helper that only sets headers a twin that takes the route headers in res’s place', () => {
    const result = twinResponseHelpers(HEADER_HELPERS, headerContext, ['setErrorCookie', 'noStore']);
    expect(result.twins).toEqual([
      { kind: 'helper', name: 'noStore', twin: 'noStoreHeaders', resIndex: 0, statuses: [], setsHeaders: null },
      { kind: 'helper', name: 'setErrorCookie', twin: 'setErrorCookieHeaders', resIndex: 0, statuses: [], setsHeaders: ['set-cookie'] },
    ]);
    expect(result.output).toContain(`// Route-handler version of setErrorCookie: sets the headers of the route's next answer (next-pages-api-migrate).
export const setErrorCookieHeaders = (headers: Headers, value: unknown, options: { path?: string } = {}) => {
  let cookie = 'app_error=' + encodeURIComponent(JSON.stringify(value));
  if (options.path) cookie += '; Path=' + options.path;
  setHeader(headers, 'Set-Cookie', cookie);
};`);
    expect(result.output).toContain(`import { setHeader } from '../app/api/_migrate/pages-compat';`);
    // The originals stay for Pages code.
    expect(result.output).toContain(HEADER_HELPERS.split('\n').slice(2, 7).join('\n'));
    expect(result.output).toContain(HEADER_HELPERS.split('\n').slice(8, 12).join('\n'));
  });

  it('twins no helper that returns something or sets the status', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(HEADER_HELPERS, headerContext, ['setAndSay', 'setAndStatus']))).toEqual({ twins: [] });
  });

  const CORS = `import type { NextApiRequest, NextApiResponse } from 'next';

export function setCorsHeaders(req: NextApiRequest, res: NextApiResponse, allowed: string[]) {
  const origin = req.headers.origin;
  if (origin && allowed.includes(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
}

export function corsForQuery(req: NextApiRequest, res: NextApiResponse) {
  res.setHeader('Access-Control-Allow-Origin', String(req.query.origin));
}
`;

  it('gives a header helper that also reads the request a twin that takes the route request in req’s place', () => {
    const result = twinResponseHelpers(CORS, { ...context, modulePath: 'lib/cors.ts' }, ['setCorsHeaders']);
    expect(result.twins).toEqual([{ kind: 'helper', name: 'setCorsHeaders', twin: 'setCorsHeadersHeaders', resIndex: 1, statuses: [], setsHeaders: ['access-control-allow-origin', 'vary'], reqIndex: 0 }]);
    expect(result.output).toContain(`export function setCorsHeadersHeaders(request: NextRequest, headers: Headers, allowed: string[]) {
  const origin = request.headers.get('origin') ?? undefined;
  if (origin && allowed.includes(origin)) setHeader(headers, 'Access-Control-Allow-Origin', origin);
  headers.set('Vary', 'Origin');
}`);
    expect(result.output!.startsWith(`import type { NextRequest } from 'next/server';\n`)).toBe(true);
    // The query differs from route to route (its params): no twin, but routes call it with the stand-ins, the request's
    // carrying the route's query (stand-in-helper.ts).
    expect(withoutWrapperWhys(twinResponseHelpers(CORS, { ...context, modulePath: 'lib/cors.ts' }, ['corsForQuery']))).toEqual({
      twins: [{ kind: 'session', name: 'corsForQuery', twin: '', resIndex: 0, statuses: [], sessionArgs: { req: 0, res: 1 }, shims: true, shimOnly: 'it reads req.query', query: true }],
    });
  });
});

const OWN_HELPERS = `import type { NextApiRequest, NextApiResponse } from 'next';

type Handler = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

export function methodNotAllowed(res: NextApiResponse, allowed: string[]) {
  res.setHeader('Allow', allowed.join(', '));
  return res.status(405).json({ status: 'fail', data: { allowed } });
}

function unauthorized(res: NextApiResponse) {
  return res.status(401).json({ error: 'unauthorized' });
}

function noStore(res: NextApiResponse) {
  res.setHeader('Cache-Control', 'no-store');
}

function maybeDeny(res: NextApiResponse, denied: boolean) {
  if (denied) res.status(403).end();
}

export async function handle(req: NextApiRequest, res: NextApiResponse, handlers: { GET?: Handler; PUT?: Handler }) {
  if (!req.method || !(req.method in handlers)) {
    return methodNotAllowed(res, Object.keys(handlers));
  }
  let handler = handlers[req.method as keyof typeof handlers]!;
  return await handler(req, res);
}

export function withAuth(handler: Handler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    noStore(res);
    if (req.headers.authorization !== 'Bearer ok') return unauthorized(res);
    return handler(req, res);
  };
}

export function withDeny(handler: Handler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    maybeDeny(res, !req.headers.authorization);
    return handler(req, res);
  };
}

export async function reassigned(req: NextApiRequest, res: NextApiResponse, handlers: { GET?: Handler }) {
  let handler = handlers[req.method as keyof typeof handlers];
  if (!handler) handler = handlers.GET;
  return handler!(req, res);
}
`;

describe('wrappers and dispatchers that call their module’s own res helpers', () => {
  const ownContext = { ...context, modulePath: 'utils/api.ts' };

  it('calls the helper twins from the wrapper twin, and writes each helper twin once (a private helper’s privately)', () => {
    const result = twinResponseHelpers(OWN_HELPERS, ownContext, ['handle', 'withAuth', 'methodNotAllowed']);
    expect(result.twins).toEqual([
      { kind: 'dispatcher', name: 'handle', twin: 'handleRoute', resIndex: 0, statuses: [], methods: [], called: true },
      { kind: 'helper', name: 'methodNotAllowed', twin: 'methodNotAllowedResponse', resIndex: 0, statuses: [405], answersAtOnce: true },
      { kind: 'wrapper', name: 'withAuth', twin: 'withAuthRoute', resIndex: 0, statuses: [], methods: [] },
    ]);
    // `let` never assigned again holds the looked-up handler as a const would.
    expect(result.output).toContain(`export function handleRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>) {
  return async (request: NextRequest, context: Context) => {
    if (!request.method || !(request.method in handlers)) {
      return methodNotAllowedResponse(Object.keys(handlers));
    }
    let handler = handlers[request.method as keyof typeof handlers]!;
    return handler(request, context);
  };
}`);
    // The header-only helper takes the wrapper's headers, which go out with the helper's answer.
    expect(result.output).toContain(`// Route-handler version of unauthorized: returns the Response instead of sending it (next-pages-api-migrate).
function unauthorizedResponse() {
  return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
}`);
    expect(result.output).toContain(`// Route-handler version of noStore: sets the headers of the route's next answer (next-pages-api-migrate).
function noStoreHeaders(headers: Headers) {
  headers.set('Cache-Control', 'no-store');
}`);
    expect(result.output).toContain(`    const headers = new Headers();
    noStoreHeaders(headers);
    if (authorization !== 'Bearer ok') return withHeaders(await unauthorizedResponse(), headers);
    return withHeaders(await handler(request, context), headers);`);
    expect(result.output!.match(/export function methodNotAllowedResponse\(/g)).toHaveLength(1);
    // A helper no twin calls gets none.
    expect(result.output).not.toContain('maybeDenyResponse');
  });

  it('writes the exported helper’s twin, exported, when only the wrapper twin calls it', () => {
    const result = twinResponseHelpers(OWN_HELPERS, ownContext, ['handle']);
    expect(result.twins.map((t) => t.twin)).toEqual(['handleRoute']);
    expect(result.output).toContain('export function methodNotAllowedResponse(allowed: string[]) {');
    expect(result.output).not.toContain('unauthorizedResponse');
  });

  it('twins no wrapper whose module helper answers only on some paths, nor a dispatcher whose let is assigned again', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(OWN_HELPERS, ownContext, ['withDeny', 'reassigned']))).toEqual({ twins: [] });
  });
});

describe('middleware helper twins', () => {
  const MIDDLEWARE = `import type { NextApiRequest, NextApiResponse } from 'next'
import Cors from 'cors'
import helmet from 'helmet'

const corsFunction = Cors({ methods: ['GET', 'HEAD'] })

function runMiddleware(req: NextApiRequest, res: NextApiResponse, fn: Function) {
  return new Promise((resolve, reject) => {
    fn(req, res, (result: unknown) => (result instanceof Error ? reject(result) : resolve(result)))
  })
}

export async function cors(req: NextApiRequest, res: NextApiResponse) {
  return await runMiddleware(req, res, corsFunction)
}

export const secure = (req: NextApiRequest, res: NextApiResponse) => runMiddleware(req, res, helmet())
`;
  const middlewareContext = { ...context, modulePath: 'lib/middleware.ts' };

  it('gives a helper that only runs cors a twin that runs it on the request, into the route headers', () => {
    const result = twinResponseHelpers(MIDDLEWARE, middlewareContext, ['cors']);
    expect(result.twins).toEqual([{ kind: 'middleware', name: 'cors', twin: 'corsForRoute', resIndex: 1, statuses: [null] }]);
    expect(result.output).toContain(`export async function corsForRoute(request: NextRequest, headers: Headers) {
  return runConnectMiddleware(request, corsFunction, headers)
}`);
    expect(result.output).toContain(`import { runConnectMiddleware } from '../app/api/_migrate/pages-compat'`);
  });

  it('twins no helper that runs another middleware', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(MIDDLEWARE, middlewareContext, ['secure']))).toEqual({ twins: [] });
  });
});

describe('request helpers that call each other', () => {
  const NESTED = `import type { NextApiRequest } from 'next'

function tokenOf(req: NextApiRequest, id: string) {
  return req.cookies['link_' + id] ?? null
}

export async function verifyLink(req: NextApiRequest, id: string) {
  const token = tokenOf(req, id)
  return token ? { token, viewer: req.headers['x-viewer'] } : null
}

export function readQuery(req: NextApiRequest) {
  return tokenOf(req, String(req.query.id))
}
`;
  const nestedContext = { ...context, modulePath: 'lib/links.ts' };

  it('twins the helper the requested one passes req to, private as it was, and the requested twin calls it', () => {
    const result = twinResponseHelpers(NESTED, nestedContext, ['verifyLink']);
    expect(result.twins).toEqual([{ kind: 'request', name: 'verifyLink', twin: 'verifyLinkForRoute', resIndex: 0, statuses: [] }]);
    expect(result.calledTwins).toEqual(['tokenOfForRoute']);
    expect(result.output).toContain(`function tokenOfForRoute(request: NextRequest, id: string) {
  return pagesCookies(request)['link_' + id] ?? null;
}`);
    expect(result.output).toContain('const token = tokenOfForRoute(request, id)');
    expect(result.output).not.toContain('export function tokenOfForRoute');
  });

  it('gives a helper that passes req on and reads the query the route\'s query too', () => {
    const result = twinResponseHelpers(NESTED, nestedContext, ['readQuery']);
    expect(result.twins).toEqual([{ kind: 'request', name: 'readQuery', twin: 'readQueryForRoute', resIndex: 0, statuses: [], queryIndex: 1 }]);
    expect(result.output).toContain(`export function readQueryForRoute(request: NextRequest, query: Partial<{ [key: string]: string | string[] }>) {
  return tokenOfForRoute(request, String(query.id));
}`);
  });
});

const LIMITERS = `import type { NextApiResponse } from 'next';

type Options = { interval?: number; max?: number };

export default function rateLimit(options?: Options) {
  const counts = new Map<string, number>();
  return {
    check: (res: NextApiResponse, limit: number, token: string) =>
      new Promise<void>((resolve, reject) => {
        const used = (counts.get(token) ?? 0) + 1;
        counts.set(token, used);
        res.setHeader('X-RateLimit-Limit', limit);
        res.setHeader('X-RateLimit-Remaining', Math.max(0, limit - used));
        return used > limit ? reject() : resolve();
      }),
    reset(token: string) {
      counts.delete(token);
    },
  };
}

export const slowDown = (delay: number) => ({
  mark(res: NextApiResponse) {
    res.setHeader('X-Slow-Down', String(delay));
  },
});

export function answering() {
  return {
    check: (res: NextApiResponse) =>
      new Promise<void>((resolve) => {
        res.status(429).end();
        resolve();
      }),
  };
}

export function typed(): { check(res: NextApiResponse): Promise<void> } {
  return { check: (res) => new Promise<void>((resolve) => { res.setHeader('X-A', '1'); resolve(); }) };
}

export function twoReturns(strict: boolean) {
  if (strict) return { check: (res: NextApiResponse) => res.setHeader('X-A', '1') };
  return { check: (res: NextApiResponse) => new Promise<void>((resolve) => { res.setHeader('X-A', '2'); resolve(); }) };
}
`;

describe('factory header method twins', () => {
  const limiterContext = { ...context, modulePath: 'utils/rate-limit.ts' };

  it('adds a twin method to the returned object for each method that only sets headers on res', () => {
    const result = twinResponseHelpers(LIMITERS, limiterContext, ['default', 'slowDown']);
    expect(result.twins).toEqual([
      {
        kind: 'factory',
        name: 'default',
        twin: 'rateLimit().checkHeaders',
        resIndex: -1,
        statuses: [],
        headerMethods: [{ method: 'check', twin: 'checkHeaders', resIndex: 0, setsHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining'] }],
        ownName: 'rateLimit',
      },
      { kind: 'factory', name: 'slowDown', twin: 'slowDown().markHeaders', resIndex: -1, statuses: [], headerMethods: [{ method: 'mark', twin: 'markHeaders', resIndex: 0, setsHeaders: ['x-slow-down'] }], ownName: 'slowDown' },
    ]);
    // The executor of the promise writes the route's headers; it still runs at once, and settles the promise as before.
    // After the last property, which keeps its comma.
    expect(result.output).toContain(`    reset(token: string) {
      counts.delete(token);
    },

    // Route-handler version of check: sets the headers of the route's next answer (next-pages-api-migrate).
    checkHeaders: (headers: Headers, limit: number, token: string) =>
      new Promise<void>((resolve, reject) => {
        const used = (counts.get(token) ?? 0) + 1;
        counts.set(token, used);
        setHeader(headers, 'X-RateLimit-Limit', limit);
        setHeader(headers, 'X-RateLimit-Remaining', Math.max(0, limit - used));
        return used > limit ? reject() : resolve();
      })
  };`);
    expect(result.output).toContain(`  // Route-handler version of mark: sets the headers of the route's next answer (next-pages-api-migrate).
  markHeaders(headers: Headers) {
    headers.set('X-Slow-Down', String(delay));
  }`);
    expect(result.output).toContain(`import { setHeader } from '../app/api/_migrate/pages-compat';`);
    // The originals stay for Pages code, the methods without res untouched.
    expect(result.output).toContain(LIMITERS.split('\n').slice(4, 15).join('\n'));
    expect(result.output).toContain(LIMITERS.split('\n').slice(15, 18).join('\n'));
  });

  it('adds the twin methods once to a factory exported under two names', () => {
    const source = `${LIMITERS.replace('export default function rateLimit', 'export function rateLimit')}export default rateLimit\n`;
    const result = twinResponseHelpers(source, limiterContext, ['default', 'rateLimit']);
    expect(result.twins.map((t) => [t.name, t.twin])).toEqual([
      ['default', 'rateLimit().checkHeaders'],
      ['rateLimit', 'rateLimit().checkHeaders'],
    ]);
    expect(result.output!.match(/checkHeaders/g)).toHaveLength(1);
  });

  it('twins no method that answers, nor one of an object under a declared type or returned on several paths', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(LIMITERS, limiterContext, ['answering', 'typed', 'twoReturns']))).toEqual({ twins: [] });
  });
});

describe('guard twins', () => {
  const guardContext = { modulePath: 'lib/auth.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };
  const GUARDS = `import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerSession } from 'next-auth/next';
import { authOptions } from './auth-options';

export async function requireSession(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions);
  if (!session) {
    res.status(401).json({ error: 'Unauthorized' });
    return null;
  }
  return session;
}

export function requireKey(req: NextApiRequest, res: NextApiResponse, scope = 'read'): boolean {
  const key = req.headers['x-key'];
  if (key !== scope) {
    if (!key) {
      res.status(401).json({ error: 'no key' });
    } else {
      res.status(403).json({ error: 'wrong key' });
    }
    return false;
  }
  return true;
}

export const requireDb = (res: NextApiResponse) => {
  if (!process.env.DATABASE_URL) {
    res.status(503).end('no database');
    return;
  }
  return true;
};

export function logsAfter(req: NextApiRequest, res: NextApiResponse) {
  if (!req.headers.authorization) {
    res.status(401).end();
    console.log('denied');
    return false;
  }
  return true;
}

export function failsSilently(req: NextApiRequest, res: NextApiResponse) {
  if (req.headers['x-off']) return false;
  if (!req.headers.authorization) {
    res.status(401).end();
    return false;
  }
  return true;
}

export function fallsOff(req: NextApiRequest, res: NextApiResponse) {
  if (!req.headers.authorization) {
    res.status(401).end();
    return false;
  }
}

export function setsHeader(req: NextApiRequest, res: NextApiResponse) {
  res.setHeader('Cache-Control', 'no-store');
  if (!req.headers.authorization) {
    res.status(401).end();
    return false;
  }
  return true;
}

export function readsQuery(req: NextApiRequest, res: NextApiResponse) {
  if (!req.query.team) {
    res.status(400).end();
    return null;
  }
  return String(req.query.team);
}

export function logsAfterIf(req: NextApiRequest, res: NextApiResponse) {
  const ok = req.headers['x-key'] === 'k';
  if (!ok) res.status(401).json({ error: 'no key' });
  console.warn('checked', req.url);
  return ok;
}

export async function requireAdmin(req: NextApiRequest, res: NextApiResponse) {
  const user = await findUser(String(req.headers['x-user']));
  if (!user) {
    res.status(401).json({ error: 'sign in' });
  } else if (!user.admin) {
    res.status(403).json({ error: 'admins only' });
  }
  await logAccess(user);
  return user;
}

export function fieldOfBody(req: NextApiRequest, res: NextApiResponse, field = 'name') {
  const value = req.body?.[field];
  if (typeof value !== 'string') {
    res.status(422).json({ error: \`\${field} is required\`, team: req.query.team });
    return undefined;
  }
  return value;
}

export function writesQuery(req: NextApiRequest, res: NextApiResponse) {
  req.query = { team: 'default', ...req.query };
  if (req.query.team === 'none') {
    res.status(400).end();
    return null;
  }
  return req.query.team;
}

export function keyFromDefault(req: NextApiRequest, res: NextApiResponse, key = req.headers['x-api-key']) {
  if (!key) {
    res.status(401).end();
    return false;
  }
  return true;
}

export async function loadUpstream(req: NextApiRequest, res: NextApiResponse) {
  const upstream = await fetch('https://api.example.com/items/' + req.headers['x-id']);
  if (!upstream.ok) {
    res.status(502).json({ error: 'upstream failed' });
    return null;
  }
  return upstream;
}

declare function findUser(id: string): Promise<{ admin: boolean } | null>;
declare function logAccess(user: unknown): Promise<void>;
`;

  it('writes a twin that returns its answers as GuardAnswers where the guard answered, and its value where it did not', () => {
    const result = twinResponseHelpers(GUARDS, guardContext, ['requireSession', 'requireKey', 'requireDb']);
    expect(result.twins).toEqual([
      { kind: 'guard', name: 'requireDb', twin: 'requireDbForRoute', resIndex: 0, reqIndex: -1, statuses: [503] },
      { kind: 'guard', name: 'requireKey', twin: 'requireKeyForRoute', resIndex: 1, reqIndex: 0, statuses: [401, 403] },
      // Its getServerSession sets next-auth's cookies into the route's headers, which the twin takes in res's place.
      { kind: 'guard', name: 'requireSession', twin: 'requireSessionForRoute', resIndex: 1, reqIndex: 0, statuses: [401], takesHeaders: true },
    ]);
    const output = result.output!;
    expect(output).toContain(`// Route-handler version of requireSession: returns its answer as a GuardAnswer where it answered, else its value (next-pages-api-migrate).
export async function requireSessionForRoute(request: NextRequest, headers: Headers) {
  const session = await getServerSession(nextAuthRequest(request), nextAuthResponse(headers), authOptions);
  if (!session) {
    headers.delete('Content-Type');
    return new GuardAnswer(NextResponse.json({ error: 'Unauthorized' }, { status: 401, headers }));
  }
  return session;
}`);
    // Its declared type gains GuardAnswer, so that the route's checks narrow the value as they did.
    expect(output).toContain(`export function requireKeyForRoute(request: NextRequest, scope = 'read'): boolean | GuardAnswer {
  const key = request.headers.get('x-key') ?? undefined;
  if (key !== scope) {
    if (!key) {
      return new GuardAnswer(NextResponse.json({ error: 'no key' }, { status: 401 }));
    } else {
      return new GuardAnswer(NextResponse.json({ error: 'wrong key' }, { status: 403 }));
    }
  }
  return true;
}`);
    expect(output).toContain(`export const requireDbForRoute = () => {
  if (!process.env.DATABASE_URL) {
    return new GuardAnswer(new Response('no database', { status: 503 }));
  }
  return true;
};`);
    // The originals stay for Pages code.
    expect(output).toContain(GUARDS.split('\n').slice(4, 12).join('\n'));
    expect(output.startsWith(`import { NextResponse, type NextRequest } from 'next/server';\n`)).toBe(true);
    expect(output).toContain(`import { GuardAnswer, nextAuthRequest, nextAuthResponse } from '../app/api/_migrate/pages-compat';\n`);
  });

  it('keeps a value that is itself a Response apart from its answers', () => {
    const result = twinResponseHelpers(GUARDS, guardContext, ['loadUpstream']);
    expect(result.output).toContain(`export async function loadUpstreamForRoute(request: NextRequest) {
  const xId = request.headers.get('x-id') ?? undefined;
  const upstream = await fetch('https://api.example.com/items/' + xId);
  if (!upstream.ok) {
    return new GuardAnswer(NextResponse.json({ error: 'upstream failed' }, { status: 502 }));
  }
  return upstream;
}`);
  });

  it('gives a guard that reads the query or the body last parameters for them, which calls fill from the route', () => {
    const result = twinResponseHelpers(GUARDS, guardContext, ['readsQuery']);
    expect(result.twins).toEqual([{ kind: 'guard', name: 'readsQuery', twin: 'readsQueryForRoute', resIndex: 1, reqIndex: 0, statuses: [400], queryIndex: 1 }]);
    expect(result.output).toContain(`export function readsQueryForRoute(request: NextRequest, query: Partial<{ [key: string]: string | string[] }>) {
  if (!query.team) {
    return new GuardAnswer(new Response(null, { status: 400 }));
  }
  return String(query.team);
}`);
    const body = twinResponseHelpers(GUARDS, guardContext, ['fieldOfBody']);
    // The body first, then the query, both after the guard's own parameters (a default among them).
    expect(body.twins).toEqual([{ kind: 'guard', name: 'fieldOfBody', twin: 'fieldOfBodyForRoute', resIndex: 1, reqIndex: 0, statuses: [422], bodyIndex: 2, queryIndex: 3 }]);
    expect(body.output).toContain('const value = body?.[field];');
    expect(body.output).toContain(`return new GuardAnswer(NextResponse.json({ error: \`\${field} is required\`, team: query.team }, { status: 422 }));`);
  });

  it('makes an optional parameter before the added ones take undefined, and leaves a function with its own req alone', () => {
    const guards = `import type { NextApiRequest, NextApiResponse } from 'next';

export function optionalBeforeQuery(req: NextApiRequest, res: NextApiResponse, role?: string) {
  const check = (req: { query: { key?: string } }) => req.query.key === 'k';
  if (!check({ query: {} }) && req.query.key !== role) {
    res.status(401).end();
    return null;
  }
  return role ?? 'user';
}
`;
    const result = twinResponseHelpers(guards, guardContext, ['optionalBeforeQuery']);
    expect(result.twins).toEqual([{ kind: 'guard', name: 'optionalBeforeQuery', twin: 'optionalBeforeQueryForRoute', resIndex: 1, reqIndex: 0, statuses: [401], queryIndex: 2 }]);
    // The inner function's `req` is its own: its query is not the route's.
    expect(result.output).toContain(`export function optionalBeforeQueryForRoute(
    request: NextRequest,
    role: string | undefined,
    query2: Partial<{ [key: string]: string | string[] }>
) {
  const check = (req: { query: { key?: string } }) => req.query.key === 'k';
  if (!check({ query: {} }) && query2.key !== role) {`);
  });

  it('twins no guard that runs code after answering, returns "answered" without answering, falls off its end, sets headers or assigns the query', () => {
    // Pages ran the code after the send (after the if it sits in too): the twin would not.
    for (const name of ['logsAfter', 'logsAfterIf', 'requireAdmin', 'failsSilently', 'fallsOff', 'setsHeader', 'writesQuery', 'keyFromDefault']) {
      expect(withoutWrapperWhys(twinResponseHelpers(GUARDS, guardContext, [name])), name).toEqual({ twins: [] });
    }
  });
});

describe('header calls in functions nested in helpers and wrappers', () => {
  const NESTED = `import type { NextApiRequest, NextApiResponse } from 'next';

type Handler = (req: NextApiRequest, res: NextApiResponse) => unknown;

export const withTags = (handler: Handler, tags: string[]) => async (req: NextApiRequest, res: NextApiResponse) => {
  tags.forEach((tag) => {
    res.appendHeader('X-Tag', tag);
  });
  return handler(req, res);
};

export function setSessionCookies(res: NextApiResponse, tokens: string[]) {
  tokens.forEach((token) => {
    res.appendHeader('Set-Cookie', \`t=\${token}; Path=/\`);
  });
}

export function setSecureCookie(res: NextApiResponse, token: string, secure: boolean) {
  if (secure) {
    res.setHeader('Set-Cookie', \`t=\${token}; Path=/; Secure\`);
  }
}

export function sendGone(res: NextApiResponse, reason: string) {
  const mark = () => {
    res.setHeader('X-Gone', reason);
  };
  mark();
  return res.status(410).json({ reason });
}

export function sendLater(res: NextApiResponse) {
  const finish = () => {
    res.status(200).end();
  };
  return finish();
}
`;
  const nestedContext = { ...context, modulePath: 'lib/tags.ts' };

  it('writes them into the twin’s headers: a wrapper’s, a header helper’s (its if-block too), an answering helper’s', () => {
    const result = twinResponseHelpers(NESTED, nestedContext, ['withTags', 'setSessionCookies', 'setSecureCookie', 'sendGone']);
    expect(result.twins).toEqual([
      { kind: 'helper', name: 'sendGone', twin: 'sendGoneResponse', resIndex: 0, statuses: [410], answersAtOnce: true },
      { kind: 'helper', name: 'setSecureCookie', twin: 'setSecureCookieHeaders', resIndex: 0, statuses: [], setsHeaders: ['set-cookie'] },
      { kind: 'helper', name: 'setSessionCookies', twin: 'setSessionCookiesHeaders', resIndex: 0, statuses: [], setsHeaders: ['set-cookie'] },
      { kind: 'wrapper', name: 'withTags', twin: 'withTagsRoute', resIndex: 0, statuses: [], methods: [] },
    ]);
    expect(result.output).toContain(`export const withTagsRoute = <Context>(handler: (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>, tags: string[]) => async (request: NextRequest, context: Context) => {
  const headers = new Headers();
  tags.forEach((tag) => {
    setHeader(headers, 'X-Tag', tag, true);
  });
  return withHeaders(await handler(request, context), headers);
};`);
    expect(result.output).toContain(`export function setSessionCookiesHeaders(headers: Headers, tokens: string[]) {
  tokens.forEach((token) => {
    headers.append('Set-Cookie', \`t=\${token}; Path=/\`);
  });
}`);
    expect(result.output).toContain(`export function setSecureCookieHeaders(headers: Headers, token: string, secure: boolean) {
  if (secure) {
    headers.set('Set-Cookie', \`t=\${token}; Path=/; Secure\`);
  }
}`);
    expect(result.output).toContain(`export function sendGoneResponse(reason: string) {
  const headers = new Headers();
  const mark = () => {
    setHeader(headers, 'X-Gone', reason);
  };
  mark();
  return NextResponse.json({ reason }, { status: 410, headers });
}`);
    // The originals stay for Pages code, their nested header calls untouched.
    for (const original of NESTED.split('\n\n').filter((block) => block.startsWith('export '))) expect(result.output).toContain(original.trim());
  });

  it('twins no helper whose nested function answers', () => {
    expect(withoutWrapperWhys(twinResponseHelpers(NESTED, nestedContext, ['sendLater']))).toEqual({ twins: [] });
  });
});
