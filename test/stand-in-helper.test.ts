/**
 * stand-in-helper.ts: which project functions take the compat module's Pages-like request (with the route's query)
 * and response as Pages' req and res, and what they need of them.
 */
import { describe, expect, it } from 'vitest';
import { parseSourceOrNull } from '../transforms/lib/source-text.js';
import { functionsByName } from '../transforms/lib/stand-in-uses.js';
import { standInUse, type ImportedStandIn } from '../transforms/lib/stand-in-helper.js';
import { sessionGetterNames } from '../transforms/lib/recipes.js';

const HEAD = `import type { NextApiRequest, NextApiResponse } from 'next';
import { getServerSession } from 'next-auth/next';
import { getCookie, getCookies, setCookie } from 'cookies-next';
`;

function useOf(body: string, name: string, imported: Record<string, ImportedStandIn> = {}) {
  const { program } = parseSourceOrNull(HEAD + body, 'lib/x.ts')!;
  return standInUse(program, functionsByName(program).get(name)!, new Map(Object.entries(imported)), sessionGetterNames(program));
}

describe('stand-in helpers', () => {
  it('follows the query, the method, cookies-next and getServerSession through functions of the module and their callbacks', () => {
    const source = `
function remember(id: string, req: NextApiRequest, res: NextApiResponse) { setCookie('id', id, { req, res, path: '/' }) }
export function options(req: NextApiRequest, res: NextApiResponse) {
  const post = req.method === 'POST' && (req as NextApiRequest).query.nextauth?.includes('callback');
  return { providers: [], callbacks: { async signIn({ user }: any) { if (post) remember(user.id, req, res); return true } } };
}
export const session = (req: NextApiRequest, res: NextApiResponse) => getServerSession(req, res, options(req, res));
`;
    expect(useOf(source, 'remember')).toEqual({ args: { req: 1, res: 2 }, query: false, writesCookies: true, why: "it passes req and res to cookies-next's setCookie()" });
    expect(useOf(source, 'options')).toEqual({ args: { req: 0, res: 1 }, query: true, writesCookies: true, why: 'it reads req.method' });
    expect(useOf(source, 'session')).toEqual({ args: { req: 0, res: 1 }, query: true, writesCookies: true, why: 'it passes req and res to options()' });
  });

  it('takes what an imported one needs', () => {
    const source = `import { getSession } from './session';
export async function requireTeam(req: NextApiRequest, res: NextApiResponse) { const s = await getSession(req, res); return { s, slug: req.query.slug } }
`;
    expect(useOf(source, 'requireTeam', { getSession: { reqIndex: 0, shimRes: 1, writesCookies: true } })).toEqual({ args: { req: 0, res: 1 }, query: true, writesCookies: true, why: 'it passes req and res to getSession()' });
    expect(useOf(source, 'requireTeam')).toBeNull();
  });

  it('counts getCookies as a write: it gives req.cookies itself away', () => {
    expect(useOf(`export function all(req: NextApiRequest, res: NextApiResponse) { return getCookies({ req, res }) }`, 'all')?.writesCookies).toBe(true);
    expect(useOf(`export function one(req: NextApiRequest, res: NextApiResponse) { return getCookie('a', { req, res }) }`, 'one')?.writesCookies).toBe(false);
  });

  it('refuses what the stand-ins do not answer as Pages did', () => {
    const refused = {
      'the URL': `export function f(req: NextApiRequest, res: NextApiResponse) { res.setHeader('X', String(req.url)); return req.query.a }`,
      'the body, in a callback': `export function f(req: NextApiRequest, res: NextApiResponse) { return { cb: () => req.body, q: req.query } }`,
      'a write of the query': `export function f(req: NextApiRequest, res: NextApiResponse) { req.query.page ??= '1'; return getCookie('a', { req, res }) }`,
      'the query replaced': `export function f(req: NextApiRequest, res: NextApiResponse) { req.query = {}; return getCookie('a', { req, res }) }`,
      'req passed once more, beside where it is taken': `function note(req: NextApiRequest, res: NextApiResponse, source: NextApiRequest) { res.setHeader('X', String(source.url)); return getCookie('who', { req, res }) }
export function f(req: NextApiRequest, res: NextApiResponse) { return note(req, res, req) }`,
      'a status on res': `export function f(req: NextApiRequest, res: NextApiResponse) { res.status(401); return req.query.a }`,
      'another value of the cookie options reading req': `export function f(req: NextApiRequest, res: NextApiResponse) { setCookie('a', '1', { req, res, domain: req.headers.host }) }`,
      'a default that reads req': `export function f(req: NextApiRequest, res: NextApiResponse, page = req.query.page) { return getCookie('a', { req, res }) }`,
      'a call of itself': `export function f(req: NextApiRequest, res: NextApiResponse): unknown { return req.query.a ? f(req, res) : null }`,
    };
    for (const [what, source] of Object.entries(refused)) expect(useOf(source, 'f'), what).toBeNull();
  });

  it('needs both req and res, typed so that the stand-ins fit', () => {
    expect(useOf(`export function f(req: NextApiRequest) { return req.query.a }`, 'f')).toBeNull();
    expect(useOf(`type TeamRequest = NextApiRequest & { team: string };
export function f(req: TeamRequest, res: NextApiResponse) { return getCookie('a', { req, res }) }`, 'f')).toBeNull();
  });
});
