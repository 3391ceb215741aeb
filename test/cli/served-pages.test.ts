/**
 * A pages/api file that serves another pages/api file's handler under a second URL (a legacy path): its route
 * re-exports the other route's methods and repeats its segment config, and both sources go. Where the two cannot go
 * together (the other file stays, the URLs have other dynamic segments, the configs differ), both stay, with a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const TSCONFIG = { 'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n` };

const WEBHOOK = `import type { NextApiRequest, NextApiResponse } from 'next'

export const config = { api: { bodyParser: false }, maxDuration: 30 }

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).json({ error: 'POST only' })
  res.status(200).json({ received: true })
}
`;
const SUBMIT = `import type { NextApiRequest, NextApiResponse } from 'next'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(201).json({ id: req.body.id })
}
`;
const fileOf = (report: { files: Array<{ source: string }> }, source: string) => report.files.find((f) => f.source === source);

describe('a pages/api file that serves another one’s handler', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('re-exports the other route: a re-export with its own config, import-then-export, and a delegating shell', () => {
    const reexport = `// The old path, kept for webhooks configured before the move.\nexport { default } from '../stripe-webhook'\n\nexport const config = {\n  api: {\n    bodyParser: false,\n  },\n  maxDuration: 30,\n}\n`;
    const importThen = `import handler from '../reimbursement/submit'\n\nexport default handler\n`;
    const shell = `import type { NextApiRequest, NextApiResponse } from 'next'\nimport submit from '../reimbursement/submit'\n\nexport default async function legacy(req: NextApiRequest, res: NextApiResponse) {\n  return submit(req, res)\n}\n`;
    const { result, report, read, app } = migrateApp({
      ...TSCONFIG,
      'pages/api/stripe-webhook.ts': WEBHOOK,
      'pages/api/webhooks/stripe.ts': reexport,
      'pages/api/reimbursement/submit.ts': SUBMIT,
      'pages/api/guarantee/ticket-submit.ts': importThen,
      'pages/api/legacy/submit.ts': shell,
    });
    expect(result.code, result.stderr).toBe(0);
    for (const source of ['pages/api/stripe-webhook.ts', 'pages/api/webhooks/stripe.ts', 'pages/api/reimbursement/submit.ts', 'pages/api/guarantee/ticket-submit.ts', 'pages/api/legacy/submit.ts']) {
      expect(fileOf(report, source), source).toMatchObject({ status: 'migrated', reasons: [] });
      expect(exists(app, source), source).toBe(false);
    }
    expect(read('app/api/webhooks/stripe/route.ts')).toBe(`// The old path, kept for webhooks configured before the move.\nexport const maxDuration = 30\n\nexport { POST } from '../../stripe-webhook/route'\n`);
    expect(read('app/api/guarantee/ticket-submit/route.ts')).toBe(`export { GET, POST, PUT, PATCH, DELETE } from '../../reimbursement/submit/route'\n`);
    expect(read('app/api/legacy/submit/route.ts')).toBe(`export { GET, POST, PUT, PATCH, DELETE } from '../../reimbursement/submit/route'\n`);
    expect(fileOf(report, 'pages/api/webhooks/stripe.ts')).toMatchObject({ notes: ['its route re-exports app/api/stripe-webhook/route.ts: it served the handler of pages/api/stripe-webhook.ts under a second URL'] });
    expectSecondRunChangesNothing(app);
  });

  it('an alias of an alias re-exports the route in between', () => {
    const first = `export { default } from './second'\n`;
    const second = `import handler from './submit'\nexport default handler\n`;
    const { result, report, read } = migrateApp({ ...TSCONFIG, 'pages/api/submit.ts': SUBMIT, 'pages/api/second.ts': second, 'pages/api/first.ts': first });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/first.ts')).toMatchObject({ status: 'migrated' });
    expect(read('app/api/first/route.ts')).toContain(`from '../second/route'`);
  });

  it('both stay when the other file stays, with the reason of each', () => {
    const left = `import type { NextApiRequest, NextApiResponse } from 'next'\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {\n  res.json({ at: req.socket.remoteAddress })\n}\n`;
    const { result, report, app } = migrateApp({ ...TSCONFIG, 'pages/api/ip.ts': left, 'pages/api/legacy-ip.ts': `export { default } from './ip'\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/legacy-ip.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'HANDLER_MODULE_UNRESOLVED', detail: 'its handler is the one of pages/api/ip.ts, which stays in place (REQ_NODE_ONLY)' }] });
    expect(exists(app, 'pages/api/ip.ts')).toBe(true);
    expect(exists(app, 'pages/api/legacy-ip.ts')).toBe(true);
  });

  it('both stay when the URLs differ in dynamic segments, or the configs differ', () => {
    const { result, report, app } = migrateApp({
      ...TSCONFIG,
      'pages/api/submit.ts': SUBMIT,
      'pages/api/items/[id].ts': `export { default } from '../submit'\n`,
      'pages/api/stripe-webhook.ts': WEBHOOK,
      'pages/api/old-webhook.ts': `export { default } from './stripe-webhook'\nexport const config = { api: { bodyParser: true } }\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/items/[id].ts')).toMatchObject({ status: 'left', reasons: [{ code: 'HANDLER_MODULE_UNRESOLVED', detail: 'it serves the handler of pages/api/submit.ts under other dynamic segments, which that route reads as its own' }] });
    expect(fileOf(report, 'pages/api/old-webhook.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'HANDLER_MODULE_UNRESOLVED', detail: 'its config differs from the one of pages/api/stripe-webhook.ts, which that route follows (the body parsing and limits would change)' }] });
    for (const [alias, served] of [['pages/api/items/[id].ts', 'pages/api/submit.ts'], ['pages/api/old-webhook.ts', 'pages/api/stripe-webhook.ts']]) {
      expect(fileOf(report, served)).toMatchObject({ status: 'left', reasons: [{ code: 'SOURCE_IMPORTED', detail: `${alias} imports its default export (the handler)` }] });
      expect(exists(app, served)).toBe(true);
    }
  });

  it('with --only, an alias whose served file is not selected stays', () => {
    const { result, report } = migrateApp({ ...TSCONFIG, 'pages/api/submit.ts': SUBMIT, 'pages/api/old/submit.ts': `export { default } from '../submit'\n` }, ['--only', 'pages/api/old/**']);
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/old/submit.ts')).toMatchObject({ status: 'left', reasons: [{ code: 'HANDLER_MODULE_UNRESOLVED', detail: 'its handler is the one of pages/api/submit.ts, which this run does not migrate (not selected)' }] });
  });
  it('a legacy URL that Next 15 and 16 take for a metadata route (`/api/sitemap`) gets force-dynamic of its own', () => {
    const data = `import type { NextApiRequest, NextApiResponse } from 'next'\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (req.method !== 'GET') return res.status(405).end()\n  res.setHeader('Content-Type', 'application/xml')\n  res.send('<urlset></urlset>')\n}\n`;
    const { result, report, read } = migrateApp({ ...TSCONFIG, 'pages/api/sitemap-data.ts': data, 'pages/api/sitemap.ts': `export { default } from './sitemap-data'\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(report, 'pages/api/sitemap.ts')).toMatchObject({ status: 'migrated', methods: ['GET', 'HEAD'] });
    // The route it serves is an ordinary path, built on each request without it.
    expect(read('app/api/sitemap-data/route.ts')).not.toContain('dynamic');
    expect(read('app/api/sitemap/route.ts')).toBe(`export const dynamic = 'force-dynamic'\nexport { GET, HEAD } from '../sitemap-data/route'\n`);
  });
});
