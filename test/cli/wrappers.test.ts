/**
 * Wrappers defined in the project (`export default withAuth(handler)`): the run adds a route-handler version beside
 * the original wrapper, every method export goes through it, and a wrapper it cannot rewrite leaves its routes in
 * place with the wrapper named.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const GUARD = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withAuth(handler: NextApiHandler, role = 'user') {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (req.headers.authorization !== \`Bearer \${role}\`) return res.status(401).json({ error: 'unauthorized' })
    return handler(req, res)
  }
}

export const withBody = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  if (!req.body) return res.status(400).end()
  return handler(req, res)
}
`;

const LOGGED = `import type { NextApiHandler } from 'next'

const logged = (handler: NextApiHandler): NextApiHandler => async (req, res) => {
  console.log(req.method)
  return handler(req, res)
}

export default logged
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/guard.ts': GUARD,
  'lib/logged.ts': LOGGED,
  'pages/api/admin/[id].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withAuth } from '@/lib/guard'
import logged from '../../../lib/logged'

async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'DELETE') return res.status(204).end()
  if (req.method !== 'GET') return res.status(405).end()
  res.status(200).json({ id: req.query.id })
}

export default logged(withAuth(handler, 'admin'))
`,
  'pages/api/upload.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withBody } from '@/lib/guard'

export default withBody((req: NextApiRequest, res: NextApiResponse) => res.status(200).json(req.body))
`,
  'pages/admin.tsx': `import { withAuth } from '../lib/guard'\nexport const check = withAuth\nexport default function Admin() { return null }\n`,
};

describe('wrappers defined in the project', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('adds route-handler versions of the wrappers, exports every method through them, and names the one it cannot rewrite', () => {
    const { app, result, report: json } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    const route = readFileSync(path.join(app, 'app/api/admin/[id]/route.ts'), 'utf8');
    expect(route).toContain(`import { withAuthRoute } from '@/lib/guard'`);
    expect(route).toContain(`import { loggedRoute } from '../../../../lib/logged'`);
    expect(route).toContain(`export const GET = loggedRoute(withAuthRoute(getHandler, 'admin'))`);
    expect(route).toContain(`export const DELETE = loggedRoute(withAuthRoute(deleteHandler, 'admin'))`);
    // 405 from the handler, but the wrappers answer first (a 401 without the header): the methods stay, wrapped.
    expect(route).toContain(`export const POST = loggedRoute(withAuthRoute(postHandler, 'admin'))`);

    const guard = readFileSync(path.join(app, 'lib/guard.ts'), 'utf8');
    expect(guard).toContain(GUARD.split('\n').slice(2, 8).join('\n'));
    expect(guard).toContain(`export function withAuthRoute<Context>(handler: (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>, role = 'user') {`);
    expect(guard).not.toContain('withBodyRoute');
    const logged = readFileSync(path.join(app, 'lib/logged.ts'), 'utf8');
    expect(logged).toContain('export const loggedRoute = <Context>(');
    expect(logged).toContain('export default logged');

    // The wrapper that reads the body is not rewritten: its route stays, and the report says why.
    expect(existsSync(path.join(app, 'pages/api/upload.ts'))).toBe(true);
    expect(existsSync(path.join(app, 'pages/api/admin/[id].ts'))).toBe(false);
    const upload = json.files.find((f: { source: string }) => f.source === 'pages/api/upload.ts');
    expect(upload.status).toBe('left');
    expect(upload.reasons[0].code).toBe('HANDLER_NOT_FOUND');
    expect(upload.reasons[0].detail).toContain('withBody');
    expect(json.updates).toEqual([
      { path: 'lib/guard.ts', twins: ['withAuthRoute'] },
      { path: 'lib/logged.ts', twins: ['loggedRoute'] },
    ]);

    // A second run changes nothing.
    expectSecondRunChangesNothing(app);
  });

  it("keeps a handler's rejection past the wrapper's catch where the wrapper returned it without await", () => {
    const { app, result } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/cors.ts': `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withCors(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*')
    try {
      if (req.headers['x-block']) return res.status(403).json({ error: 'blocked' })
      return handler(req, res)
    } catch {
      return res.status(500).json({ error: 'cors check failed' })
    }
  }
}

export function withAwaitedCors(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*')
    try {
      return await handler(req, res)
    } catch {
      return res.status(500).json({ error: 'handler failed' })
    }
  }
}
`,
      'pages/api/open.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withCors } from '@/lib/cors'

export default withCors(async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true })
})
`,
      'pages/api/caught.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withAwaitedCors } from '@/lib/cors'

export default withAwaitedCors(async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true })
})
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const cors = readFileSync(path.join(app, 'lib/cors.ts'), 'utf8');
    // Pages' catch never saw the handler's rejection (Next answered 500) and neither does the twin's; an awaited call
    // is awaited in the twin too, whose catch answers as the original's did.
    expect(cors).toContain('return Promise.resolve(handler(request, context)).then((response) => withHeaders(response, headers))');
    expect(cors).toContain('return withHeaders(await handler(request, context), headers)');
  });

  it('passes the extra arguments a wrapper gives the handler (the signed-in user) after (request, context)', () => {
    const { app, result, report: json } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/user.ts': `import type { NextApiRequest, NextApiResponse } from 'next'

export type User = { name: string }

export function withUser(handler: (req: NextApiRequest, res: NextApiResponse, user: User) => unknown) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const name = req.headers['x-user']
    if (typeof name !== 'string') return res.status(401).end()
    await handler(req, res, { name })
  }
}
`,
      'pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withUser, type User } from '@/lib/user'

export default withUser(async (req: NextApiRequest, res: NextApiResponse, user: User) => {
  if (req.method !== 'GET') return res.status(405).end()
  res.status(200).json(user)
})
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const route = readFileSync(path.join(app, 'app/api/me/route.ts'), 'utf8');
    expect(route).toContain('async function getHandler(_request: NextRequest, _context: unknown, user: User) {');
    expect(route).toContain('export const GET = withUserRoute(getHandler)');
    const user = readFileSync(path.join(app, 'lib/user.ts'), 'utf8');
    expect(user).toContain('export function withUserRoute<Context>(handler: (request: NextRequest, context: Context, user: User) => Response | undefined | Promise<Response | undefined>) {');
    expect(user).toContain('    return handler(request, context, { name })');
    expect(json.updates).toEqual([{ path: 'lib/user.ts', twins: ['withUserRoute'] }]);
    expectSecondRunChangesNothing(app);
  });

  it('sends what the handler returns where a wrapper did (res.headersSent read as false once the handler\'s answer went out)', () => {
    const { app, result, report: json } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/result.ts': `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withResult(handler: NextApiHandler): NextApiHandler {
  return async (req, res) => {
    try {
      const result = await handler(req, res)
      if (!res.headersSent && result) {
        res.status(200).json(result)
      } else if (!res.headersSent) {
        res.status(200).end()
      }
    } catch (err) {
      if (!res.headersSent) {
        res.status(500).json({ error: String(err) })
      } else {
        console.warn('answered already')
      }
    }
  }
}

export const withFallback = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  await handler(req, res)
  if (!res.headersSent) res.status(404).json({ error: 'nothing here' })
}

export const withLog = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  const result = await handler(req, res)
  console.log('done')
  if (!res.headersSent) res.status(200).json(result)
}

export const withStamp = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  res.setHeader('X-Stamp', '1')
  const result = await handler(req, res)
  if (!res.headersSent) res.status(200).json(result)
}

export async function auth(req: NextApiRequest, res: NextApiResponse) {
  if (req.query.token !== \`t-\${req.query.id}\`) {
    res.status(401).json({ error: 'no token' })
    return undefined
  }
  return { admin: true }
}
`,
      'pages/api/items/[id].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { auth, withResult } from '@/lib/result'

async function handler(req: NextApiRequest, res: NextApiResponse) {
  const claims = await auth(req, res)
  if (!claims) {
    throw new Error('Unauthorized')
  }
  if (req.query.mode === 'send') return res.status(202).json({ sent: true })
  return { id: req.query.id }
}

export default withResult(handler)
`,
      'pages/api/maybe.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withFallback } from '@/lib/result'

export default withFallback(async (req: NextApiRequest, res: NextApiResponse) => {
  if (req.query.q) res.status(200).json({ q: req.query.q })
})
`,
      'pages/api/stamped.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withStamp } from '@/lib/result'

export default withStamp(async (_req: NextApiRequest, res: NextApiResponse) => res.status(201).json({ made: true }))
`,
      // Under withResult: a cookie set on the path that returns data, a Response of its own, a callback's later answer.
      'pages/api/cookie.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withResult } from '@/lib/result'

export default withResult(async (_req: NextApiRequest, res: NextApiResponse) => {
  res.setHeader('Set-Cookie', 'seen=1; Path=/')
  return { seen: true }
})
`,
      'pages/api/proxy.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withResult } from '@/lib/result'

export default withResult(async (_req: NextApiRequest, _res: NextApiResponse) => {
  return await fetch('https://example.com/data.json')
})
`,
      'pages/api/later.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import fs from 'fs'
import { withResult } from '@/lib/result'

export default withResult(async (_req: NextApiRequest, res: NextApiResponse) => {
  fs.readFile('/etc/hostname', (err, data) => {
    if (err) return res.status(500).end()
    res.status(200).send(data)
  })
})
`,
      'pages/api/logged.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withLog } from '@/lib/result'

export default withLog(async (_req: NextApiRequest, _res: NextApiResponse) => ({ ok: true }))
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const lib = readFileSync(path.join(app, 'lib/result.ts'), 'utf8');
    // The handler's own answer goes out at once; any other value is the wrapper's to send. The branches that ran only
    // once an answer had gone out are gone, the others stay without their test.
    expect(lib).toContain(`export function withResultRoute<Context>(handler: (request: NextRequest, context: Context) => any) {
  return async (request: NextRequest, context: Context) => {
    try {
      const result = await handler(request, context)
      if (result instanceof Response) return result
      if (result) {
        return pagesJson(result)
      } else {
        return new Response(null)
      }
    } catch (err) {
      return NextResponse.json({ error: String(err) }, { status: 500 })
    }
  }
}`);
    expect(lib).toContain(`export const withFallbackRoute = <Context>(handler: (request: NextRequest, context: Context) => any) => async (request: NextRequest, context: Context) => {
  const answer = await handler(request, context)
  if (answer instanceof Response) return answer
  return NextResponse.json({ error: 'nothing here' }, { status: 404 })
}`);
    // The guard reads the query, the route's id among it: the route passes its own.
    expect(lib).toContain('export async function authForRoute(request: NextRequest, query: Partial<{ [key: string]: string | string[] }>) {');
    const route = readFileSync(path.join(app, 'app/api/items/[id]/route.ts'), 'utf8');
    expect(route).toContain(`  const query = pagesQuery(request, params)
  const claims = await authForRoute(request, query)
  if (claims instanceof GuardAnswer) return claims.response
  if (!claims) {
    throw new Error('Unauthorized')
  }`);
    expect(route).toContain('export const GET = withResultRoute(handler)');
    expect(readFileSync(path.join(app, 'app/api/maybe/route.ts'), 'utf8')).toContain('export const GET = withFallbackRoute(handler)');

    // Code after the handler's answer that Pages ran, and the twin would not: the wrapper is not rewritten.
    const logged = json.files.find((f: { source: string }) => f.source === 'pages/api/logged.ts');
    expect(logged.status).toBe('left');
    expect(logged.reasons[0].detail).toContain('withLog(…) of lib/result.ts, which the tool cannot rewrite: it runs code after handler(req, res) once the handler answered');
    expect(existsSync(path.join(app, 'pages/api/logged.ts'))).toBe(true);
    const reasonOf = (source: string) => {
      const file = json.files.find((f: { source: string }) => f.source === source);
      expect(file.status, source).toBe('left');
      return file.reasons[0].detail as string;
    };
    // The header set before the call went out with the handler's own answer in Pages.
    expect(reasonOf('pages/api/stamped.ts')).toContain('withStamp(…) of lib/result.ts, which the tool cannot rewrite: it sets headers or a status before handler(req, res), whose value it keeps');
    expect(reasonOf('pages/api/cookie.ts')).toBe('the handler sets headers or a status, and withResult(…) sends what it returns without them');
    expect(reasonOf('pages/api/proxy.ts')).toBe('the handler returns a Response of its own, which withResult(…) sent as JSON and its twin would send as it is');
    // withResult answered as soon as the handler returned, before the callback did.
    expect(reasonOf('pages/api/later.ts')).toBe('res is used inside a callback');
    expect(json.updates).toEqual([{ path: 'lib/result.ts', twins: ['authForRoute', 'withFallbackRoute', 'withResultRoute'] }]);
    expectSecondRunChangesNothing(app);
  });

  it('keeps a field a wrapper sets on the request for the handler (req.user), and reads res.headersSent in a catch as false', () => {
    const member = `import type { NextApiRequest, NextApiResponse } from 'next'

export interface RequestWithUser extends NextApiRequest {
  user?: { id: string }
}

type Handler = (req: RequestWithUser, res: NextApiResponse) => Promise<unknown>

export function withUser(fn: Handler) {
  return async (req: RequestWithUser, res: NextApiResponse) => {
    const id = req.headers['x-user']
    if (typeof id !== 'string') return res.status(401).json({ error: 'no user' })
    req.user = { id }
    await fn(req, res)
  }
}

export function ownerOnly(fn: Handler) {
  return async (req: RequestWithUser, res: NextApiResponse) => {
    if (req.user?.id !== 'owner') return res.status(403).end()
    await fn(req, res)
  }
}

export function catchErrors(fn: Handler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    try {
      await fn(req, res)
    } catch (error: any) {
      console.error(error)
      if (!res.headersSent) {
        return res.status(500).json({ error: error.message })
      }
    }
  }
}
`;
    const pages = {
      'tsconfig.json': files['tsconfig.json'],
      'lib/member.ts': member,
      'pages/api/me.ts': `import type { NextApiResponse } from 'next'
import { catchErrors, withUser, type RequestWithUser } from '@/lib/member'

export default withUser(catchErrors(async (req: RequestWithUser, res: NextApiResponse) => {
  res.status(200).json({ id: req.user?.id })
}))
`,
      'pages/api/owner.ts': `import type { NextApiResponse } from 'next'
import { ownerOnly, withUser, type RequestWithUser } from '@/lib/member'

export default withUser(ownerOnly(async (req: RequestWithUser, res: NextApiResponse) => res.status(200).json({ owner: req.user!.id })))
`,
      // ownerOnly reads req.user, which nothing around it sets here: a custom server may have.
      'pages/api/bare.ts': `import type { NextApiResponse } from 'next'
import { ownerOnly, type RequestWithUser } from '@/lib/member'

export default ownerOnly(async (_req: RequestWithUser, res: NextApiResponse) => res.status(200).end())
`,
    };
    const { app, result, report: json, read } = migrateApp(pages);
    expect(result.code, result.stderr).toBe(0);
    const lib = read('lib/member.ts');
    expect(lib).toContain(`    if (typeof id !== 'string') return NextResponse.json({ error: 'no user' }, { status: 401 })
    request.user = { id }
    return fn(request, context)`);
    expect(lib).toContain('    if (request.user?.id !== \'owner\') return new Response(null, { status: 403 })');
    // The handler threw before any answer wherever the twin's catch runs: the test is gone, the 500 stays.
    expect(lib).toContain(`    try {
      return await fn(request, context)
    } catch (error: any) {
      console.error(error)
      return NextResponse.json({ error: error.message }, { status: 500 })
    }`);
    // Declared on NextRequest once, typed as the wrapper's request type has it.
    expect(lib).toContain(`declare module 'next/server' {
  interface NextRequest {
    user: RequestWithUser['user']
  }
}`);
    expect(lib.match(/declare module/g)).toHaveLength(1);
    expect(read('app/api/me/route.ts')).toContain('return NextResponse.json({ id: request.user?.id })');
    expect(read('app/api/me/route.ts')).toContain('export const GET = withUserRoute(catchErrorsRoute(handler))');
    expect(read('app/api/owner/route.ts')).toContain('export const GET = withUserRoute(ownerOnlyRoute(handler))');
    const bare = json.files.find((f: { source: string }) => f.source === 'pages/api/bare.ts');
    expect(bare.status).toBe('left');
    expect(bare.reasons[0].detail).toBe('ownerOnly(…) reads req.user, which no wrapper around it sets: something outside the Pages handler (a custom server) may have');
    expect(existsSync(path.join(app, 'pages/api/bare.ts'))).toBe(true);
    expectSecondRunChangesNothing(app);

    // Before 15.1 code after the handler's answer runs before it is returned: a throw there reached the catch with
    // the answer sent in Pages, and would answer 500 in the twin.
    const older = migrateApp({
      ...pages,
      'pages/api/audit.ts': `import type { NextApiResponse } from 'next'
import { catchErrors, type RequestWithUser } from '@/lib/member'

export default catchErrors(async (req: RequestWithUser, res: NextApiResponse) => {
  res.status(200).json({ ok: true })
  await fetch('https://audit.example/' + req.method)
})
`,
    }, ['--next', '15.0.3']);
    const audit = older.report.files.find((f: { source: string }) => f.source === 'pages/api/audit.ts');
    expect(audit.status).toBe('left');
    expect(audit.reasons[0].detail).toContain('catchErrors(…) read res.headersSent as true if that code threw, where its twin reads false');
    expect(older.report.files.find((f: { source: string }) => f.source === 'pages/api/me.ts').status).toBe('migrated');
  });

  it('leaves wrappers and routes where the twin would drop code that ran after an answer, or read it as not sent', () => {
    const lib = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'
import { audit } from './audit'

export function withAudit(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    await fn(req, res)
    try {
      await audit(req.url)
    } catch (e) {
      if (!res.headersSent) return res.status(500).json({ error: 'late' })
    }
  }
}

export function withAuditAnswer(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    await fn(req, res)
    try {
      await audit(req.url)
    } catch (e) {
      return res.status(500).json({ error: 'late' })
    }
  }
}

export function withLog(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    await fn(req, res)
    await audit(req.url)
  }
}

export function catchErrors(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    try {
      await fn(req, res)
    } catch (e) {
      if (!res.headersSent) return res.status(500).json({ error: 'failed' })
    }
  }
}

export function withUser<R extends NextApiRequest & { user?: { id: string } }>(fn: (req: R, res: NextApiResponse) => Promise<void>) {
  return async (req: R, res: NextApiResponse) => {
    req.user = { id: String(req.headers['x-user']) }
    await fn(req, res)
  }
}
`;
    const route = (wrapped: string, imports: string, answer = '{ ok: true }') => `import type { NextApiResponse } from 'next'
import { ${imports} } from '@/lib/wrappers'

export default ${wrapped}(async (req: any, res: NextApiResponse) => {
  res.status(200).json(${answer})
})${wrapped.includes('(') ? ')' : ''}
`;
    const pages = {
      'tsconfig.json': files['tsconfig.json'],
      'lib/audit.ts': 'export async function audit(url?: string) {\n  if (!url) throw new Error(\'no url\')\n}\n',
      'lib/wrappers.ts': lib,
      'lib/js-user.js': 'export function withJsUser(fn) {\n  return async (req, res) => {\n    req.user = { id: \'js\' }\n    await fn(req, res)\n  }\n}\n',
      'pages/api/audited.ts': route('withAudit', 'withAudit'),
      'pages/api/answered.ts': route('withAuditAnswer', 'withAuditAnswer'),
      'pages/api/logged.ts': route('catchErrors(withLog', 'catchErrors, withLog'),
      'pages/api/generic.ts': route('withUser', 'withUser', '{ user: req.user?.id ?? null }'),
      'pages/api/js-user.ts': `import type { NextApiResponse } from 'next'
import { withJsUser } from '@/lib/js-user'

export default withJsUser(async (req: any, res: NextApiResponse) => {
  res.status(200).json({ user: req.user?.id })
})
`,
    };
    const { report: json, read } = migrateApp(pages);
    const reasonOf = (report: { files: Array<{ source: string; status: string; reasons: Array<{ detail: string }> }> }, source: string) => {
      const file = report.files.find((f) => f.source === source)!;
      expect(file.status, source).toBe('left');
      return file.reasons[0].detail;
    };
    // The catch is not around the handler's call: it runs after the answer, when headersSent was true in Pages.
    expect(reasonOf(json, 'pages/api/audited.ts')).toBe('the handler is wrapped by withAudit(…) of lib/wrappers.ts, which the tool cannot rewrite: res.headersSent');
    // Code after the handler's answer that may answer itself: the twin would return at the handler's call.
    expect(reasonOf(json, 'pages/api/answered.ts')).toBe('the handler is wrapped by withAuditAnswer(…) of lib/wrappers.ts, which the tool cannot rewrite: it goes on after an answer (line 17 of its module), which its twin would not');
    // No declaration of the field in a JavaScript module: the TypeScript route cannot read it on NextRequest.
    expect(reasonOf(json, 'pages/api/js-user.ts')).toBe('req.user');
    // A field typed by the wrapper's own type parameter: the module's declaration cannot name it.
    expect(read('lib/wrappers.ts')).toContain("declare module 'next/server' {\n  interface NextRequest {\n    user: any\n  }\n}");
    expect(read('app/api/generic/route.ts')).toContain('user: request.user?.id ?? null');
    expect(read('app/api/logged/route.ts')).toContain('export const GET = catchErrorsRoute(withLogRoute(handler))');
    // Before 15.1, withLog's twin runs its code after the answer before returning it, inside catchErrors' try.
    const older = migrateApp(pages, ['--next', '15.0.3']);
    expect(reasonOf(older.report, 'pages/api/logged.ts')).toBe("withLog(…) runs code after the handler's answer before returning it (no after() before Next.js 15.1), and catchErrors(…) around it read res.headersSent as true if that code threw, where its twin reads false");
  });

  it("reads the query in a wrapper's twin as Pages built it, the route's params from the context; leaves one that changes it", () => {
    const { result, report: json, read } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/query.ts': `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withSlug(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const { slug } = req.query
    if (req.query.token !== 'ok') return res.status(401).json({ slug })
    return fn(req, res)
  }
}

export function withPage(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    req.query.page = String(Number(req.query.page ?? 1))
    return fn(req, res)
  }
}

export function withChecked(fn: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!check(req.query)) return res.status(400).end()
    return fn(req, res)
  }
}

function check(values: NextApiRequest['query']) {
  return Object.keys(values).length < 5
}
`,
      'pages/api/posts/[slug].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withSlug } from '@/lib/query'

export default withSlug(async (req: NextApiRequest, res: NextApiResponse) => res.status(200).json({ slug: req.query.slug }))
`,
      'pages/api/list.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withPage } from '@/lib/query'

export default withPage(async (req: NextApiRequest, res: NextApiResponse) => res.status(200).json({ page: req.query.page }))
`,
      'pages/api/checked.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withChecked } from '@/lib/query'

export default withChecked(async (_req: NextApiRequest, res: NextApiResponse) => res.status(204).end())
`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(read('lib/query.ts')).toContain(`export function withSlugRoute<Context>(fn: (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>) {
  return async (request: NextRequest, context: Context) => {
    const params = await (context as { params?: any }).params
    const query = pagesQuery(request, params)
    const { slug } = query
    if (query.token !== 'ok') return NextResponse.json({ slug }, { status: 401 })
    return fn(request, context)
  }
}`);
    expect(read('app/api/posts/[slug]/route.ts')).toContain('export const GET = withSlugRoute(handler)');
    const reasonOf = (source: string) => json.files.find((f: { source: string }) => f.source === source).reasons[0].detail as string;
    // The handler read the page the wrapper wrote into req.query in Pages.
    expect(reasonOf('pages/api/list.ts')).toBe('the handler is wrapped by withPage(…) of lib/query.ts, which the tool cannot rewrite: it changes req.query, which the handler reads after it');
    expect(reasonOf('pages/api/checked.ts')).toBe('the handler is wrapped by withChecked(…) of lib/query.ts, which the tool cannot rewrite: it uses req.query other than by reading its fields');
  });

  it('writes no twin into a module whose own Response would hide the one the twin answers with, and leaves its routes', () => {
    const { app, result, report: json } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/json.ts': `import type { NextApiHandler } from 'next'
import type { Response } from 'express'

export type Legacy = Response

export function withJson(handler: NextApiHandler): NextApiHandler {
  return async (req, res) => {
    const result = await handler(req, res)
    if (!res.headersSent) res.status(200).json(result)
  }
}
`,
      'pages/api/value.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withJson } from '@/lib/json'

export default withJson(async (_req: NextApiRequest, _res: NextApiResponse) => ({ ok: true }))
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const value = json.files.find((f: { source: string }) => f.source === 'pages/api/value.ts');
    expect(value.status).toBe('left');
    expect(value.reasons[0]).toMatchObject({ code: 'GLOBAL_SHADOWED', detail: "in lib/json.ts: the file imports Response from 'express', which hides the global Response its twins use" });
    expect(json.updates).toEqual([]);
    expect(existsSync(path.join(app, 'pages/api/value.ts'))).toBe(true);
    expect(readFileSync(path.join(app, 'lib/json.ts'), 'utf8')).not.toContain('withJsonRoute');
  });

  it('hands the rewritten functions of a method map to the route-handler version of its dispatcher, under every method', () => {
    const { app, result, report: json } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/api.ts': `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

export function withMiddlewares(handlers: Record<string, NextApiHandler>, name = 'api') {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const handler = handlers[req.method ?? '']
    if (!handler) return res.status(405).json({ error: \`\${name}: \${req.method} not allowed\` })
    try {
      return await handler(req, res)
    } catch {
      return res.status(500).json({ error: 'failed' })
    }
  }
}

export function createRoute(fn: () => unknown): NextApiHandler {
  return async (_req, res) => res.status(200).json(await fn())
}
`,
      'pages/api/notes.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withMiddlewares } from '../../lib/api'

async function listNotes(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ notes: [] })
}

export default withMiddlewares({ GET: listNotes, DELETE: async (req, res) => res.status(204).end() }, 'notes')
`,
      'pages/api/made.ts': `import { withMiddlewares, createRoute } from '@/lib/api'

export default withMiddlewares({ GET: createRoute(async () => ({ ok: true })) })
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const route = readFileSync(path.join(app, 'app/api/notes/route.ts'), 'utf8');
    expect(route).toContain(`import { withMiddlewaresRoute } from '../../../lib/api'`);
    expect(route).toContain('async function listNotes() {');
    expect(route).toContain(`const handler = withMiddlewaresRoute({ GET: listNotes, DELETE: deleteHandler }, 'notes')
export { handler as GET, handler as HEAD, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as OPTIONS }`);
    const api = readFileSync(path.join(app, 'lib/api.ts'), 'utf8');
    expect(api).toContain('export function withMiddlewaresRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>, name = \'api\') {');
    expect(api).toContain('      return await handler(request, context)');
    expect(json.updates).toEqual([{ path: 'lib/api.ts', twins: ['withMiddlewaresRoute'] }]);
    // A handler made by a factory call is not a function of the route's file: that route stays, and says why.
    const made = json.files.find((f: { source: string }) => f.source === 'pages/api/made.ts');
    expect(made.status).toBe('left');
    expect(made.reasons[0].code).toBe('DISPATCHER_NOT_FOLLOWED');
    expect(existsSync(path.join(app, 'pages/api/made.ts'))).toBe(true);
    expectSecondRunChangesNothing(app);
  });
});
