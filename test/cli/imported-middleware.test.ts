/**
 * The cors recipe across files: `runMiddleware` and `cors` imported from a project module (through a tsconfig alias
 * and a relative path) are read by the plan, which confirms their shapes before the route runs cors on the Request.
 * A module whose runner has another shape leaves its importer in place.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const RUNNER = `export function runMiddleware(req: NextApiRequest, res: NextApiResponse, fn: Function) {
  return new Promise((resolve, reject) => {
    fn(req, res, (result: unknown) => {
      if (result instanceof Error) return reject(result)
      return resolve(result)
    })
  })
}
`;

const HANDLER = (specifier: string) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { cors, runMiddleware } from '${specifier}'

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await runMiddleware(req, res, cors)
  res.status(200).json({ ok: true })
}
`;

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n`,
  'lib/cors.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import Cors from 'cors'

export const cors = Cors({ origin: true, credentials: false })

${RUNNER}`,
  // Resolves on an error too: not the runner the tool recognises.
  'lib/lenient.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import Cors from 'cors'

export const cors = Cors()

export function runMiddleware(req: NextApiRequest, res: NextApiResponse, fn: Function) {
  return new Promise((resolve) => fn(req, res, resolve))
}
`,
  'pages/api/public/health.ts': HANDLER('@/lib/cors'),
  'pages/api/ready.ts': HANDLER('../../lib/cors'),
  'pages/api/lenient.ts': HANDLER('../../lib/lenient'),
};

describe('runMiddleware and cors imported from a project module', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('migrates the routes whose imports have the recognised shapes, and leaves the other with its reason', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code).toBe(0);
    const bySource = Object.fromEntries(report.files.map((f: { source: string }) => [f.source, f]));
    for (const source of ['pages/api/public/health.ts', 'pages/api/ready.ts']) {
      expect(bySource[source]).toMatchObject({ status: 'migrated', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] });
    }
    expect(bySource['pages/api/lenient.ts']).toMatchObject({ status: 'left', reasons: [{ code: 'MIDDLEWARE_NOT_FOLLOWED' }] });
    const route = read('app/api/public/health/route.ts');
    expect(route).toContain(`import { cors } from '@/lib/cors'`);
    expect(route).toContain('const corsAnswer = await runConnectMiddleware(request, cors, headers)');
    expect(read('app/api/ready/route.ts')).toContain(`import { cors } from '../../../lib/cors'`);
    // The module itself is not changed: the Pages code that imports it still works.
    expect(read('lib/cors.ts')).toBe(files['lib/cors.ts']);
    expect(report.updates).toEqual([]);
    expectSecondRunChangesNothing(app);
  });
});
