/**
 * Which session helpers a route may call with next-auth's Pages-like request and response (transforms/lib/shim-types.ts):
 * only those whose req and res types those fit for sure; the others are called through their twins. Read through the
 * helper-module pass, as the plan reads a project's module.
 */
import { describe, expect, it } from 'vitest';
import { twinResponseHelpers } from '../transforms/helper-module.js';

const context = { modulePath: 'lib/session.ts', compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' };

/** A module with `getSession`, whose parameters are `params`, and the lines before it (imports, types). */
function shims(params: string, before = `import type { NextApiRequest, NextApiResponse } from 'next';`, call = 'getServerSession(req, res, authOptions)'): boolean | undefined {
  const source = `${before}
import { getServerSession } from 'next-auth/next';
import { authOptions } from './auth-options';

export async function getSession(${params}) {
  return ${call};
}
`;
  const twin = twinResponseHelpers(source, context, ['getSession']).twins.find((t) => t.name === 'getSession');
  expect(twin?.kind).toBe('session');
  return twin!.shims ?? false;
}

const ctxCall = 'getServerSession(ctx.req, ctx.res, authOptions)';

describe('session helpers that take next-auth’s request and response', () => {
  it("takes Next's and Node's own types, under any local name, and GetServerSidePropsContext's", () => {
    expect(shims('req: NextApiRequest, res: NextApiResponse')).toBe(true);
    expect(shims('req: Req, res: NextApiResponse<{ ok: boolean }>', `import type { NextApiRequest as Req, NextApiResponse } from 'next';`)).toBe(true);
    expect(shims(`req: NextApiRequest | GetServerSidePropsContext['req'], res: NextApiResponse | GetServerSidePropsContext['res']`, `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';`)).toBe(true);
    expect(shims('req: IncomingMessage, res: ServerResponse', `import type { IncomingMessage, ServerResponse } from 'node:http';`)).toBe(true);
    expect(shims('req: http.IncomingMessage, res: any', `import * as http from 'http';`)).toBe(true);
    expect(shims('req, res')).toBe(true);
  });

  it('takes an object that carries both, written out, through a type or interface of the module, or picked', () => {
    const gssp = `import type { GetServerSidePropsContext } from 'next';`;
    expect(shims(`ctx: { req: GetServerSidePropsContext['req']; res: GetServerSidePropsContext['res'] }`, gssp, ctxCall)).toBe(true);
    expect(shims('ctx: Ctx', `${gssp}\ntype Ctx = { req: GetServerSidePropsContext['req']; res: GetServerSidePropsContext['res'] };`, ctxCall)).toBe(true);
    expect(shims('ctx: Ctx', `${gssp}\nexport interface Ctx { req: GetServerSidePropsContext['req']; res: GetServerSidePropsContext['res'] }`, ctxCall)).toBe(true);
    expect(shims(`ctx: Pick<GetServerSidePropsContext, 'req' | 'res'>`, gssp, ctxCall)).toBe(true);
  });

  it('takes a union one of whose members carries both, as a type of the module or written out, in parentheses too', () => {
    const types = `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';`;
    expect(shims('ctx: Ctx', `${types}\ntype Ctx = GetServerSidePropsContext | { req: NextApiRequest; res: NextApiResponse };`, ctxCall)).toBe(true);
    expect(shims('ctx: (GetServerSidePropsContext | { req: NextApiRequest; res: NextApiResponse; tenant?: string })', types, ctxCall)).toBe(true);
  });

  it('refuses an object type with a member the object of the two does not give, or a Pick of more keys', () => {
    const types = `import type { GetServerSidePropsContext, NextApiRequest, NextApiResponse } from 'next';`;
    expect(shims('ctx: { req: NextApiRequest; res: NextApiResponse; tenant: string }', types, ctxCall)).toBe(false);
    expect(shims('ctx: GetServerSidePropsContext | { req: NextApiRequest; res: NextApiResponse; tenant: string }', types, ctxCall)).toBe(false);
    expect(shims(`ctx: Pick<GetServerSidePropsContext, 'req' | 'res' | 'query'>`, types, ctxCall)).toBe(false);
  });

  it('refuses a type they may not fit: its callers would not type-check, so routes call the twin', () => {
    // The name NextApiRequest, of another module: a subtype of Next's.
    expect(shims('req: NextApiRequest, res: NextApiResponse', `import type { NextApiResponse } from 'next';\nimport type { NextApiRequest } from '@/types/next';`)).toBe(false);
    expect(shims('req: TenantRequest, res: NextApiResponse', `import type { NextApiRequest, NextApiResponse } from 'next';\ninterface TenantRequest extends NextApiRequest { tenant: string }`)).toBe(false);
    expect(shims('req: NextApiRequest & { user?: string }, res: NextApiResponse')).toBe(false);
    expect(shims('req: Parameters<typeof getServerSession>[0], res: NextApiResponse')).toBe(false);
    expect(shims('ctx: Ctx', `import type { NextApiRequest, NextApiResponse } from 'next';\nimport type { Ctx } from './types';`, ctxCall)).toBe(false);
  });

  it("refuses a function whose callers see another type: a const's own function type, an overload", () => {
    const typedConst = `import type { NextApiResponse } from 'next';
import type { TenantRequest } from './types';
import { getServerSession } from 'next-auth/next';
import { authOptions } from './auth-options';

export const getSession: (req: TenantRequest, res: NextApiResponse) => Promise<unknown> = (req, res) => getServerSession(req, res, authOptions);
`;
    expect(twinResponseHelpers(typedConst, context, ['getSession']).twins).toMatchObject([{ kind: 'session', name: 'getSession' }]);
    expect(twinResponseHelpers(typedConst, context, ['getSession']).twins[0].shims).toBeUndefined();
    const overloaded = `import type { NextApiRequest, NextApiResponse } from 'next';
import type { TenantRequest } from './types';
import { getServerSession } from 'next-auth/next';
import { authOptions } from './auth-options';

export async function getSession(req: TenantRequest, res: NextApiResponse): Promise<unknown>;
export async function getSession(req: any, res: any) {
  return getServerSession(req, res, authOptions);
}
`;
    expect(twinResponseHelpers(overloaded, context, ['getSession']).twins).toMatchObject([{ kind: 'session', name: 'getSession' }]);
    expect(twinResponseHelpers(overloaded, context, ['getSession']).twins[0].shims).toBeUndefined();
  });
});
