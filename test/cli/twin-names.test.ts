/**
 * Twin names in a module: a name is taken for a twin only when the twin is written. A function that gets no twin (it
 * takes res, but neither answers on every path nor guards) leaves `…Route` and `…ForRoute` free, so that the names
 * the routes are told when the run looks at every helper they import are the names the module update writes for the
 * helpers the migrated routes use. And a function exported under two names (`export default requireUser` too) gets
 * one twin, whichever of its names the routes import.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const AUDIT = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'

// Takes res but has no twin: it answers on no path, and gives the caller a fetch.
export async function audit(req: NextApiRequest, res: NextApiResponse) {
  res.setHeader('x-audited', String(req.headers['x-user']))
  return fetch('https://audit.example.test', { method: 'POST' })
}

export function auditFor(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!req.headers['x-user']) return res.status(401).json({ error: 'who?' })
    return handler(req, res)
  }
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/audit.ts': AUDIT,
  'pages/api/report.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { auditFor } from '@/lib/audit'

export default auditFor((req: NextApiRequest, res: NextApiResponse) => res.status(200).json({ ok: true }))
`,
  'pages/api/log.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { audit } from '@/lib/audit'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await audit(req, res)
  res.status(200).json({ logged: true })
}
`,
};

const AUTH = `import type { NextApiRequest, NextApiResponse } from 'next'

export async function requireUser(req: NextApiRequest, res: NextApiResponse) {
  const auth = req.headers.authorization
  if (!auth) {
    res.status(401).json({ error: 'no token' })
    return null
  }
  return { token: auth }
}

export default requireUser
`;

const twoNames = {
  'tsconfig.json': files['tsconfig.json'],
  'lib/auth.ts': AUTH,
  // Work between the call and its check: left, and its import of the default export is no twin's.
  'pages/api/a.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import requireUser from '@/lib/auth'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = await requireUser(req, res)
  console.log('checked')
  if (!user) return
  res.status(200).json({ user })
}
`,
  'pages/api/b.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { requireUser } from '@/lib/auth'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = await requireUser(req, res)
  if (!user) return
  res.status(200).json({ user })
}
`,
};

describe('twin names', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('takes no name for a function that gets no twin: the route imports the twin the module update writes', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code).toBe(0);
    const statuses = Object.fromEntries(report.files.map((f: { source: string; status: string }) => [f.source, f.status]));
    expect(statuses).toMatchObject({ 'pages/api/report.ts': 'migrated', 'pages/api/log.ts': 'left' });
    const module = read('lib/audit.ts');
    expect(module).toContain('export function auditForRoute<Context>(');
    expect(module).not.toMatch(/auditForRoute2|auditForRoute\b[^<]/);
    expect(read('app/api/report/route.ts')).toContain("import { auditForRoute } from '@/lib/audit'");
    expectSecondRunChangesNothing(app);
  });

  it('gives a function exported under two names one twin: the route of the one name migrates when the other stays', () => {
    const { app, result, report, read } = migrateApp(twoNames);
    expect(result.code).toBe(0);
    const statuses = Object.fromEntries(report.files.map((f: { source: string; status: string }) => [f.source, f.status]));
    expect(statuses).toEqual({ 'pages/api/a.ts': 'left', 'pages/api/b.ts': 'migrated' });
    const module = read('lib/auth.ts');
    expect(module.match(/export async function requireUserForRoute\w*\(/g)).toEqual(['export async function requireUserForRoute(']);
    expect(read('app/api/b/route.ts')).toContain("import { requireUserForRoute } from '@/lib/auth'");
    expect(report.updates.map((u: { path: string; twins: string[] }) => [u.path, u.twins])).toEqual([['lib/auth.ts', ['requireUserForRoute']]]);
    expectSecondRunChangesNothing(app);
  });
});
