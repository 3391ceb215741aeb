/**
 * Helpers in other modules that take the Pages request and no response. One that reads `req.query` gets a twin that
 * takes the route's query (its route params merged in) as a last parameter, which each route passes; the original
 * stays for the Pages code that still calls it. One the tool cannot rewrite leaves its routes with a reason that names
 * the helper and what stopped it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const AUTH = `import type { NextApiRequest } from 'next'

export function verifyCronAuth(req: NextApiRequest): boolean {
  const key = req.query.key ?? req.headers['x-cron-key']
  return key === process.env.CRON_SECRET
}

export function clientIp(req: NextApiRequest): string {
  return req.socket.remoteAddress ?? 'unknown'
}

export function forwardedIp(req: any): string {
  const forwarded = req.headers['x-forwarded-for']
  if (typeof forwarded === 'string') return forwarded.split(',')[0]
  return req.socket.remoteAddress ?? 'unknown'
}

export function stamp(req: NextApiRequest) {
  req.body = { ...req.body, at: Date.now() }
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/auth.ts': AUTH,
  'pages/api/jobs/[job].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { verifyCronAuth } from '@/lib/auth'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!verifyCronAuth(req)) return res.status(401).json({ error: 'Unauthorized' })
  res.status(200).json({ job: req.query.job })
}
`,
  'pages/api/ip.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { clientIp } from '@/lib/auth'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ ip: clientIp(req) })
}
`,
  'pages/api/forwarded-ip.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { forwardedIp } from '@/lib/auth'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ ip: forwardedIp(req) })
}
`,
  'pages/api/stamped.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { stamp } from '@/lib/auth'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  stamp(req)
  res.status(200).json(req.body)
}
`,
  'pages/jobs.tsx': `import type { GetServerSideProps } from 'next'
import { verifyCronAuth } from '@/lib/auth'

export const getServerSideProps: GetServerSideProps = async ({ req, query }) => ({ props: { ok: verifyCronAuth({ ...req, query } as never) } })
export default function Jobs({ ok }: { ok: boolean }) { return ok ? 'ok' : 'no' }
`,
};

describe('helpers in other modules that take only the request', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it("gives a helper that reads req.query a twin taking the route's query, which the route passes, and keeps the original", () => {
    const { result, report, read, app } = migrateApp(files);
    expect(result.code).toBe(0);
    const auth = read('lib/auth.ts');
    // The original stays as it was, for the page's getServerSideProps.
    expect(auth).toContain(AUTH.split('\n').slice(2, 6).join('\n'));
    expect(auth).toContain(`export function verifyCronAuthForRoute(request: NextRequest, query: Partial<{ [key: string]: string | string[] }>): boolean {
  const xCronKey = request.headers.get('x-cron-key') ?? undefined
  const key = query.key ?? xCronKey
  return key === process.env.CRON_SECRET
}`);
    const route = read('app/api/jobs/[job]/route.ts');
    expect(route).toContain("import { verifyCronAuthForRoute } from '@/lib/auth'");
    expect(route).toContain(`  const params = await context.params
  const query = pagesQuery(request, params)
  if (!verifyCronAuthForRoute(request, query)) return NextResponse.json({ error: 'Unauthorized' }, { status: 401 })`);
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/jobs/[job].ts').status).toBe('migrated');
    expectSecondRunChangesNothing(app);
  });

  it("gives a helper (its req typed any) that falls back to the socket's address after x-forwarded-for a twin reading that header, and says so", () => {
    // Its locals are typed any, as every read of its request was.
    const { report, read } = migrateApp(files);
    expect(read('lib/auth.ts')).toContain(`export function forwardedIpForRoute(request: NextRequest): string {
  const forwarded: any = request.headers.get('x-forwarded-for') ?? undefined
  const remoteAddress: any = request.headers.get('x-forwarded-for')
  if (typeof forwarded === 'string') return forwarded.split(',')[0]
  return remoteAddress ?? 'unknown';
}`);
    expect(read('app/api/forwarded-ip/route.ts')).toContain('return NextResponse.json({ ip: forwardedIpForRoute(request) })');
    const entry = report.files.find((f: { source: string }) => f.source === 'pages/api/forwarded-ip.ts');
    expect(entry.status).toBe('migrated');
    expect(entry.notes).toEqual([
      "forwardedIp() of lib/auth.ts, line 15: req.socket.remoteAddress became the x-forwarded-for header it falls back from: Next's server sets that header to the socket's address when a request has none, so the address is the same then; a request that brings the header itself, empty or in a form the code passes over, gets its value where Pages gave the socket's address",
    ]);
  });

  it('passes the body and the query on to a helper another helper or a wrapper of its module calls', () => {
    const { result, report, read, app } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/webhooks.ts': `import type { NextApiRequest, NextApiResponse } from 'next'

function signed(req: NextApiRequest, secret: string, raw?: string): boolean {
  const payload = raw ?? JSON.stringify(req.body)
  return req.headers['x-signature'] === secret + ':' + payload.length
}

export function verifyWebhook(provider: 'a' | 'b', req: NextApiRequest): boolean {
  if (provider === 'a') return signed(req, 'secret-a')
  return req.query.token === 'b-token'
}

function isCron(req: NextApiRequest): boolean {
  return req.query.key === process.env.CRON_SECRET
}

export function withCron(handler: (req: NextApiRequest, res: NextApiResponse, context: { cron: boolean }) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!isCron(req)) return res.status(401).json({ error: 'cron only' })
    return handler(req, res, { cron: true })
  }
}
`,
      'pages/api/hooks/[provider].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { verifyWebhook } from '@/lib/webhooks'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end()
  if (!verifyWebhook(req.query.provider === 'a' ? 'a' : 'b', req)) return res.status(401).json({ ok: false })
  res.status(200).json({ ok: true, event: req.body.type })
}
`,
      'pages/api/digest.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { withCron } from '@/lib/webhooks'

export default withCron(async (req: NextApiRequest, res: NextApiResponse, context: { cron: boolean }) => {
  res.status(200).json({ cron: context.cron, day: req.query.day ?? null })
})
`,
    });
    expect(result.code, result.stderr).toBe(0);
    const lib = read('lib/webhooks.ts');
    // The helper's call of the module's other helper passes the body and the query it was given in turn.
    expect(lib).toContain(`function signedForRoute(request: NextRequest, secret: string, raw: string | undefined, body: any): boolean {
  const xSignature = request.headers.get('x-signature') ?? undefined
  const payload = raw ?? JSON.stringify(body)`);
    // (Its parameter list, changed, is reprinted on several lines.)
    expect(lib).toMatch(/export function verifyWebhookForRoute\(\s*provider: 'a' \| 'b',\s*request: NextRequest,\s*body: any,\s*query: Partial<\{ \[key: string\]: string \| string\[\] \}>\s*\): boolean \{\n  if \(provider === 'a'\) return signedForRoute\(request, 'secret-a', undefined, body\);\n  return query\.token === 'b-token';\n\}/);
    // The wrapper's call passes the query it reads from the route's context; an extra parameter named context does
    // not clash with the twin's own in the handler's type.
    expect(lib).toContain(`export function withCronRoute<Context>(handler: (request: NextRequest, routeContext: Context, context: { cron: boolean }) => Response | undefined | Promise<Response | undefined>) {`);
    expect(lib).toContain(`    const query = pagesQuery(request, params)
    if (!isCronForRoute(request, query)) return NextResponse.json({ error: 'cron only' }, { status: 401 })`);
    expect(read('app/api/hooks/[provider]/route.ts')).toContain("verifyWebhookForRoute(query.provider === 'a' ? 'a' : 'b', request, body, query)");
    for (const source of ['pages/api/hooks/[provider].ts', 'pages/api/digest.ts']) expect(report.files.find((f: { source: string }) => f.source === source).status, source).toBe('migrated');
    expectSecondRunChangesNothing(app);
  });

  it('leaves the routes of a helper it cannot rewrite, saying which helper and what stops it', () => {
    const { report } = migrateApp(files);
    const reasons = (source: string) => report.files.find((f: { source: string }) => f.source === source).reasons.map((r: { code: string; detail: string }) => [r.code, r.detail]);
    expect(reasons('pages/api/ip.ts')).toEqual([['REQ_ESCAPES', "req is passed to clientIp(), a helper of '@/lib/auth': it uses req as a handler could not (req.socket)"]]);
    expect(reasons('pages/api/stamped.ts')).toEqual([['REQ_ESCAPES', "req is passed to stamp(), a helper of '@/lib/auth': it writes req.body"]]);
  });

  it('says when a guard is called in a shape the tool does not follow', () => {
    const { report } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/guards.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { track } from 'analytics'

export function requireKey(req: NextApiRequest, res: NextApiResponse): boolean {
  if (req.headers['x-key'] !== 'k') {
    res.status(401).json({ error: 'key' })
    return false
  }
  return true
}

export function trackAndCheck(req: NextApiRequest, res: NextApiResponse) {
  track(req)
  return requireKey(req, res)
}
`,
      'pages/api/compound.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { requireKey } from '@/lib/guards'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const cron = req.headers['x-cron'] === '1'
  if (!cron && !requireKey(req, res)) return
  res.status(200).json({ ok: true })
}
`,
      'pages/api/tracked.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { trackAndCheck } from '@/lib/guards'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!trackAndCheck(req, res)) return
  res.status(200).json({ ok: true })
}
`,
    });
    const reasons = (source: string) => report.files.find((f: { source: string }) => f.source === source).reasons.map((r: { code: string; detail: string }) => [r.code, r.detail]);
    expect(reasons('pages/api/compound.ts')).toEqual([
      ['REQ_ESCAPES', "req is passed to requireKey(), a guard of '@/lib/guards' in a condition the tool does not follow (it follows `if (!(await requireKey(req, res))) return;` and `const value = await requireKey(req, res); if (!value) return;`, nothing between the call and its check)"],
    ]);
    // A helper taking req and res that is no guard the tool follows: named, without a why yet.
    expect(reasons('pages/api/tracked.ts')).toEqual([['REQ_ESCAPES', 'req is passed to trackAndCheck()']]);
  });
});
