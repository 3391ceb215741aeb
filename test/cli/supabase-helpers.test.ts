/**
 * Project helpers that hand their req and res only to Supabase's Pages client (supabase-helper.ts), one through
 * another: the module gets no twin, the routes call them with the compat stand-ins, and a wrapper of another module
 * that calls one gets a twin that does the same. Where a wrapper's library cookies would meet others in one answer
 * (a second such wrapper, a handler appending a Set-Cookie), the route is left: in Pages they shared one response.
 * The client factory of Supabase's guide around @supabase/ssr (req read for cookies and headers, res given headers)
 * is called the same way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, read, removeTempDirs, requireBuild, runCli } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const USER = `import type { NextApiRequest, NextApiResponse } from 'next';
import { createPagesServerClient } from '@supabase/auth-helpers-nextjs';

export async function getSessionUser(req: NextApiRequest, res: NextApiResponse) {
  const supabase = createPagesServerClient({ req, res });
  const { data } = await supabase.auth.getSession();
  return data.session?.user ?? null;
}

export async function requireRole(req: NextApiRequest, res: NextApiResponse, roles: string[]) {
  const user = await getSessionUser(req, res);
  if (!user) return { error: 'signed out', status: 401 };
  return roles.includes(String(user.role)) ? { user } : { error: 'forbidden', status: 403 };
}
`;

const WRAPPER = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next';
import { requireRole } from './user';

export function withRole(roles: string[], handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const result = await requireRole(req, res, roles);
    if ('error' in result) return res.status(result.status).json({ error: result.error });
    return handler(req, res);
  };
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/user.ts': USER,
  'lib/with-role.ts': WRAPPER,
  'pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getSessionUser } from '@/lib/user';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = await getSessionUser(req, res);
  if (!user) return res.status(401).json({ error: 'signed out' });
  res.status(200).json({ id: user.id });
}
`,
  'pages/api/admin.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withRole } from '@/lib/with-role';

export default withRole(['admin'], async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true });
});
`,
  'pages/api/twice.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withRole } from '@/lib/with-role';

export default withRole(['admin'], withRole(['owner'], async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true });
}));
`,
  'pages/api/seen.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withRole } from '@/lib/with-role';

export default withRole(['admin'], async (req: NextApiRequest, res: NextApiResponse) => {
  res.appendHeader('Set-Cookie', 'seen=1; Path=/');
  res.status(200).json({ ok: true });
});
`,
};

describe('Supabase session helpers of a project module', () => {
  it('calls them with the stand-ins from routes and from a wrapper twin, and leaves routes whose cookies would meet', () => {
    const app = makeApp(files);
    const report = path.join(app, '..', 'supabase-report.json');
    const result = runCli(['run', app, '--yes', '--next', '15.5.29', '--report', report]);
    expect(result.code, result.stderr).toBe(0);

    // No twin in the helpers' module: the route calls the helper itself.
    expect(read(app, 'lib/user.ts')).toBe(USER);
    expect(read(app, 'app/api/me/route.ts')).toContain('const user = await getSessionUser(nextAuthRequest(request), nextAuthResponse(headers));');
    // The wrapper's twin calls the helper of the other module with them, and hands its headers to the answer.
    const wrapper = read(app, 'lib/with-role.ts');
    expect(wrapper).toContain(WRAPPER.slice(WRAPPER.indexOf('export function')).trim());
    expect(wrapper).toContain('const result = await requireRole(nextAuthRequest(request), nextAuthResponse(headers), roles);');
    expect(wrapper).toContain('return withHeaders(await handler(request, context), headers);');
    expect(read(app, 'app/api/admin/route.ts')).toContain('withRoleRoute([\'admin\'], handler)');

    const written = JSON.parse(read(path.dirname(report), path.basename(report)));
    const reasonsOf = (source: string) => written.files.find((f: { source: string }) => f.source === source).reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail]);
    expect(reasonsOf('pages/api/twice.ts')).toEqual([
      ['RES_ESCAPES', "withRole(…) and withRole(…) both set cookies through a library that reads the response's Set-Cookie (next-auth, Supabase): in Pages they shared one response"],
    ]);
    expect(reasonsOf('pages/api/seen.ts')).toEqual([
      ['RES_ESCAPES', 'withRole(…) sets cookies through a library, and the handler appends a Set-Cookie beside them: in Pages they shared one response'],
    ]);
    expect(existsSync(path.join(app, 'pages/api/twice.ts'))).toBe(true);
    expect(existsSync(path.join(app, 'pages/api/seen.ts'))).toBe(true);
  });

  it("calls a factory around @supabase/ssr's client with the stand-ins, and leaves a route whose factory does more with res", () => {
    const factory = `import type { NextApiRequest, NextApiResponse } from 'next';
import { createServerClient, serializeCookieHeader } from '@supabase/ssr';

export function createClient(req: NextApiRequest, res: NextApiResponse) {
  return createServerClient('https://example.supabase.co', 'anon', {
    cookies: {
      getAll: () => Object.keys(req.cookies).map((name) => ({ name, value: req.cookies[name] || '' })),
      setAll(cookiesToSet) {
        res.setHeader('Set-Cookie', cookiesToSet.map(({ name, value, options }) => serializeCookieHeader(name, value, options)));
      },
    },
  });
}

export function createStatusClient(req: NextApiRequest, res: NextApiResponse) {
  res.status(202);
  return createClient(req, res);
}
`;
    const app = makeApp({
      'tsconfig.json': files['tsconfig.json'],
      'utils/supabase/api.ts': factory,
      'pages/api/profile.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { createClient } from '@/utils/supabase/api';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const supabase = createClient(req, res);
  const { data } = await supabase.auth.getUser();
  if (!data.user) return res.status(401).json({ error: 'signed out' });
  res.status(200).json({ id: data.user.id });
}
`,
      'pages/api/status.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { createStatusClient } from '@/utils/supabase/api';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { data } = await createStatusClient(req, res).auth.getUser();
  res.json({ id: data.user?.id ?? null });
}
`,
    });
    const report = path.join(app, '..', 'supabase-ssr-report.json');
    const result = runCli(['run', app, '--yes', '--next', '15.5.29', '--report', report]);
    expect(result.code, result.stderr).toBe(0);

    expect(read(app, 'utils/supabase/api.ts')).toBe(factory);
    const route = read(app, 'app/api/profile/route.ts');
    expect(route).toContain('const headers = new Headers();');
    expect(route).toContain('const supabase = createClient(nextAuthRequest(request), nextAuthResponse(headers));');
    expect(route).toContain("return NextResponse.json({ error: 'signed out' }, { status: 401, headers });");
    expect(existsSync(path.join(app, 'pages/api/profile.ts'))).toBe(false);

    const written = JSON.parse(read(path.dirname(report), path.basename(report)));
    const status = written.files.find((f: { source: string }) => f.source === 'pages/api/status.ts');
    expect(status.status).toBe('left');
    expect(status.reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail])).toEqual([['REQ_ESCAPES', 'req is passed to createStatusClient()']]);
    expect(existsSync(path.join(app, 'pages/api/status.ts'))).toBe(true);
  });
});
