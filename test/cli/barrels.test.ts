/**
 * Helpers imported through a barrel (`import { defaultHandler } from '@lib/api'`, where lib/api/index.ts only passes
 * names on): the twin is written where the helper is defined, and each barrel on the way passes it on too, so that
 * the route imports it the way it imported the original.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, expectSecondRunChangesNothing, migrateApp, read, removeTempDirs, requireBuild } from './helpers.js';

const BARREL = `export { defaultHandler } from './default';
export * from './errors';
export { sendProblem as problem } from './problem';
export const VERSION = 1;
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@lib/*": ["lib/*"] } } }\n`,
  'lib/api/index.ts': BARREL,
  'lib/api/default.ts': `import type { NextApiRequest, NextApiResponse } from 'next';

type Method = 'GET' | 'POST';
type Handlers = { [method in Method]?: (req: NextApiRequest, res: NextApiResponse) => Promise<void> };

export const defaultHandler = async (req: NextApiRequest, res: NextApiResponse, handlers: Handlers) => {
  const handler = handlers[req.method as Method];
  if (!handler) return res.status(405).json({ error: 'method not allowed' });
  try {
    await handler(req, res);
  } catch (err: any) {
    res.status(err.statusCode || 500).json({ error: err.message });
  }
};
`,
  'lib/api/errors.ts': `import type { NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  res.status(status).json({ error: message });
}
`,
  'lib/api/problem.ts': `import type { NextApiResponse } from 'next';

export function sendProblem(res: NextApiResponse, title: string) {
  res.status(400).json({ title });
}
`,
  'pages/api/connections.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { defaultHandler } from '@lib/api';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await defaultHandler(req, res, { GET: handleGET });
}

const handleGET = async (req: NextApiRequest, res: NextApiResponse) => {
  res.json({ connections: [], q: req.query.q ?? null });
};
`,
  'pages/api/items.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { sendError, problem, VERSION } from '@lib/api';

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return sendError(res, 405, 'GET only');
  if (!req.query.q) return problem(res, 'q is required');
  res.status(200).json({ q: req.query.q, version: VERSION });
}
`,
  'pages/index.tsx': `import { VERSION } from '@lib/api';\nexport default function Home() { return VERSION }\n`,
};

describe('helpers imported through a barrel', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('twins each helper where it is defined, and passes the twins on through the barrel', () => {
    const { app, result } = migrateApp(files, ['--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    // The barrel keeps every line; a named re-export gets one for the twin, `export *` passes it on already.
    expect(read(app, 'lib/api/index.ts')).toBe(`${BARREL}export { defaultHandlerRoute } from './default';\nexport { sendProblemResponse } from './problem';\n`);
    expect(read(app, 'lib/api/default.ts')).toContain('export function defaultHandlerRoute<Context>(handlers: Partial<Record<string, (request: NextRequest, context: Context) => Response | undefined | Promise<Response | undefined>>>) {');
    expect(read(app, 'lib/api/errors.ts')).toContain('export function sendErrorResponse(status: number, message: string) {');
    expect(read(app, 'lib/api/problem.ts')).toContain('export function sendProblemResponse(title: string) {');

    const connections = read(app, 'app/api/connections/route.ts');
    expect(connections).toContain(`import { defaultHandlerRoute } from '@lib/api';`);
    expect(connections).toContain('const handler = defaultHandlerRoute({ GET: handleGET });');
    const items = read(app, 'app/api/items/route.ts');
    expect(items).toContain(`import { VERSION, sendErrorResponse, sendProblemResponse } from '@lib/api';`);
    expect(items).toContain(`if (!query.q) return sendProblemResponse('q is required');`);
    expect(exists(app, 'pages/api')).toBe(false);
    expect(read(app, 'pages/index.tsx')).toBe(files['pages/index.tsx']);
    expectSecondRunChangesNothing(app);
  });
});

describe('handler modules that call helpers of other modules', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  const moduleFiles = {
    'tsconfig.json': files['tsconfig.json'],
    'lib/api/index.ts': BARREL,
    'lib/api/default.ts': files['lib/api/default.ts'],
    'lib/api/errors.ts': files['lib/api/errors.ts'],
    'lib/api/problem.ts': files['lib/api/problem.ts'],
    // The handler lives in ee/, and calls the dispatcher and a cookie helper of lib/ as a pages/api file would.
    'ee/metadata/api.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { defaultHandler } from '@lib/api';
import { setErrorCookie } from '../../lib/cookies';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await defaultHandler(req, res, { GET: handleGET });
}

const handleGET = async (req: NextApiRequest, res: NextApiResponse) => {
  if (req.query.fail) {
    setErrorCookie(res, 'no metadata');
    return res.status(404).json({ error: 'no metadata' });
  }
  res.json({ metadata: true });
};
`,
    'lib/cookies.ts': `import type { NextApiResponse } from 'next';

export function setErrorCookie(res: NextApiResponse, message: string) {
  res.setHeader('Set-Cookie', 'error=' + encodeURIComponent(message) + '; Path=/');
}
`,
    'pages/api/well-known/metadata.ts': `export { default } from '../../../ee/metadata/api';\n`,
  };

  it('twins the handler module, and the helpers it calls in their own modules', () => {
    const { app, result, report } = migrateApp(moduleFiles, ['--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    const route = report.files.find((f: { source: string }) => f.source === 'pages/api/well-known/metadata.ts');
    expect(route.status, JSON.stringify(route.reasons)).toBe('migrated');
    const module = read(app, 'ee/metadata/api.ts');
    expect(module).toContain(`import { defaultHandler, defaultHandlerRoute } from '@lib/api';`);
    expect(module).toContain(`import { setErrorCookie, setErrorCookieHeaders } from '../../lib/cookies';`);
    expect(module).toContain('setErrorCookieHeaders(headers, \'no metadata\');');
    expect(module).toContain('defaultHandlerRoute({ GET: handleGET');
    expect(read(app, 'lib/api/index.ts')).toBe(`${BARREL}export { defaultHandlerRoute } from './default';\n`);
    expect(read(app, 'lib/cookies.ts')).toContain('export function setErrorCookieHeaders(headers: Headers, message: string) {');
    expect(read(app, 'lib/api/default.ts')).toContain('export function defaultHandlerRoute<Context>(');
    expect(report.updates.map((u: { path: string }) => u.path).sort()).toEqual(['ee/metadata/api.ts', 'lib/api/default.ts', 'lib/api/index.ts', 'lib/cookies.ts']);
    expect(exists(app, 'pages/api')).toBe(false);
    expectSecondRunChangesNothing(app);
  });
});

describe('twins a barrel cannot pass on under their name', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  const wrapper = (label: string) => `import type { NextApiRequest, NextApiResponse } from 'next';

const wrap = (handler: (req: NextApiRequest, res: NextApiResponse) => unknown) => async (req: NextApiRequest, res: NextApiResponse) => {
  res.setHeader('X-Wrapped-By', '${label}');
  return handler(req, res);
};

export default wrap;
`;
  const clashFiles = {
    'tsconfig.json': files['tsconfig.json'],
    // Two modules' default exports, both called wrap: their twins would both be wrapRoute in the barrel.
    'lib/mw/index.ts': `export { default as withAuth } from './auth';\nexport { default as withLog } from './log';\n`,
    'lib/mw/auth.ts': wrapper('auth'),
    'lib/mw/log.ts': wrapper('log'),
    // A star re-export beside another that already exports the twin's name: the name would be ambiguous.
    'lib/e/index.ts': `export * from './errors';\nexport * from './legacy';\n`,
    'lib/e/errors.ts': files['lib/api/errors.ts'],
    'lib/e/legacy.ts': `export function sendErrorResponse(status: number) {\n  return new Response(null, { status });\n}\n`,
    'pages/api/a.ts': `import type { NextApiRequest, NextApiResponse } from 'next';\nimport { withAuth } from '@lib/mw';\n\nexport default withAuth((req: NextApiRequest, res: NextApiResponse) => res.json({ a: true }));\n`,
    'pages/api/b.ts': `import type { NextApiRequest, NextApiResponse } from 'next';\nimport { withLog } from '@lib/mw';\n\nexport default withLog((req: NextApiRequest, res: NextApiResponse) => res.json({ b: true }));\n`,
    'pages/api/c.ts': `import type { NextApiRequest, NextApiResponse } from 'next';\nimport { sendError } from '@lib/e';\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (!req.query.q) return sendError(res, 400, 'q is required');\n  res.json({ q: req.query.q });\n}\n`,
  };

  it('leaves their callers in place and the modules as they were', () => {
    const { app, result, report } = migrateApp(clashFiles, ['--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    const status = Object.fromEntries(report.files.map((f: { source: string; status: string }) => [f.source, f.status]));
    expect(status).toEqual({ 'pages/api/a.ts': 'left', 'pages/api/b.ts': 'left', 'pages/api/c.ts': 'left' });
    expect(report.updates).toEqual([]);
    for (const file of ['lib/mw/index.ts', 'lib/mw/auth.ts', 'lib/mw/log.ts', 'lib/e/index.ts', 'lib/e/errors.ts']) {
      expect(read(app, file)).toBe(clashFiles[file as keyof typeof clashFiles]);
    }
  });
});

describe('a $-named helper whose twin name the barrel already exports', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('leaves the caller in place: the route would import the barrel\'s own function', () => {
    const dollarFiles = {
      'lib/errors.ts': `import type { NextApiResponse } from 'next';\n\nexport function $sendError(res: NextApiResponse, status: number) {\n  res.status(status).json({ error: status });\n}\n`,
      'lib/index.ts': `export * from './errors';\n\nexport function $sendErrorResponse(status: number) {\n  return new Response('legacy', { status: 500 });\n}\n`,
      'pages/api/x.ts': `import type { NextApiRequest, NextApiResponse } from 'next';\nimport { $sendError } from '../../lib';\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {\n  $sendError(res, 404);\n}\n`,
    };
    const { app, result, report } = migrateApp(dollarFiles, ['--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(report.files.map((f: { source: string; status: string }) => [f.source, f.status])).toEqual([['pages/api/x.ts', 'left']]);
    expect(report.updates).toEqual([]);
    for (const file of Object.keys(dollarFiles)) expect(read(app, file)).toBe(dollarFiles[file as keyof typeof dollarFiles]);
  });
});

describe('a handler module that calls a helper of a pages/api file whose other exports move', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('writes the helper twin where the handler module imports it from', () => {
    const { app, result, report } = migrateApp(
      {
        'tsconfig.json': files['tsconfig.json'],
        'pages/api/errors.ts': `import type { NextApiRequest, NextApiResponse } from 'next';

export function sendError(res: NextApiResponse, status: number, message: string) {
  res.status(status).json({ error: message });
}

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(418).json({ error: 'teapot' });
}
`,
        'ee/thing.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { sendError } from '../pages/api/errors';

export default function thing(req: NextApiRequest, res: NextApiResponse) {
  if (!req.query.id) return sendError(res, 400, 'id is required');
  res.json({ id: req.query.id });
}
`,
        'pages/api/thing.ts': `export { default } from '../../ee/thing';\n`,
      },
      ['--next', '15.5.29'],
    );
    expect(result.code, result.stderr).toBe(0);
    // pages/api/errors.ts gets the twin, so its exports cannot move (and its route cannot be written): it stays, and
    // the handler module's twin imports the twin from where it imported the original, where it is.
    const errors = report.files.find((f: { source: string }) => f.source === 'pages/api/errors.ts');
    expect([errors.status, errors.reasons.map((r: { code: string }) => r.code)]).toEqual(['left', ['EXTRA_EXPORTS']]);
    expect(exists(app, 'app/api/errors/shared.ts')).toBe(false);
    expect(read(app, 'pages/api/errors.ts')).toContain('export function sendErrorResponse(status: number, message: string) {');
    expect(read(app, 'ee/thing.ts')).toContain(`import { sendError, sendErrorResponse } from '../pages/api/errors';`);
    expect(read(app, 'app/api/thing/route.ts')).toContain(`from '../../../ee/thing';`);
  });
});
