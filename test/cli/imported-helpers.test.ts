/**
 * Helpers in other modules that take `res`, found through a tsconfig path alias and a relative import: the run adds
 * a route-handler twin beside the original, the routes call it, and nothing else that imports the module breaks.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, makeApp, removeTempDirs, reportPath, requireBuild, runCli, treeHash } from './helpers.js';

const ERRORS = `import type { NextApiResponse } from 'next'

export function sendError(res: NextApiResponse, status: number, message: string) {
  res.status(status).json({ error: message })
}

export const LIMIT = 10
`;

/** A route that answers through sendError imported from `specifier`. */
const errorRoute = (specifier: string) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { sendError } from '${specifier}'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!req.query.q) return sendError(res, 400, 'q is required')
  res.status(200).json({ q: req.query.q })
}
`;

const files = {
  'tsconfig.json': `{
  // comments are allowed here
  "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } },
}
`,
  'lib/errors.ts': ERRORS,
  'pages/api/items.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { sendError, LIMIT } from '@/lib/errors'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return sendError(res, 405, 'GET only')
  if (!req.query.q) return sendError(res, 400, 'q is required')
  res.status(200).json({ q: req.query.q, limit: LIMIT })
}
`,
  'pages/api/ping.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { sendError } from '../../lib/errors'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  try {
    res.status(200).send('pong')
  } catch {
    sendError(res, 500, 'no pong')
  }
}
`,
  'pages/index.tsx': `import { LIMIT } from '../lib/errors'\nexport default function Home() { return LIMIT }\n`,
};

describe('helpers in other modules that take res', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('--dry shows the module change as a git diff and writes nothing', () => {
    const app = makeApp(files);
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry', '--next', '15.5.29']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('diff --git a/lib/errors.ts b/lib/errors.ts\n--- a/lib/errors.ts\n+++ b/lib/errors.ts');
    expect(result.stdout).toContain('+export function sendErrorResponse(status: number, message: string) {');
    expect(result.stdout).toContain('update 1 helper module');
    expect(treeHash(app)).toBe(before);
  });

  it('adds the twin beside the original, and the routes call it', () => {
    const app = makeApp(files);
    const reportFile = reportPath();
    const result = runCli(['run', app, '--yes', '--next', '15.5.29', '--report', reportFile]);
    expect(result.code, result.stderr).toBe(0);
    const module = readFileSync(path.join(app, 'lib/errors.ts'), 'utf8');
    expect(module.startsWith(`import { NextResponse } from 'next/server'\nimport type { NextApiResponse } from 'next'`)).toBe(true);
    expect(module).toContain(ERRORS.split('\n').slice(2, 6).join('\n'));
    expect(module).toContain('export function sendErrorResponse(status: number, message: string) {\n  return NextResponse.json({ error: message }, { status: pagesStatus(status) })\n}');
    const items = readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8');
    expect(items).toContain(`import { LIMIT, sendErrorResponse } from '@/lib/errors'`);
    expect(items).toContain(`if (!query.q) return sendErrorResponse(400, 'q is required')`);
    // The 405 comes from the helper's parameter, so it cannot be proven 405-only: kept, with the handler's own body.
    expect(items).toContain(`return sendErrorResponse(405, 'GET only')`);
    const ping = readFileSync(path.join(app, 'app/api/ping/route.ts'), 'utf8');
    expect(ping).toContain(`import { sendErrorResponse } from '../../../lib/errors'`);
    expect(ping).toContain(`return sendErrorResponse(500, 'no pong')`);
    expect(existsSync(path.join(app, 'pages/api'))).toBe(false);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.updates).toEqual([{ path: 'lib/errors.ts', twins: ['sendErrorResponse'] }]);

    expectSecondRunChangesNothing(app);
  });

  it('finds a helper imported through tsconfig baseUrl alone (`utils/errors`)', () => {
    const app = makeApp({
      'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n',
      'utils/errors.ts': ERRORS,
      'pages/api/items.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { sendError } from 'utils/errors'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!req.query.q) return sendError(res, 400, 'q is required')
  res.status(200).json({ q: req.query.q })
}
`,
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'utils/errors.ts'), 'utf8')).toContain('export function sendErrorResponse(status: number, message: string) {');
    const items = readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8');
    expect(items).toContain(`import { sendErrorResponse } from 'utils/errors'`);
    expect(items).toContain(`if (!query.q) return sendErrorResponse(400, 'q is required')`);
  });

  it('finds helpers through the paths of the configs tsconfig.json extends, a file of its own and a package’s', () => {
    const app = makeApp({
      // The app's own config sets neither; the one it extends sets paths (relative to that config, as in tsc), and
      // a base in node_modules, extended first, sets a baseUrl that the later one's does not undo.
      'tsconfig.json': '{ "extends": ["@acme/tsconfig/base", "./config/tsconfig.paths.json"], "compilerOptions": { "strict": true }, }\n',
      'config/tsconfig.paths.json': '{ "compilerOptions": { "paths": { "@src/*": ["../src/*"] } } }\n',
      'node_modules/@acme/tsconfig/base.json': '{ "compilerOptions": { "baseUrl": "../../../vendor" } }\n',
      'vendor/shared/errors.ts': ERRORS,
      'src/lib/errors.ts': ERRORS,
      'pages/api/items.ts': errorRoute('@src/lib/errors'),
      'pages/api/shared.ts': errorRoute('shared/errors'),
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    for (const module of ['src/lib/errors.ts', 'vendor/shared/errors.ts']) expect(readFileSync(path.join(app, module), 'utf8')).toContain('export function sendErrorResponse(status: number, message: string) {');
    expect(readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8')).toContain(`import { sendErrorResponse } from '@src/lib/errors'`);
    expect(readFileSync(path.join(app, 'app/api/shared/route.ts'), 'utf8')).toContain(`import { sendErrorResponse } from 'shared/errors'`);
  });

  it('reads extended configs as TypeScript does: a baseUrl cleared with null, ${configDir}, a package’s tsconfig field, malformed paths and loops', () => {
    const app = makeApp({
      // Its own config clears the baseUrl its base sets (null), so `lib/errors` is no path under a baseUrl; the paths
      // of the package's config (found through its package.json's tsconfig field) start from the app's own folder.
      'tsconfig.json': '{ "extends": ["./tsconfig.json", "./config/base.json", "@acme/config"], "compilerOptions": { "baseUrl": null } }\n',
      'config/base.json': '{ "extends": "./base.json", "compilerOptions": { "baseUrl": "..", "paths": { "@bad/*": null, "@worse/*": [1] } } }\n',
      'node_modules/@acme/config/package.json': '{ "name": "@acme/config", "tsconfig": "./configs/next.json" }\n',
      'node_modules/@acme/config/configs/next.json': '{ "compilerOptions": { "paths": { "@app/*": ["${configDir}/src/*"] } } }\n',
      'src/lib/errors.ts': ERRORS,
      'pages/api/items.ts': errorRoute('@app/lib/errors'),
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'src/lib/errors.ts'), 'utf8')).toContain('export function sendErrorResponse(status: number, message: string) {');
    expect(readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8')).toContain(`import { sendErrorResponse } from '@app/lib/errors'`);
  });

  it('reads no aliases from a tsconfig.json that is not an object, and goes on to jsconfig.json', () => {
    const app = makeApp({
      'tsconfig.json': 'null\n',
      'jsconfig.json': '{ "compilerOptions": { "baseUrl": "." } }\n',
      'utils/errors.ts': ERRORS,
      'pages/api/items.ts': `import { sendError } from 'utils/errors'

export default function handler(req, res) {
  if (!req.query.q) return sendError(res, 400, 'q is required')
  res.status(200).json({ q: req.query.q })
}
`,
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8')).toContain(`return sendErrorResponse(400, 'q is required')`);
  });

  it('twins a helper that answers and takes the request without using it (preflight(req, res, methods)): it gets the App Router request', () => {
    const app = makeApp({
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
      'lib/cors.ts': `import type { NextApiRequest, NextApiResponse } from 'next'

export function preflight(request: NextApiRequest, response: NextApiResponse, methods: string[] = ['GET']) {
  response.setHeader('Access-Control-Allow-Methods', methods.join(','))
  response.status(204).end()
}
`,
      'pages/api/items.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { preflight } from '../../lib/cors'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'OPTIONS') return preflight(req, res, ['GET', 'PUT'])
  res.status(200).json({ items: [] })
}
`,
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    const cors = readFileSync(path.join(app, 'lib/cors.ts'), 'utf8');
    expect(cors).toContain(`export function preflightResponse(request: NextRequest, methods: string[] = ['GET']) {`);
    expect(cors).toContain(`import type { NextRequest } from 'next/server'`);
    const items = readFileSync(path.join(app, 'app/api/items/route.ts'), 'utf8');
    expect(items).toContain(`return preflightResponse(request, ['GET', 'PUT'])`);
    expectSecondRunChangesNothing(app);
  });

  it('leaves a helper whose parameter default reads the request it takes (it is used after all)', () => {
    const app = makeApp({
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
      'lib/cors.ts': `import type { NextApiRequest, NextApiResponse } from 'next'

export function preflight(req: NextApiRequest, res: NextApiResponse, methods = String(req.query.allow ?? 'GET')) {
  res.setHeader('Allow', methods)
  return res.status(204).end()
}
`,
      'pages/api/items.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { preflight } from '../../lib/cors'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method === 'OPTIONS') return preflight(req, res)
  res.status(200).json({ items: [] })
}
`,
    });
    const result = runCli(['run', app, '--yes', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(path.join(app, 'pages/api/items.ts'))).toBe(true);
    expect(readFileSync(path.join(app, 'lib/cors.ts'), 'utf8')).not.toContain('preflightResponse');
  });
});
