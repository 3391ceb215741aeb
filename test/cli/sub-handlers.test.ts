/**
 * Sub-handlers of other modules: a handler that does its own work, then hands `(req, res)` and other values to a
 * function of a project module that reads the request and answers (`return await handleGet(req, res, id)`). The
 * function gets a route-handler twin in its module, one function for every method, and the route returns its answer.
 * What cannot be followed is left with a reason that says which call and why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const HANDLERS = `import type { NextApiRequest, NextApiResponse } from 'next'

export async function handleGet(req: NextApiRequest, res: NextApiResponse, id: string) {
  const q = req.query.q ?? null
  return res.status(200).json({ id, routeId: req.query.id, q })
}

export async function handleCreate(req: NextApiRequest, res: NextApiResponse, id: string, owner: string) {
  if (!req.body?.name) return res.status(400).json({ error: 'name is required' })
  res.setHeader('X-Created', id)
  return res.status(201).json({ id, owner, name: req.body.name })
}

export async function handleList(req: NextApiRequest, res: NextApiResponse, label: string) {
  return res.status(200).json({ label, agent: req.headers['user-agent'] ?? null })
}
`;

const LEFT = `import type { NextApiRequest, NextApiResponse } from 'next'

export async function handleByMethod(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'GET') return res.status(200).json({ get: true })
  return res.status(200).json({ other: true })
}

export async function handleAudit(req: NextApiRequest, res: NextApiResponse) {
  audit(req)
  return res.status(200).json({ ok: true })
}

export async function handleCount(req: NextApiRequest, res: NextApiResponse) {
  return res.status(200).json({ count: Number(req.query.n ?? 0) })
}

export async function handlePing(req: NextApiRequest, res: NextApiResponse) {
  return res.status(200).json({ pong: req.headers.host ?? null })
}

export async function handleEcho(req: NextApiRequest, res: NextApiResponse) {
  return res.status(200).json({ echo: req.body })
}

function audit(req: NextApiRequest) {
  console.log(req.url)
}
`;

const handler = (imports: string, body: string) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { ${imports} } from '@/lib/left'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
${body}
}
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/items/handlers.ts': HANDLERS,
  'lib/items/index.ts': `export { handleGet, handleCreate, handleList } from './handlers'\n`,
  'lib/left.ts': LEFT,
  'pages/api/items/[id].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { handleGet, handleCreate } from '@/lib/items/handlers'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.headers.authorization !== 'Bearer ok') return res.status(401).json({ error: 'unauthorized' })
  const id = String(req.query.id)
  res.setHeader('X-Route', 'items')
  switch (req.method) {
    case 'GET':
      return await handleGet(req, res, id)
    case 'POST':
      return handleCreate(req, res, id, req.headers['x-owner'] as string)
    default:
      res.status(405).json({ error: 'Method Not Allowed' })
  }
}
`,
  // Through a barrel, inside a try: the twin comes from its module, awaited so that the catch still sees its errors.
  'pages/api/list/index.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { handleList } from '../../../lib/items'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  try {
    await handleList(req, res, 'all')
  } catch (error) {
    res.status(500).json({ error: String(error) })
  }
}
`,
  // Another dynamic segment: handleList reads no query, so the two routes share its twin.
  'pages/api/list/[slug].ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { handleList } from '@/lib/items/handlers'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const label = String(req.query.slug)
  return handleList(req, res, label)
}
`,
  'pages/api/left/after.ts': handler('handlePing', '  if (req.query.quick) return handlePing(req, res)\n  await handlePing(req, res)\n  console.log(\'pinged\')'),
  // Never where the handler may end: a helper's call (`instrumentApiResponse(req, res)`), no sub-handler's.
  'pages/api/left/helper.ts': handler('handlePing', '  await handlePing(req, res)\n  console.log(\'pinged\')'),
  'pages/api/left/method.ts': handler('handleByMethod', '  res.setHeader(\'X-By\', \'method\')\n  return handleByMethod(req, res)'),
  'pages/api/left/audit.ts': handler('handleAudit', '  if (!req.headers.host) return res.status(400).end()\n  return handleAudit(req, res)'),
  'pages/api/left/body.ts': handler('handleEcho', '  if (!req.body) return res.status(400).end()\n  return handleEcho(req, res)'),
  'pages/api/left/try.ts': handler('handlePing', '  try {\n    return handlePing(req, res)\n  } catch {\n    res.status(500).end()\n  }'),
  'pages/api/left/a/[x].ts': handler('handleCount', '  if (!req.headers.authorization) return res.status(401).end()\n  return await handleCount(req, res)'),
  'pages/api/left/b/[y].ts': handler('handleCount', '  if (!req.headers.authorization) return res.status(401).end()\n  return await handleCount(req, res)'),
};

describe('sub-handlers of other modules', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('twins the function in its module as one function for every method, the route returns its answer, and what it cannot follow is left with why', () => {
    const { app, result, report: json, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    // Extra arguments as written, the route's context for the twin's req.query, the route's headers on the answer.
    const items = read('app/api/items/[id]/route.ts');
    expect(items).toContain(`import { handleGetRoute, handleCreateRoute } from '@/lib/items/handlers'`);
    expect(items).toContain(`export async function GET(request: NextRequest, context: Context) {`);
    expect(items).toContain(`  return withHeaders(await handleGetRoute(request, context, id), headers)`);
    // The body, parsed by the route before its own code as Pages parsed it before the handler, passed to the twin.
    expect(items).toContain(`export async function POST(request: NextRequest, context: Context) {\n  const params = await context.params\n  const body = await readPagesBody(request)\n  if (body instanceof Response) return body\n`);
    expect(items).toContain(`  return withHeaders(await handleCreateRoute(request, context, id, xOwner as string, body), headers)`);

    const module = read('lib/items/handlers.ts');
    // The originals stay byte for byte, for Pages code and other importers.
    for (const fn of HANDLERS.split('\n\n').slice(1)) expect(module).toContain(fn.trim());
    // A dynamic segment read inside the twin comes from the route's params.
    expect(module).toContain(`type HandleGetContext = { params: Promise<{ id: string }> };`);
    expect(module).toMatch(/export async function handleGetRoute\((request\d*): NextRequest, context: HandleGetContext, id: string\) \{\n  const (params\d*) = await context.params\n  const query = pagesQuery\(\1, \2\)\n/);
    // A body read inside the twin: it takes the body the route parsed, last; every parameter kept.
    expect(module).toMatch(/export async function handleCreateRoute\(\s*_request\d*: NextRequest,\s*_context: HandleCreateContext,\s*id: string,\s*owner: string,\s*body: any,?\s*\) \{\n  const headers = new Headers\(\)\n  if \(!body\?\.name\)/);
    expect(module).toContain(`// Route-handler version of handleCreate, which routes call: returns a Response instead of sending it (next-pages-api-migrate).`);

    // Through a barrel: the twin from its module; in a try, awaited.
    const list = read('app/api/list/route.ts');
    expect(list).toContain(`import { handleListRoute } from '../../../lib/items/handlers'`);
    expect(list).toContain(`    return await handleListRoute(request, undefined, 'all')`);
    expect(read('lib/items/index.ts')).toBe(files['lib/items/index.ts']);
    expect(read('app/api/list/[slug]/route.ts')).toContain(`  return await handleListRoute(request, context, label)`);
    expect(module.match(/export async function handleListRoute\(/g)).toHaveLength(1);

    const reasons = Object.fromEntries(json.files.filter((f: { status: string }) => f.status === 'left').map((f: { source: string; reasons: Array<{ code: string; detail: string }> }) => [f.source, `${f.reasons[0].code}: ${f.reasons[0].detail}`]));
    expect(reasons).toEqual({
      'pages/api/left/after.ts': 'SUB_HANDLER_NOT_FOLLOWED: handlePing(req, res, …) is called where code of the handler runs after it',
      'pages/api/left/helper.ts': 'REQ_ESCAPES: req is passed to handlePing()',
      'pages/api/left/method.ts': 'SUB_HANDLER_NOT_FOLLOWED: in lib/left.ts: handleByMethod() tests req.method itself, where the route that calls it needs one version for every method',
      'pages/api/left/audit.ts': "REQ_ESCAPES: in lib/left.ts: req is passed to audit(), a function of this file: the module's Pages handler calls it too",
      'pages/api/left/try.ts': 'SUB_HANDLER_NOT_FOLLOWED: handlePing(req, res, …) is returned inside a try without await: its rejection skipped the catch',
      'pages/api/left/a/[x].ts': expect.stringMatching(/^HANDLER_MODULE_SHARED: lib\/left.ts export handleCount reads req.query, and routes with different dynamic segments call it: /),
      'pages/api/left/b/[y].ts': expect.stringMatching(/^HANDLER_MODULE_SHARED: lib\/left.ts export handleCount reads req.query/),
    });
    for (const left of Object.keys(reasons)) expect(existsSync(path.join(app, left))).toBe(true);
    // The handler and the twin both read the body: the route reads it once and passes it on.
    expect(read('app/api/left/body/route.ts')).toContain(`  if (!body) return new Response(null, { status: 400 })\n  return await handleEchoRoute(request, undefined, body)\n`);
    // Only the twins that migrated routes call are written.
    expect(json.updates.map((u: { path: string; twins: string[] }) => [u.path, [...u.twins].sort()])).toEqual([
      ['lib/items/handlers.ts', ['handleCreateRoute', 'handleGetRoute', 'handleListRoute']],
      ['lib/left.ts', ['handleEchoRoute']],
    ]);

    expectSecondRunChangesNothing(app);
  });
});
