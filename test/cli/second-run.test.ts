/**
 * A migration in two runs (`--only` one area first, the rest later, or a second run once more handlers can be
 * migrated): the second run needs twins the first one wrote. It reuses them, and leaves their modules as they are;
 * only a twin whose original changed in between gets a new one of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, git, makeApp, read, removeTempDirs, requireBuild, runCli, writeFiles } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const ERRORS = `import type { NextApiRequest, NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  res.status(status).json({ error: message });
}

export function withAuth(handler: (req: NextApiRequest, res: NextApiResponse) => Promise<void>) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (!req.headers.authorization) return sendError(res, 401, 'unauthorized');
    return handler(req, res);
  };
}
`;

const route = (value: string) => `import type { NextApiRequest, NextApiResponse } from 'next';
import { sendError, withAuth } from '../../../lib/api';

async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return sendError(res, 405, 'method not allowed');
  res.status(200).json({ value: '${value}' });
}

export default withAuth(handler);
`;

const ORDERS = `import type { NextApiRequest, NextApiResponse } from 'next';
import { NextResponse } from 'next/server';
import { sendError } from '../lib/api';

export default async function orders(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return sendError(res, 405, 'method not allowed');
  res.status(201).json({ created: NextResponse.name.length > 0 });
}
`;

function twoAreas(): string {
  return makeApp({
    'lib/api/errors.ts': ERRORS,
    'lib/api/index.ts': "export { sendError, withAuth } from './errors';\n",
    'server/orders.ts': ORDERS,
    'pages/api/first/a.ts': route('a'),
    'pages/api/first/orders.ts': "export { default } from '../../../server/orders';\n",
    'pages/api/later/b.ts': route('b'),
    'pages/api/later/orders.ts': "export { default } from '../../../server/orders';\n",
  });
}

const ok = (result: { code: number | null; stderr: string }) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
};

describe('a migration in two runs', () => {
  it('reuses the twins of helper modules, barrels and handler modules that the first run wrote', () => {
    const app = twoAreas();
    ok(runCli(['run', app, '--only', 'pages/api/first/**']));
    commitAll(app);
    const modules = ['lib/api/errors.ts', 'lib/api/index.ts', 'server/orders.ts'];
    const afterFirst = modules.map((m) => read(app, m));
    expect(afterFirst[0]).toContain('export function sendErrorResponse(');
    expect(afterFirst[1]).toContain("export { sendErrorResponse, withAuthRoute } from './errors';");
    expect(afterFirst[2]).toContain('export async function ordersPOST(');

    const second = runCli(['run', app]);
    ok(second);
    expect(second.stdout).toContain('Migrated 2 of 2 handlers: 2 clean');
    expect(second.stdout).toContain('Wrote 2 files; removed 2 sources.');
    // Not one byte of the modules changes: no second copy of a twin under a new name, no second import.
    expect(modules.map((m) => read(app, m))).toEqual(afterFirst);
    expect(git(app, 'status', '--porcelain', '--', ...modules)).toBe('');
    expect(read(app, 'app/api/later/b/route.ts')).toContain("import { sendErrorResponse, withAuthRoute } from '../../../../lib/api';");
    expect(read(app, 'app/api/later/orders/route.ts')).toBe(read(app, 'app/api/first/orders/route.ts'));
  });

  it('writes a new twin, under a name of its own, when the original changed after the first run', () => {
    const app = twoAreas();
    ok(runCli(['run', app, '--only', 'pages/api/first/**']));
    writeFiles(app, { 'lib/api/errors.ts': read(app, 'lib/api/errors.ts').replace('{ error: message }', '{ error: message, ok: false }') });
    commitAll(app);
    ok(runCli(['run', app]));
    const errors = read(app, 'lib/api/errors.ts');
    // The first run's twin stays (the routes it wrote import it), and the new one answers as the original now does.
    expect(errors).toContain('export function sendErrorResponse(status: number, message: string) {\n  return NextResponse.json({ error: message }, { status: pagesStatus(status) });');
    expect(errors).toContain('export function sendErrorResponse2(status: number, message: string) {\n  return NextResponse.json({ error: message, ok: false }, { status: pagesStatus(status) });');
    expect(errors.match(/^import .* from 'next\/server';$/gm)).toHaveLength(1);
  });

  it('names the twins of a module alike for every route, when one original changed and a route that uses it stays', () => {
    const api = `import type { NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  res.status(status).json({ error: message });
}

export function sendOk(res: NextApiResponse, data: unknown) {
  res.status(200).json({ data });
}
`;
    const page = (body: string, names: string) => `import type { NextApiRequest, NextApiResponse } from 'next';
import { ${names} } from '../../../lib/api';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
${body}
}
`;
    const app = makeApp({
      'lib/api.ts': api,
      'pages/api/first/a.ts': page("  if (req.method !== 'GET') return sendError(res, 405, 'no');\n  return sendOk(res, 1);", 'sendError, sendOk'),
      'pages/api/later/a.ts': page("  if (req.method !== 'GET') return sendError(res, 405, 'no');\n  res.status(200).json({ later: true });", 'sendError'),
      // Left in place (it reads the stream with req.on): it still uses sendOk, whose original changes below.
      'pages/api/later/b.ts': page("  let size = 0;\n  req.on('data', (chunk: Buffer) => { size += chunk.length; });\n  req.on('end', () => sendOk(res, size));", 'sendOk'),
    });
    ok(runCli(['run', app, '--only', 'pages/api/first/**']));
    writeFiles(app, { 'lib/api.ts': read(app, 'lib/api.ts').replace('json({ data })', 'json({ data, ok: true })') });
    commitAll(app);
    ok(runCli(['run', app]));
    const route = read(app, 'app/api/later/a/route.ts');
    const imported = /import \{ (\w+) \} from '..\/..\/..\/..\/lib\/api';/.exec(route)?.[1];
    expect(imported).toBeDefined();
    // Whatever name the twin got, the module declares it: the migrated app builds.
    expect(read(app, 'lib/api.ts')).toMatch(new RegExp(`export function ${imported}\\(`));
  });

  it('keeps reusing the twins that still match after one original changed, run after run', () => {
    const module = `import type { NextApiRequest, NextApiResponse } from 'next';

export function sendA(res: NextApiResponse) {
  res.status(401).json({ a: true });
}

export function sendB(res: NextApiResponse) {
  res.status(402).json({ b: true });
}

export function withGuard(handler: (req: NextApiRequest, res: NextApiResponse) => unknown) {
  return (req: NextApiRequest, res: NextApiResponse) => {
    if (!req.headers.k) return sendA(res);
    return handler(req, res);
  };
}
`;
    const guarded = `import type { NextApiRequest, NextApiResponse } from 'next';
import { sendB, withGuard } from '../../lib/r';

export default withGuard(function handler(req: NextApiRequest, res: NextApiResponse) {
  sendB(res);
});
`;
    const app = makeApp({
      'lib/r.ts': module,
      'pages/api/x.ts': `import type { NextApiRequest, NextApiResponse } from 'next';\nimport { sendA } from '../../lib/r';\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {\n  sendA(res);\n}\n`,
      'pages/api/y.ts': guarded,
      'pages/api/z.ts': guarded,
    });
    ok(runCli(['run', app, '--only', 'pages/api/x.ts']));
    writeFiles(app, { 'lib/r.ts': read(app, 'lib/r.ts').replace('status(401)', 'status(403)') });
    commitAll(app);
    ok(runCli(['run', app, '--only', 'pages/api/y.ts']));
    commitAll(app);
    const afterSecond = read(app, 'lib/r.ts');
    // The changed original's twin is new; the earlier one stays for the route that imports it.
    expect(afterSecond).toContain('export function sendAResponse() {\n  return NextResponse.json({ a: true }, { status: 401 });');
    expect(afterSecond).toContain('export function sendAResponse2() {\n  return NextResponse.json({ a: true }, { status: 403 });');
    const third = runCli(['run', app]);
    ok(third);
    // The third run needs exactly the twins the second wrote: the module stays as it was.
    expect(read(app, 'lib/r.ts')).toBe(afterSecond);
    expect(read(app, 'app/api/z/route.ts')).toBe(read(app, 'app/api/y/route.ts'));
  });
});

