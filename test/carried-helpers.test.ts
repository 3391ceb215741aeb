/**
 * Guards and request helpers that take req (and res) inside one object (transforms/lib/request-carrier.ts): which get
 * a twin, what it calls, and which do not.
 */
import { describe, expect, it } from 'vitest';
import { twinResponseHelpers } from '../transforms/helper-module.js';

const context = { modulePath: 'lib/auth.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };

const HEAD = `import type { NextApiRequest, NextApiResponse } from 'next';
import { getToken } from 'next-auth/jwt';

type Ctx = { req: NextApiRequest; res: NextApiResponse };
`;

const twinsOf = (body: string, names: string[], extra: Partial<Parameters<typeof twinResponseHelpers>[1]> = {}) => twinResponseHelpers(HEAD + body, { ...context, ...extra }, names);

describe('guards and request helpers that take req in an object', () => {
  it('twins a guard of { req, res } that calls a request helper of { req } of its module, whose getToken gets next-auth’s request', () => {
    const result = twinsOf(
      `
export async function readToken({ req }: { req: NextApiRequest }) {
  const token = await getToken({ req });
  return token ?? 'sign in';
}

export async function requireUser({ req, res }: Ctx) {
  const token = await readToken({ req });
  if (typeof token === 'string') {
    res.status(401).json({ error: token });
    return null;
  }
  return token;
}
`,
      ['requireUser'],
    );
    expect(result.twins).toEqual([{ kind: 'guard', name: 'requireUser', twin: 'requireUserForRoute', resIndex: 0, reqIndex: 0, carried: true, statuses: [401] }]);
    expect(result.calledTwins).toEqual(['readTokenForRoute']);
    expect(result.output).toContain(`export async function readTokenForRoute(request: NextRequest) {
  const token = await getToken({
    req: nextAuthRequest(request)
  });
  return token ?? 'sign in';
}`);
    expect(result.output).toContain(`export async function requireUserForRoute(request: NextRequest) {
  const token = await readTokenForRoute(request);
  if (typeof token === 'string') {
    return new GuardAnswer(NextResponse.json({ error: token }, { status: 401 }));
  }
  return token;
}`);
    expect(result.output).toContain(`import { GuardAnswer, nextAuthRequest } from '../app/api/_migrate/pages-compat';`);
  });

  it('reads a named object parameter through ctx.req and ctx.res, the twin taking the request in its place', () => {
    const result = twinsOf(
      `
export function requireRole(ctx: Ctx, role: string) {
  if (ctx.req.headers['x-role'] !== role) {
    ctx.res.status(403).json({ error: 'forbidden' });
    return false;
  }
  return true;
}
`,
      ['requireRole'],
    );
    expect(result.twins).toEqual([{ kind: 'guard', name: 'requireRole', twin: 'requireRoleForRoute', resIndex: 0, reqIndex: 0, carried: true, statuses: [403] }]);
    expect(result.output).toContain(`export function requireRoleForRoute(request: NextRequest, role: string) {
  const xRole = request.headers.get('x-role') ?? undefined;
  if (xRole !== role) {`);
  });

  it('calls the twin of a request helper of another module, added to the import of the original', () => {
    const result = twinsOf(
      `import verifyToken from './verify-token';

export async function requireUser({ req, res }: Ctx) {
  const token = await verifyToken({ req });
  if (!token) {
    res.status(401).json({ error: 'sign in' });
    return null;
  }
  return token;
}
`,
      ['requireUser'],
      { importedRequestHelpers: [{ local: 'verifyToken', specifier: './verify-token', twin: 'verifyTokenForRoute', reqIndex: 0, carried: true }] },
    );
    expect(result.importsCalled).toEqual(['verifyToken']);
    expect(result.output).toContain(`import verifyToken, { verifyTokenForRoute } from './verify-token';`);
    expect(result.output).toContain('const token = await verifyTokenForRoute(request);');
  });

  it('has no twin for an object that carries more than req and res, a named one used otherwise or written, or a guard whose request helper reads the query', () => {
    const declined = {
      extraKey: `
export function requireUser({ req, res, scope }: Ctx & { scope: string }) {
  if (req.headers['x-scope'] !== scope) {
    res.status(403).json({ error: 'forbidden' });
    return null;
  }
  return scope;
}
`,
      otherUse: `
export function requireUser(ctx: Ctx & { user?: string }) {
  if (!ctx.user) {
    ctx.res.status(401).json({ error: 'sign in' });
    return null;
  }
  return ctx.req.headers.host;
}
`,
      written: `
export function requireUser(ctx: Ctx) {
  ctx.req = { ...ctx.req, url: '/' } as NextApiRequest;
  if (!ctx.req.headers.host) {
    ctx.res.status(400).json({ error: 'no host' });
    return null;
  }
  return ctx.req.headers.host;
}
`,
      nestedReadsQuery: `
export function readTeam({ req }: { req: NextApiRequest }) {
  return req.query.team;
}

export function requireUser({ req, res }: Ctx) {
  const team = readTeam({ req });
  if (!team) {
    res.status(400).json({ error: 'no team' });
    return null;
  }
  return team;
}
`,
    };
    for (const [shape, body] of Object.entries(declined)) {
      expect(twinsOf(body, ['requireUser']).twins, shape).toEqual([]);
    }
  });

  it('leaves getToken({ req }) where the module has a nextAuthRequest of its own: the helper has no twin', () => {
    const body = `
export const nextAuthRequest = 'the module’s own';

export async function readToken({ req }: { req: NextApiRequest }) {
  return getToken({ req });
}
`;
    expect(twinsOf(body, ['readToken']).twins).toEqual([]);
    // Without it, the same helper has one.
    expect(twinsOf(body.replace(/^export const nextAuthRequest.*$/m, ''), ['readToken']).twins).toEqual([{ kind: 'request', name: 'readToken', twin: 'readTokenForRoute', resIndex: 0, carried: true, statuses: [] }]);
  });
});
