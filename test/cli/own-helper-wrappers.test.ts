/**
 * A dispatcher (`handle(req, res, handlers)`) and a wrapper (`withAuth(handler)`) of another module that answer
 * through that module's own res helpers (`return methodNotAllowed(res, keys)`): their twins call the helpers' twins,
 * which are written beside the helpers, and the routes that use them migrate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists, expectSecondRunChangesNothing, migrateApp, read, removeTempDirs, requireBuild } from './helpers.js';

const files = {
  'tsconfig.json': `{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n`,
  'utils/api.ts': `import type { NextApiRequest, NextApiResponse } from 'next';

type HandlerFunction = (req: NextApiRequest, res: NextApiResponse) => Promise<void>;

export function methodNotAllowedError(res: NextApiResponse, allowed: string[]) {
  res.setHeader('Allow', allowed.join(', '));
  return res.status(405).json({ status: 'fail', data: { allowed } });
}

const unauthorized = (res: NextApiResponse) => res.status(401).json({ status: 'fail' });

export async function handle(req: NextApiRequest, res: NextApiResponse, handlerFunctions: { GET?: HandlerFunction; PUT?: HandlerFunction }) {
  if (!req.method || !(req.method in handlerFunctions)) {
    return methodNotAllowedError(res, Object.keys(handlerFunctions));
  }
  let handlerFunction = handlerFunctions[req.method as keyof typeof handlerFunctions]!;
  return await handlerFunction(req, res);
}

export function withAuth(handler: HandlerFunction) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    if (req.headers.authorization !== 'Bearer ok') return unauthorized(res);
    return handler(req, res);
  };
}
`,
  'pages/api/users/[id]/bio.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { handle } from 'utils/api';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  return await handle(req, res, { GET: handleGet, PUT: handlePut });
}

async function handleGet(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ id: req.query.id, bio: 'hello' });
}

async function handlePut(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ id: req.query.id, bio: req.body.bio });
}
`,
  'pages/api/secret.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withAuth } from 'utils/api';

export default withAuth(async (req: NextApiRequest, res: NextApiResponse) => {
  res.json({ secret: 42 });
});
`,
};

describe('wrappers and dispatchers that answer through their own module’s res helpers', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('migrates the routes: the twins call the helper twins, written beside the helpers', () => {
    const { app, result } = migrateApp(files, ['--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    const api = read(app, 'utils/api.ts');
    expect(api).toContain('export function methodNotAllowedErrorResponse(allowed: string[]) {');
    // Not exported, as the helper.
    expect(api).toContain(`\nconst unauthorizedResponse = () => {\n  return NextResponse.json({ status: 'fail' }, { status: 401 });\n};`);
    expect(api).toContain('      return methodNotAllowedErrorResponse(Object.keys(handlerFunctions));');
    expect(api).toContain(`    if (authorization !== 'Bearer ok') return unauthorizedResponse();`);
    // The originals stay for Pages code.
    const original = files['utils/api.ts'].split('\n');
    expect(api).toContain(original.slice(4, 8).join('\n'));
    expect(api).toContain(original.slice(11, 18).join('\n'));

    const bio = read(app, 'app/api/users/[id]/bio/route.ts');
    expect(bio).toContain(`import { handleRoute } from 'utils/api';`);
    expect(bio).toContain('const handler = handleRoute({ GET: handleGet, PUT: handlePut });');
    const secret = read(app, 'app/api/secret/route.ts');
    expect(secret).toContain(`import { withAuthRoute } from 'utils/api';`);
    expect(exists(app, 'pages/api')).toBe(false);
    expectSecondRunChangesNothing(app);
  });
});
