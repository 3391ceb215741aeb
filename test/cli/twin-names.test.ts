/**
 * Twin names in a module: a name is taken for a twin only when the twin is written. A function that gets no twin (it
 * takes res, but neither answers on every path nor guards) leaves `…Route` and `…ForRoute` free, so that the names
 * the routes are told when the run looks at every helper they import are the names the module update writes for the
 * helpers the migrated routes use.
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
});
