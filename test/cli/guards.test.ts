/**
 * Guards in other modules (`const session = await requireSession(req, res); if (!session) return;`): the run adds a
 * twin that returns the Response where the guard answered, the routes return it, a route whose call is used any
 * other way stays with its reason, and Pages code keeps the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, expectSecondRunChangesNothing, makeApp, migrateApp, read, removeTempDirs, requireBuild, runCli, writeFiles } from './helpers.js';

const GUARDS = `import type { NextApiRequest, NextApiResponse } from 'next'

export function requireApiKey(req: NextApiRequest, res: NextApiResponse, scope = 'read'): boolean {
  if (req.headers['x-api-key'] !== scope + '-key') {
    res.status(401).json({ error: 'no key' })
    return false
  }
  return true
}

export async function loadTeam(req: NextApiRequest, res: NextApiResponse) {
  const team = await findTeam(String(req.headers['x-team']))
  if (!team) {
    res.status(404).json({ error: 'no such team' })
    return null
  }
  return team
}

async function findTeam(slug: string) {
  return slug === 'acme' ? { slug } : null
}
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/guards.ts': GUARDS,
  'pages/api/team.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { loadTeam, requireApiKey } from '@/lib/guards'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!requireApiKey(req, res)) return
  const team = await loadTeam(req, res)
  if (!team) return
  res.status(200).json({ team })
}
`,
  'pages/api/audit.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { loadTeam } from '@/lib/guards'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const team = await loadTeam(req, res)
  console.log('audit', team)
  if (!team) return
  res.status(200).json({ team })
}
`,
  'pages/teams.tsx': `import type { GetServerSideProps } from 'next'
import { loadTeam } from '../lib/guards'
export const getServerSideProps: GetServerSideProps = async ({ req, res }) => ({ props: { team: await loadTeam(req as any, res as any) } })
export default function Teams() { return null }
`,
};

describe('guards in other modules', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('adds twins that answer or pass the value on, the routes return their answers, and a second run changes nothing', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code).toBe(0);
    const guards = read('lib/guards.ts');
    // The originals stay for the page.
    expect(guards).toContain(GUARDS.split('\n').slice(2, 9).join('\n'));
    expect(guards).toContain(`export async function loadTeamForRoute(request: NextRequest) {
  const xTeam = request.headers.get('x-team') ?? undefined
  const team = await findTeam(String(xTeam))
  if (!team) {
    return new GuardAnswer(NextResponse.json({ error: 'no such team' }, { status: 404 }))
  }
  return team
}`);
    expect(guards).toContain('export function requireApiKeyForRoute(request: NextRequest, scope = \'read\'): boolean | GuardAnswer {');
    const route = read('app/api/team/route.ts');
    expect(route).toContain(`const requireApiKeyAnswer = requireApiKeyForRoute(request)
  if (requireApiKeyAnswer instanceof GuardAnswer) return requireApiKeyAnswer.response
  if (!requireApiKeyAnswer) return
  const team = await loadTeamForRoute(request)
  if (team instanceof GuardAnswer) return team.response
  if (!team) return
  return NextResponse.json({ team })`);
    // Pages ran the log after loadTeam had answered: that route stays, with its reason.
    const audit = report.files.find((f: { source: string }) => f.source === 'pages/api/audit.ts');
    expect(audit.status).toBe('left');
    expect(audit.reasons[0].detail).toContain('loadTeam');
    expect(report.updates).toEqual([{ path: 'lib/guards.ts', twins: ['loadTeamForRoute', 'requireApiKeyForRoute'] }]);
    expectSecondRunChangesNothing(app);
  });

  it('follows the checks that end the handler for every value that says answered, and no other', () => {
    const handler = (check: string) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { loadTeam } from '@/lib/guards'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const team = await loadTeam(req, res)
  ${check}
  res.status(200).json({ team })
}
`;
    const checks: Record<string, string> = {
      'or.ts': 'if (!team || !team.slug) return',
      'optional.ts': "if (team?.slug !== 'acme') return res.status(403).json({ error: 'not acme' })",
      'not-optional.ts': 'if (!team?.slug) { return }',
      'throws.ts': "if (!team) throw new Error('no team')",
      // Where loadTeam had answered, these ran code (a log, a computed message) in Pages before the handler ended.
      'logs.ts': 'if (!team) { console.log(req.url); return }',
      'computed.ts': 'if (!team) throw new Error(`no team ${req.url}`)',
      // team.slug of null throws before the test: not a check of answered values.
      'plain-member.ts': "if (team.slug !== 'acme') return",
      'loose.ts': 'if (team?.slug !== undefined) return',
    };
    const { report, read } = migrateApp({
      'tsconfig.json': files['tsconfig.json'],
      'lib/guards.ts': GUARDS,
      ...Object.fromEntries(Object.entries(checks).map(([file, check]) => [`pages/api/${file}`, handler(check)])),
      'pages/api/tested-throws.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { requireApiKey } from '@/lib/guards'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!requireApiKey(req, res)) throw new Error('no key')
  res.status(200).json({ ok: true })
}
`,
    });
    const status = Object.fromEntries(report.files.map((f: { source: string; status: string }) => [f.source.replace('pages/api/', ''), f.status]));
    expect(status).toEqual({
      'computed.ts': 'left',
      'logs.ts': 'left',
      'loose.ts': 'left',
      'not-optional.ts': 'migrated',
      'optional.ts': 'migrated',
      'or.ts': 'migrated',
      'plain-member.ts': 'left',
      'tested-throws.ts': 'migrated',
      'throws.ts': 'migrated',
    });
    expect(read('app/api/optional/route.ts')).toContain(`  const team = await loadTeamForRoute(request)
  if (team instanceof GuardAnswer) return team.response
  if (team?.slug !== 'acme') return NextResponse.json({ error: 'not acme' }, { status: 403 })`);
    expect(read('app/api/tested-throws/route.ts')).toContain(`  const requireApiKeyAnswer = requireApiKeyForRoute(request)
  if (requireApiKeyAnswer instanceof GuardAnswer) return requireApiKeyAnswer.response
  if (!requireApiKeyAnswer) throw new Error('no key')`);
    expect(read('app/api/throws/route.ts')).toContain(`  if (team instanceof GuardAnswer) return team.response
  if (!team) throw new Error('no team')`);
  });

  it("gives a session guard's twin the route's headers, and a later run reuses that twin for a new route", () => {
    const session = {
      'tsconfig.json': files['tsconfig.json'],
      'lib/session-guard.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { getServerSession } from 'next-auth/next'
import { authOptions } from '@/lib/auth-options'

export async function requireSession(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions)
  if (!session) {
    res.status(401).json({ error: 'sign in' })
    return null
  }
  return session
}
`,
      'lib/auth-options.ts': `export const authOptions = { providers: [] }\n`,
      'pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { requireSession } from '@/lib/session-guard'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await requireSession(req, res)
  if (!session) return
  res.status(200).json({ user: session.user })
}
`,
    };
    const app = makeApp(session);
    expect(runCli(['run', app, '--yes', '--next', '15.5.29']).code).toBe(0);
    commitAll(app);
    const afterFirst = read(app, 'lib/session-guard.ts');
    expect(afterFirst).toContain(`export async function requireSessionForRoute(request: NextRequest, headers: Headers) {
  const session = await getServerSession(nextAuthRequest(request), nextAuthResponse(headers), authOptions)`);
    expect(read(app, 'app/api/me/route.ts')).toContain('const session = await requireSessionForRoute(request, headers)');
    // A second route, migrated by a later run: the first run's twin (and its compat import) is the one it calls.
    writeFiles(app, { 'pages/api/teams.ts': session['pages/api/me.ts'].replace('{ user: session.user }', '{ teams: [], user: session.user }') });
    commitAll(app);
    expect(runCli(['run', app, '--yes', '--next', '15.5.29']).code).toBe(0);
    expect(read(app, 'lib/session-guard.ts')).toBe(afterFirst);
    expect(read(app, 'app/api/teams/route.ts')).toContain('const session = await requireSessionForRoute(request, headers)');
  });
});
