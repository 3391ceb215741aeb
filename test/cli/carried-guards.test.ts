/**
 * Guards and request helpers that take req (and res) inside one object (`verifyUser({ req, res })`,
 * `verifyToken({ req })`), across modules: a guard's twin calls the twin of the request helper it imports, which
 * calls the twin of the next one (whose next-auth getToken gets next-auth's request), each module gets its twin, the
 * routes call them, a call that passes more is left with its reason, and a second run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/token-from-request.ts': `import type { NextApiRequest } from 'next'
import { getToken, type JWT } from 'next-auth/jwt'

export default async function tokenFromRequest(req: NextApiRequest): Promise<JWT | null> {
  const authorization = req.headers.authorization
  if (authorization?.startsWith('Bearer ')) return getToken({ req: { headers: { authorization }, cookies: {} } as NextApiRequest })
  return getToken({ req })
}
`,
  'lib/verify-token.ts': `import type { NextApiRequest } from 'next'
import tokenFromRequest from './token-from-request'

export default async function verifyToken({ req }: { req: NextApiRequest }) {
  const token = await tokenFromRequest(req)
  if (!token?.sub) return 'You must be signed in.'
  return token
}
`,
  'lib/verify-user.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import verifyToken from './verify-token'

type Props = { req: NextApiRequest; res: NextApiResponse }

export default async function verifyUser({ req, res }: Props) {
  const token = await verifyToken({ req })
  if (typeof token === 'string') {
    res.status(401).json({ response: token })
    return null
  }
  return { id: token.sub }
}
`,
  'lib/session-guard.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { authOptions } from '@/lib/auth-options'

export async function requireSession(ctx: { req: NextApiRequest; res: NextApiResponse }) {
  const session = await getServerSession(ctx.req, ctx.res, authOptions)
  if (!session) {
    ctx.res.status(401).json({ error: 'sign in' })
    return null
  }
  return session
}
`,
  'lib/auth-options.ts': `export const authOptions = { providers: [] }\n`,
  'pages/api/links.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import verifyUser from '@/lib/verify-user'

export default async function links(req: NextApiRequest, res: NextApiResponse) {
  const user = await verifyUser({ req, res })
  if (!user) return
  res.status(200).json({ links: [], user })
}
`,
  'pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import verifyToken from '@/lib/verify-token'

export default async function me(req: NextApiRequest, res: NextApiResponse) {
  const token = await verifyToken({ req })
  if (typeof token === 'string') return res.status(401).json({ response: token })
  res.status(200).json({ id: token.sub })
}
`,
  'pages/api/session.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { requireSession } from '@/lib/session-guard'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await requireSession({ req, res })
  if (!session) return
  res.status(200).json({ user: session.user })
}
`,
  // Its own answer where the guard gave nothing: where the guard had answered, Pages' second send ended the handler.
  'pages/api/users.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import verifyUser from '@/lib/verify-user'

export default async function users(req: NextApiRequest, res: NextApiResponse) {
  const user = await verifyUser({ req, res })
  if (!user) return res.status(401).json({ response: 'Unauthorized' })
  res.status(200).json({ user })
}
`,
  // Work between the call and its check ran in Pages after the guard's answer: the route is left.
  'pages/api/audit.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import verifyUser from '@/lib/verify-user'

export default async function audit(req: NextApiRequest, res: NextApiResponse) {
  const user = await verifyUser({ req, res })
  console.log('audit', user)
  if (!user) return
  res.status(200).json({ user })
}
`,
  'pages/profile.tsx': `import type { GetServerSideProps } from 'next'
import verifyUser from '../lib/verify-user'
export const getServerSideProps: GetServerSideProps = async ({ req, res }) => ({ props: { user: await verifyUser({ req: req as any, res: res as any }) } })
export default function Profile() { return null }
`,
};

describe('guards and request helpers that take req in an object', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('twins them through the modules they call, the routes call the twins, and a second run changes nothing', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code).toBe(0);
    const statuses = Object.fromEntries(report.files.map((f: { source: string; status: string }) => [f.source, f.status]));
    expect(statuses).toEqual({ 'pages/api/audit.ts': 'left', 'pages/api/links.ts': 'migrated', 'pages/api/me.ts': 'migrated', 'pages/api/session.ts': 'migrated', 'pages/api/users.ts': 'migrated' });
    const audit = report.files.find((f: { source: string }) => f.source === 'pages/api/audit.ts');
    expect(audit.reasons.map((r: { code: string; detail: string }) => `${r.code}: ${r.detail}`)).toEqual([
      'REQ_ESCAPES: req is passed to verifyUser() in an object: its route-handler version verifyUserForRoute() is called only where the value is checked at once (`const x = await verifyUser({ req, res }); if (!x) return;` or `if (!(await verifyUser({ req, res }))) return;`, or such a return of a send whose arguments run nothing)',
    ]);
    expect(read('app/api/users/route.ts')).toContain(`const user = await verifyUserForRoute(request)
  if (user instanceof GuardAnswer) return user.response
  if (!user) return NextResponse.json({ response: 'Unauthorized' }, { status: 401 })`);
    expect(report.updates).toEqual([
      { path: 'lib/session-guard.ts', twins: ['requireSessionForRoute'] },
      { path: 'lib/token-from-request.ts', twins: ['tokenFromRequestForRoute'] },
      { path: 'lib/verify-token.ts', twins: ['verifyTokenForRoute'] },
      { path: 'lib/verify-user.ts', twins: ['verifyUserForRoute'] },
    ]);
    // The originals stay, for the page.
    expect(read('lib/verify-user.ts')).toContain(files['lib/verify-user.ts'].split('\n').slice(5).join('\n'));
    expect(read('lib/verify-user.ts')).toContain(`import verifyToken, { verifyTokenForRoute } from './verify-token'`);
    expect(read('lib/verify-user.ts')).toContain(`export async function verifyUserForRoute(request: NextRequest) {
  const token = await verifyTokenForRoute(request)
  if (typeof token === 'string') {
    return new GuardAnswer(NextResponse.json({ response: token }, { status: 401 }))
  }
  return { id: token.sub }
}`);
    expect(read('lib/verify-token.ts')).toContain(`export async function verifyTokenForRoute(request: NextRequest) {
  const token = await tokenFromRequestForRoute(request)`);
    // The request it builds itself is not the handler's: it stays as it was.
    expect(read('lib/token-from-request.ts')).toContain(`export async function tokenFromRequestForRoute(request: NextRequest): Promise<JWT | null> {
  const authorization = request.headers.get('authorization') ?? undefined
  if (authorization?.startsWith('Bearer ')) return getToken({ req: { headers: { authorization }, cookies: {} } as NextApiRequest })
  return getToken({
    req: nextAuthRequest(request)
  });
}`);
    // A session guard of ctx.req and ctx.res: its twin takes the route's headers for next-auth's cookies.
    expect(read('lib/session-guard.ts')).toContain(`export async function requireSessionForRoute(request: NextRequest, headers: Headers) {
  const session = await getServerSession(nextAuthRequest(request), nextAuthResponse(headers), authOptions)`);
    expect(read('app/api/session/route.ts')).toContain('const session = await requireSessionForRoute(request, headers)');
    expect(read('app/api/links/route.ts')).toContain(`const user = await verifyUserForRoute(request)
  if (user instanceof GuardAnswer) return user.response
  if (!user) return`);
    expect(read('app/api/me/route.ts')).toContain('const token = await verifyTokenForRoute(request)');
    expectSecondRunChangesNothing(app);
  });
});
