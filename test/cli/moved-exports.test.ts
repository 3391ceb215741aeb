/**
 * A pages/api file that exports values besides its handler: they move to `shared.ts` in the route's folder, with
 * what they need (a cache the handler uses too is declared once, there), and every project file that imported them
 * from the old path imports the new module: a route migrated in the same run, a pages/api file left in place, a lib
 * module through the alias (one import dynamic), a component. An importer the tool cannot follow keeps the file.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, makeApp, migrateApp, removeTempDirs, reportPath, requireBuild, runCli, treeHash } from './helpers.js';

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'pages/api/servers/[userId].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { db } from '../../../lib/db'

export type ServerRow = { id: string; userId: string }

// Both the handler and the exported helper read it: it must exist once.
const cache = new Map<string, ServerRow[]>()

export async function findServersByUserIdSorted(userId: string): Promise<ServerRow[]> {
  if (!cache.has(userId)) cache.set(userId, await db.servers(userId))
  return cache.get(userId)!
}

export const logWebhookError = (context: string, error: unknown) => {
  console.error(context, error)
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  try {
    const servers = await findServersByUserIdSorted(req.query.userId as string)
    res.status(200).json({ servers, cached: cache.size })
  } catch (error) {
    logWebhookError('servers', error)
    res.status(500).json({ error: 'failed' })
  }
}
`,
  'lib/db.ts': `export const db = { servers: async (userId: string) => [{ id: '1', userId }] }\n`,
  'pages/api/billing.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { findServersByUserIdSorted } from './servers/[userId]'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ count: (await findServersByUserIdSorted('u1')).length })
}
`,
  'pages/api/legacy.ts': `import { logWebhookError } from '@/pages/api/servers/[userId]'

export default function handler(req, res) {
  logWebhookError('legacy', new Error('x'))
  res.json(inspect(req))
}
function inspect(req) { req.query = { ...req.query, seen: '1' }; return { query: req.query } }
`,
  'lib/jobs.ts': `import type { ServerRow } from '@/pages/api/servers/[userId]'

export async function sync(userId: string): Promise<ServerRow[]> {
  const { findServersByUserIdSorted } = await import('@/pages/api/servers/[userId]')
  return findServersByUserIdSorted(userId)
}
`,
  'components/servers.tsx': `import * as servers from "../pages/api/servers/[userId]"\nexport const log = servers.logWebhookError\n`,
};

describe('extra exports of a handler file', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('move beside the route, and every importer follows them', () => {
    const { app, result, report: json, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    expect(read('app/api/servers/[userId]/shared.ts')).toBe(`import { db } from '../../../../lib/db'

export type ServerRow = { id: string; userId: string }

// Both the handler and the exported helper read it: it must exist once.
export const cache = new Map<string, ServerRow[]>()

export async function findServersByUserIdSorted(userId: string): Promise<ServerRow[]> {
  if (!cache.has(userId)) cache.set(userId, await db.servers(userId))
  return cache.get(userId)!
}

export const logWebhookError = (context: string, error: unknown) => {
  console.error(context, error)
}
`);
    const route = read('app/api/servers/[userId]/route.ts');
    expect(route).toContain(`import { cache, findServersByUserIdSorted, logWebhookError } from './shared'`);
    expect(route).not.toContain('new Map');
    expect(route).not.toMatch(/export (const|async function) (logWebhookError|findServersByUserIdSorted)/);
    expect(read('app/api/billing/route.ts')).toContain(`import { findServersByUserIdSorted } from '../servers/[userId]/shared'`);
    // Left in place (req passed on), but its import follows the exports.
    expect(read('pages/api/legacy.ts')).toBe(files['pages/api/legacy.ts'].replace('@/pages/api/servers/[userId]', '@/app/api/servers/[userId]/shared'));
    expect(read('lib/jobs.ts')).toBe(files['lib/jobs.ts'].replaceAll('@/pages/api/servers/[userId]', '@/app/api/servers/[userId]/shared'));
    expect(read('components/servers.tsx')).toBe(files['components/servers.tsx'].replace('../pages/api/servers/[userId]', '../app/api/servers/[userId]/shared'));
    expect(existsSync(path.join(app, 'pages/api/servers'))).toBe(false);

    expect(json.files.find((f: { source: string }) => f.source === 'pages/api/servers/[userId].ts')).toMatchObject({
      status: 'migrated',
      moved: { module: 'app/api/servers/[userId]/shared.ts', exports: ['ServerRow', 'findServersByUserIdSorted', 'logWebhookError'] },
    });
    expect(json.updates).toEqual([
      { path: 'components/servers.tsx', twins: [], imports: ['app/api/servers/[userId]/shared.ts'] },
      { path: 'lib/jobs.ts', twins: [], imports: ['app/api/servers/[userId]/shared.ts'] },
      { path: 'pages/api/legacy.ts', twins: [], imports: ['app/api/servers/[userId]/shared.ts'] },
    ]);

    expectSecondRunChangesNothing(app);
  });

  it('--dry shows the new module and the importers as diffs, and writes nothing', () => {
    const app = makeApp(files);
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('diff --git a/app/api/servers/[userId]/shared.ts b/app/api/servers/[userId]/shared.ts\nnew file mode 100644');
    expect(result.stdout).toContain(`-import type { ServerRow } from '@/pages/api/servers/[userId]'\n+import type { ServerRow } from '@/app/api/servers/[userId]/shared'`);
    expect(result.stdout).toContain('lib/jobs.ts  imports from app/api/servers/[userId]/shared.ts');
    expect(treeHash(app)).toBe(before);
  });

  it('stay, with the file, when an importer takes the handler or names the path in a way the tool cannot rewrite', () => {
    for (const [importer, detail] of [
      [`import handler, { logWebhookError } from '../pages/api/servers/[userId]'\nexport { handler, logWebhookError }\n`, 'lib/x.ts imports its default export (the handler)'],
      [`import { vi } from 'vitest'\nvi.mock('@/pages/api/servers/[userId]')\n`, `lib/x.ts names it in a string the tool cannot rewrite ('@/pages/api/servers/[userId]')`],
    ]) {
      const app = makeApp({ ...files, 'lib/x.ts': importer });
      const report = reportPath();
      expect(runCli(['run', app, '--dry', '--next', '15.5.29', '--report', report]).code).toBe(0);
      const json = JSON.parse(readFileSync(report, 'utf8'));
      expect(json.files.find((f: { source: string }) => f.source === 'pages/api/servers/[userId].ts')).toMatchObject({
        status: 'left',
        reasons: [{ code: 'EXTRA_EXPORTS', detail: `export findServersByUserIdSorted: ${detail}` }],
      });
      // Nothing moves, and the importers are left as they are.
      expect(json.updates).toEqual([]);
    }
  });

  it('stay when another handler calls one of them with res: its route-handler twin goes into the file', () => {
    const app = makeApp({
      'pages/api/gitea/helper.ts': `export const redirectWithError = (res, error) => {\n  return res.redirect(307, '/settings?error=' + encodeURIComponent(error))\n}\nexport default function handler(req, res) {\n  res.json({ ok: true })\n}\n`,
      'pages/api/gitea/authorize.ts': `import { redirectWithError } from './helper'\nexport default function handler(req, res) {\n  return redirectWithError(res, 'denied')\n}\n`,
    });
    const report = reportPath();
    expect(runCli(['run', app, '--dry', '--next', '15.5.29', '--report', report]).code).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.files.map((f: { source: string; status: string }) => [f.source, f.status])).toEqual([
      ['pages/api/gitea/authorize.ts', 'migrated'],
      ['pages/api/gitea/helper.ts', 'left'],
    ]);
    expect(json.files[1].reasons[0]).toMatchObject({ code: 'EXTRA_EXPORTS', detail: expect.stringContaining('its route-handler twin goes into this file') });
    expect(json.updates).toEqual([{ path: 'pages/api/gitea/helper.ts', twins: ['redirectWithErrorResponse'] }]);
  });

  it('with --only leaving the file out, nothing moves and nothing is rewritten', () => {
    const app = makeApp(files);
    const result = runCli(['run', app, '--dry', '--next', '15.5.29', '--only', 'pages/api/billing.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`import { findServersByUserIdSorted } from '../../../pages/api/servers/[userId]'`);
    expect(result.stdout).not.toContain('shared');
  });

  it('take the top-level code along, which ran whenever the file was imported: the route imports the module for it', () => {
    const tsconfig = { 'tsconfig.json': `{ "compilerOptions": { "strict": true } }\n` };
    const jobs = `import type { NextApiRequest, NextApiResponse } from 'next'

const SECRET = process.env.JOB_SECRET
if (!SECRET) console.error('JOB_SECRET is not set')

export function sign(id: string) {
  return \`\${id}.\${SECRET}\`
}

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ signed: sign(String(req.query.id)) })
}
`;
    const ping = `import type { NextApiRequest, NextApiResponse } from 'next'

console.log('ping loaded')

export const VERSION = 2

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ ok: true })
}
`;
    const named = `import type { NextApiRequest, NextApiResponse } from 'next'

export const LABEL = 'named'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.json({ label: LABEL })
}

handler.label = LABEL
`;
    const use = `import { sign } from '../pages/api/jobs'\nimport { VERSION } from '../pages/api/ping'\nimport { LABEL } from '../pages/api/named'\n\nexport const all = [sign('a'), VERSION, LABEL]\n`;
    const { app, result, report, read } = migrateApp({ ...tsconfig, 'pages/api/jobs.ts': jobs, 'pages/api/ping.ts': ping, 'pages/api/named.ts': named, 'lib/use.ts': use });
    expect(result.code, result.stderr).toBe(0);
    expect(read('app/api/jobs/shared.ts')).toBe(`const SECRET = process.env.JOB_SECRET
if (!SECRET) console.error('JOB_SECRET is not set')

export function sign(id: string) {
  return \`\${id}.\${SECRET}\`
}
`);
    expect(read('app/api/jobs/route.ts')).toContain(`import { sign } from './shared'`);
    // The route reads nothing of the module, and loads it for its code.
    expect(read('app/api/ping/shared.ts')).toBe(`console.log('ping loaded')\n\nexport const VERSION = 2\n`);
    expect(read('app/api/ping/route.ts')).toContain(`import './shared'`);
    expect(read('lib/use.ts')).toContain(`import { sign } from '../app/api/jobs/shared'`);
    // Code that reads the handler stays with it: the file is left.
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/named.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'EXTRA_EXPORTS' }] });
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/named.ts').reasons[0].detail).toContain('the top-level code at line 9 needs handler, which stays with the handler');
    expectSecondRunChangesNothing(app);
  });
});
