/**
 * Project helpers that build next-auth's options from the request (boxyhq's saas-starter-kit: getAuthOptions(req, res)
 * reads the query and the method, and its callbacks set and read a cookie with cookies-next), and the helpers over
 * them in other modules (stand-in-helper.ts): none gets a twin, and the routes call them with next-auth's Pages-like
 * request, carrying the route's own query, and response. A route that would not see a cookie they set on req, a
 * helper that writes the query, and a wrapper's twin (which has no route query to give) are left, with why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, migrateApp, removeTempDirs, requireBuild } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const AUTH = `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';
import type { NextAuthOptions } from 'next-auth';
import { getCookie, setCookie } from 'cookies-next';
import { encode } from 'next-auth/jwt';

async function startDatabaseSession(userId: string, req: NextApiRequest | GetServerSidePropsContext['req'], res: NextApiResponse | GetServerSidePropsContext['res']) {
  setCookie('session-token', userId, { req, res, httpOnly: true });
}

export const getAuthOptions = (req: NextApiRequest | GetServerSidePropsContext['req'], res: NextApiResponse | GetServerSidePropsContext['res']) => {
  const credentialsCallback = (req as NextApiRequest).query && (req as NextApiRequest).query.nextauth?.includes('callback') && req.method === 'POST';
  const options: NextAuthOptions = {
    providers: [],
    callbacks: {
      async signIn({ user }) {
        if (credentialsCallback) await startDatabaseSession(user.id, req, res);
        return true;
      },
    },
    jwt: {
      encode: async (params) => (credentialsCallback ? String(getCookie('session-token', { req, res }) ?? '') : encode(params)),
    },
  };
  return options;
};
`;

const SESSION = `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';
import { getServerSession } from 'next-auth/next';
import { getAuthOptions } from './nextAuth';

export const getSession = async (req: NextApiRequest | GetServerSidePropsContext['req'], res: NextApiResponse | GetServerSidePropsContext['res']) => {
  const authOptions = getAuthOptions(req, res);
  return await getServerSession(req, res, authOptions);
};
`;

const TEAM = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '@/lib/session';

export const throwIfNoTeamAccess = async (req: NextApiRequest, res: NextApiResponse) => {
  const session = await getSession(req, res);
  if (!session) throw new Error('Unauthorized');
  const { slug } = req.query;
  return { slug: String(slug), user: session.user };
};

export async function pagedSession(req: NextApiRequest, res: NextApiResponse) {
  req.query.page ??= '1';
  return getSession(req, res);
}

export function withTeam(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    await throwIfNoTeamAccess(req, res);
    return handler(req, res);
  };
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/nextAuth.ts': AUTH,
  'lib/session.ts': SESSION,
  'models/team.ts': TEAM,
  'pages/api/teams/[slug]/members.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { throwIfNoTeamAccess } from 'models/team';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { method } = req;
  try {
    switch (method) {
      case 'GET': {
        const member = await throwIfNoTeamAccess(req, res);
        return res.status(200).json({ data: member, page: req.query.page ?? null });
      }
      default:
        res.setHeader('Allow', 'GET');
        return res.status(405).json({ error: 'Method not allowed' });
    }
  } catch (error: any) {
    return res.status(401).json({ error: error.message });
  }
}
`,
  'pages/api/sessions.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '@/lib/session';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getSession(req, res);
  res.status(200).json({ user: session?.user ?? null, token: req.cookies['session-token'] ?? null });
}
`,
  'pages/api/visited.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '@/lib/session';

function tokenOf(req: NextApiRequest) {
  return req.cookies['session-token'] ?? null;
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getSession(req, res);
  res.status(200).json({ user: session?.user ?? null, token: tokenOf(req) });
}
`,
  'pages/api/teams/[slug]/renamed.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { throwIfNoTeamAccess } from 'models/team';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { query } = req;
  query.slug = String(query.slug).toLowerCase();
  res.status(200).json(await throwIfNoTeamAccess(req, res));
}
`,
  'pages/api/teams/[slug]/lowered.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { throwIfNoTeamAccess } from 'models/team';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const query = req.query;
  query.slug = String(query.slug).toLowerCase();
  res.status(200).json(await throwIfNoTeamAccess(req, res));
}
`,
  'pages/api/paged.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { pagedSession } from 'models/team';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await pagedSession(req, res);
  res.status(200).json({ user: session?.user ?? null });
}
`,
  'pages/api/wrapped.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { withTeam } from 'models/team';

export default withTeam(async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true });
});
`,
};

describe('helpers that build next-auth options from the request', () => {
  it('are called with the stand-ins, the query the route’s own, across modules; the rest is left with why', () => {
    const { app, result, report, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);

    // No module changes: the helpers have no version without req and res.
    expect(read('lib/nextAuth.ts')).toBe(AUTH);
    expect(read('lib/session.ts')).toBe(SESSION);
    expect(read('models/team.ts')).toBe(TEAM);
    const route = read('app/api/teams/[slug]/members/route.ts');
    expect(route).toContain('const query = pagesQuery(request, params);');
    expect(route).toContain('const member = await throwIfNoTeamAccess(nextAuthRequest(request, query), nextAuthResponse(headers));');
    expect(route).toContain('return NextResponse.json({ data: member, page: query.page ?? null }, { headers });');
    expect(existsSync(path.join(app, 'pages/api/teams/[slug]/members.ts'))).toBe(false);
    // The stand-in carries the query and method, and is one per request, as req was.
    const compat = read('app/api/_migrate/pages-compat.ts');
    expect(compat).toContain('export function nextAuthRequest(request: Request, query?: Partial<{ [key: string]: string | string[] }>): NextApiRequest {');
    expect(compat).toContain("if (query && !('query' in pagesRequest)) Object.assign(pagesRequest, { query, method: request.method });");

    const reasonsOf = (source: string) => report.files.find((f: { source: string }) => f.source === source).reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail]);
    expect(reasonsOf('pages/api/sessions.ts')).toEqual([
      [
        'REQ_ESCAPES',
        "req is passed to getSession(), a helper of '@/lib/session': it passes req and res to getAuthOptions(), so it has no route-handler version without req, and the handler's own use of req on line 6 would not share the request it is given (it sets cookies on it)",
      ],
    ]);
    // Read apart from the stand-in: a function of the file given req, which reads the request's cookies in the route.
    expect(reasonsOf('pages/api/visited.ts')).toEqual([
      [
        'REQ_ESCAPES',
        "req is passed to getSession(), a helper of '@/lib/session': it passes req and res to getAuthOptions(), so it has no route-handler version without req, and the handler's own use of req on line 10 would not share the request it is given (it sets cookies on it)",
      ],
    ]);
    // The query destructured gets an object of its own in the route; held in a const, it is the route's query itself.
    expect(reasonsOf('pages/api/teams/[slug]/renamed.ts')[0][1]).toContain("and the handler's own use of req on line 5 would not share the request it is given");
    const lowered = read('app/api/teams/[slug]/lowered/route.ts');
    expect(lowered).toContain('const query2 = pagesQuery(request, params);');
    expect(lowered).toContain('const query = query2;');
    expect(lowered).toContain('NextResponse.json(await throwIfNoTeamAccess(nextAuthRequest(request, query2), nextAuthResponse(headers)), { headers })');
    expect(reasonsOf('pages/api/paged.ts')).toEqual([['REQ_ESCAPES', 'req is passed to pagedSession()']]);
    expect(report.files.find((f: { source: string }) => f.source === 'pages/api/wrapped.ts').status).toBe('left');
    for (const left of ['sessions', 'visited', 'paged', 'wrapped', 'teams/[slug]/renamed']) expect(existsSync(path.join(app, `pages/api/${left}.ts`))).toBe(true);

    expectSecondRunChangesNothing(app);
  });
});
