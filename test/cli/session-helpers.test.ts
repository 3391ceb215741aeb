/**
 * A project helper that passes req and res only to next-auth's getServerSession (create-t3-app's
 * `getServerAuthSession({ req, res })`): a route calls it with next-auth's Pages-like request and response, so that
 * its cookies go out as in Pages, and the module is not touched. A call in a callback (no route headers to write
 * into) calls a twin written beside the original, with neither; a getServerSideProps page keeps calling the original,
 * and a second run writes nothing more. A helper that also reads a header or a cookie of req has no twin: a route
 * calls it with next-auth's request, which holds them, and a call in a callback is left. A helper that also uses
 * ctx.res, or writes a header of req, is declined, and the route that calls it is left saying why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, git, makeApp, read, removeTempDirs, requireBuild, runCli, treeHash, writeFiles } from './helpers.js';
import { SESSION_COOKIES_NOTE } from '../../transforms/lib/recipes.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const AUTH = `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';
import { getServerSession, type NextAuthOptions } from 'next-auth';

export const authOptions: NextAuthOptions = { providers: [] };

export const getServerAuthSession = (ctx: { req: GetServerSidePropsContext['req']; res: GetServerSidePropsContext['res'] }) => {
  return getServerSession(ctx.req, ctx.res, authOptions);
};

export async function getSession(req: NextApiRequest, res: NextApiResponse) {
  return await getServerSession(req, res, authOptions);
}

export const getCachedSession = (ctx: { req: NextApiRequest; res: NextApiResponse }) => {
  ctx.res.setHeader('Cache-Control', 'private');
  return getServerSession(ctx.req, ctx.res, authOptions);
};

export async function sessionOrKey(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions);
  return session?.user ?? (req.headers['x-api-key'] || req.cookies.guest ? { name: 'key' } : null);
}

export async function taggedSession(req: NextApiRequest, res: NextApiResponse) {
  req.headers['x-tagged'] = '1';
  return getServerSession(req, res, authOptions);
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "~/*": ["./src/*"] } } }\n',
  'src/server/auth.ts': AUTH,
  'src/pages/api/me.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerAuthSession } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerAuthSession({ req, res });
  if (!session) return res.status(401).json({ error: 'Unauthorized' });
  res.status(200).json({ user: session.user });
}
`,
  'src/pages/api/posts/index.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '../../../server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return res.status(405).end();
  const session = await getSession(req, res);
  res.status(200).json({ posts: [], signedIn: !!session });
}
`,
  'src/pages/api/batch.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerAuthSession } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const sessions = await Promise.all([0, 1].map(() => getServerAuthSession({ req, res })));
  res.status(200).json({ signedIn: sessions.map((session) => !!session) });
}
`,
  'src/pages/api/cached.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getCachedSession } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getCachedSession({ req, res });
  res.status(200).json({ signedIn: !!session });
}
`,
  'src/pages/api/keyed.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { sessionOrKey } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const user = await sessionOrKey(req, res);
  if (!user) return res.status(401).end();
  res.status(200).json({ user });
}
`,
  'src/pages/api/keyed-batch.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { sessionOrKey } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const users = await Promise.all([0, 1].map(() => sessionOrKey(req, res)));
  res.status(200).json({ users });
}
`,
  'src/pages/api/tagged.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { taggedSession } from '~/server/auth';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await taggedSession(req, res);
  res.status(200).json({ tagged: req.headers['x-tagged'], session });
}
`,
  'src/pages/profile.tsx': `import type { GetServerSideProps } from 'next';
import { getServerAuthSession } from '~/server/auth';

export const getServerSideProps: GetServerSideProps = async (ctx) => {
  const session = await getServerAuthSession(ctx);
  return { props: { name: session?.user?.name ?? null } };
};

export default function Profile({ name }: { name: string | null }) {
  return name;
}
`,
};

describe('session helpers that pass req and res only to getServerSession', () => {
  it("gives the helpers next-auth's request and response, writes a twin only for a call in a callback, and a second run adds nothing", () => {
    const app = makeApp(files);
    const report = path.join(app, '..', 'session-report.json');
    const result = runCli(['run', app, '--yes', '--next', '15.5.29', '--report', report]);
    expect(result.code, result.stderr).toBe(0);

    const auth = read(app, 'src/server/auth.ts');
    // The originals stay, for getServerSideProps and any other Pages code.
    expect(auth).toContain(AUTH.split('\n').slice(5, 8).join('\n'));
    expect(auth).toContain(`export const getServerAuthSessionForRoute = () => {\n  return getServerSession(authOptions);\n};`);
    expect(auth).not.toContain('getSessionForRoute');
    expect(auth).not.toContain('getCachedSessionForRoute');

    const me = read(app, 'src/app/api/me/route.ts');
    expect(me).toContain(`import { getServerAuthSession } from '~/server/auth';`);
    expect(me).toContain('const session = await getServerAuthSession({ req: nextAuthRequest(request), res: nextAuthResponse(headers) });');
    const posts = read(app, 'src/app/api/posts/route.ts');
    expect(posts).toContain(`import { getSession } from '../../../server/auth';`);
    expect(posts).toContain('const session = await getSession(nextAuthRequest(request), nextAuthResponse(headers));');
    expect(read(app, 'src/app/api/batch/route.ts')).toContain('await Promise.all([0, 1].map(() => getServerAuthSessionForRoute()))');
    expect(read(app, 'src/pages/profile.tsx')).toBe(files['src/pages/profile.tsx']);

    // The helper that sets a header on ctx.res has no twin: its route stays, its reason naming the helper.
    expect(existsSync(path.join(app, 'src/pages/api/cached.ts'))).toBe(true);
    const written = JSON.parse(read(path.dirname(report), path.basename(report)));
    const cached = written.files.find((f: { source: string }) => f.source === 'src/pages/api/cached.ts');
    expect(cached.status).toBe('left');
    expect(cached.reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail])).toEqual([
      ['REQ_ESCAPES', "req is passed to getCachedSession(), a helper of '~/server/auth': it uses ctx.res.setHeader"],
    ]);
    // One that also reads a header and a cookie has no twin: a route calls it with next-auth's request, which holds
    // both; a callback cannot, and one that writes a header of req is declined.
    expect(read(app, 'src/app/api/keyed/route.ts')).toContain('const user = await sessionOrKey(nextAuthRequest(request), nextAuthResponse(headers));');
    expect(auth).not.toContain('sessionOrKeyForRoute');
    const reasonsOf = (source: string) => written.files.find((f: { source: string }) => f.source === source).reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail]);
    expect(reasonsOf('src/pages/api/keyed-batch.ts')).toEqual([
      ['REQ_ESCAPES', "req is passed to sessionOrKey(), a helper of '~/server/auth': it uses req.headers, so it has no route-handler version without req, and a callback cannot pass it next-auth's request"],
    ]);
    expect(reasonsOf('src/pages/api/tagged.ts')).toEqual([['REQ_ESCAPES', "req is passed to taggedSession(), a helper of '~/server/auth': it uses req.headers"]]);
    expect(written.updates).toEqual([{ path: 'src/server/auth.ts', twins: ['getServerAuthSessionForRoute'] }]);
    // The route whose call is the twin's says what its getServerSession(options) does not carry over; the others
    // set next-auth's cookies as before.
    const notesOf = (source: string) => written.files.find((f: { source: string }) => f.source === source).notes;
    expect(notesOf('src/pages/api/batch.ts')).toContain(SESSION_COOKIES_NOTE);
    expect(notesOf('src/pages/api/me.ts')).not.toContain(SESSION_COOKIES_NOTE);

    // Once more: the left route is left again, and not one byte changes.
    commitAll(app);
    const migrated = treeHash(app);
    expect(runCli(['run', app, '--yes', '--next', '15.5.29']).code).toBe(0);
    expect(treeHash(app)).toBe(migrated);
  });

  it('reuses the twin the first run wrote when a later run migrates another route that calls the helper', () => {
    const app = makeApp(files);
    expect(runCli(['run', app, '--yes', '--next', '15.5.29', '--only', 'src/pages/api/batch.ts']).code).toBe(0);
    commitAll(app);
    const afterFirst = read(app, 'src/server/auth.ts');
    expect(afterFirst).toContain('export const getServerAuthSessionForRoute = () => {');
    writeRoute(app);
    expect(runCli(['run', app, '--yes', '--next', '15.5.29']).code).toBe(0);
    const auth = read(app, 'src/server/auth.ts');
    // The first run's twin is reused by the new route's callback, not written again under another name; the other
    // routes call the originals.
    expect(auth).toBe(afterFirst);
    expect(read(app, 'src/app/api/feed/route.ts')).toContain('[0, 1, 2].map(() => getServerAuthSessionForRoute())');
    expect(git(app, 'status', '--porcelain', '--', 'src/pages/profile.tsx')).toBe('');
  });
});

/** A second route that calls the t3 helper in a callback, added after the first run. */
function writeRoute(app: string): void {
  writeFiles(app, { 'src/pages/api/feed.ts': files['src/pages/api/batch.ts'].replace('[0, 1]', '[0, 1, 2]') });
  commitAll(app);
}
