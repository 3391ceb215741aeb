/**
 * A route wrapped by a wrapper that has no route-handler version is left in place, and its HANDLER_NOT_FOUND reason
 * names what to fix: the wrapper's module and its first blocker (transforms/lib/wrapper-why.ts), following a wrapper
 * that returns another one's result down to the package at the root, or the package a wrapper comes from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateApp, removeTempDirs, requireBuild } from './helpers.js';

const WRAPPERS = `import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'
import { withAxiom } from 'next-axiom'
import { record } from './metrics'
import { loadUser } from './users'

export const withBody = (handler: NextApiHandler) => async (req: NextApiRequest, res: NextApiResponse) => {
  if (!req.body) return res.status(400).end()
  return handler(req, res)
}

export function withLimit(handler: NextApiHandler) {
  const limit = Number(process.env.LIMIT ?? 10)
  return async (req: NextApiRequest, res: NextApiResponse) => (limit > 0 ? handler(req, res) : res.status(429).end())
}

function withMetrics(handler: NextApiHandler) {
  return withAxiom(async (req: NextApiRequest, res: NextApiResponse) => {
    record(req, res)
    await handler(req, res)
  })
}

export function withUser(handler: NextApiHandler) {
  return async (req: NextApiRequest, res: NextApiResponse) => {
    const user = await loadUser({ req })
    if (!user) return res.status(401).end()
    return handler(req, res)
  }
}

export function withToken(handler: NextApiHandler) {
  return withMetrics(async (req: NextApiRequest, res: NextApiResponse) => {
    if (req.query.token !== process.env.TOKEN) return res.status(401).end()
    await handler(req, res)
  })
}
`;

const handlerFile = (wrapper: string, from: string) => `import type { NextApiRequest, NextApiResponse } from 'next'
import { ${wrapper} } from '${from}'

export default ${wrapper}(async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true })
})
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'lib/wrappers.ts': WRAPPERS,
  'lib/metrics.ts': 'export function record(req: unknown, res: unknown) {}\n',
  // A helper that takes req in an object and reads what the App Router request does not have: no twin.
  'lib/users.ts': 'export async function loadUser(options: { req: { socket: { remoteAddress?: string } } }) { return options.req.socket.remoteAddress ? { name: "a" } : null }\n',
  'pages/api/user.ts': handlerFile('withUser', '@/lib/wrappers'),
  'pages/api/body.ts': handlerFile('withBody', '@/lib/wrappers'),
  'pages/api/limit.ts': handlerFile('withLimit', '@/lib/wrappers'),
  'pages/api/token.ts': handlerFile('withToken', '../../lib/wrappers'),
  'pages/api/logged.ts': handlerFile('withAxiom', 'next-axiom'),
  // The wrapped handler held by a const that the file exports.
  'pages/api/bound.ts': handlerFile('withBody', '@/lib/wrappers').replace('export default withBody(', 'const handler = withBody(') + 'export default handler\n',
};

describe('why a wrapper has no route-handler version', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it("names the wrapper's module and its first blocker, following the wrappers it returns to the package at the root", () => {
    const { result, report } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);
    const reasons = Object.fromEntries(report.files.map((f: { source: string; status: string; reasons: Array<{ code: string; detail?: string }> }) => [f.source, [f.status, ...f.reasons.map((r) => `${r.code} ${r.detail}`)]]));
    expect(reasons).toEqual({
      'pages/api/body.ts': ['left', 'HANDLER_NOT_FOUND the handler is wrapped by withBody(…) of lib/wrappers.ts, which the tool cannot rewrite: it reads req.body'],
      'pages/api/limit.ts': ['left', 'HANDLER_NOT_FOUND the handler is wrapped by withLimit(…) of lib/wrappers.ts, which the tool cannot rewrite: it runs setup code before returning its (req, res) function'],
      'pages/api/token.ts': [
        'left',
        "HANDLER_NOT_FOUND the handler is wrapped by withToken(…) of lib/wrappers.ts, which the tool cannot rewrite: it returns the result of withMetrics(…), not a (req, res) function; withMetrics returns the result of withAxiom(…) from the package 'next-axiom', and in the (req, res) function it passes, req is passed to record()",
      ],
      'pages/api/user.ts': ['left', 'HANDLER_NOT_FOUND the handler is wrapped by withUser(…) of lib/wrappers.ts, which the tool cannot rewrite: req is passed to loadUser() in an object'],
      'pages/api/bound.ts': ['left', 'HANDLER_NOT_FOUND the handler is wrapped by withBody(…) of lib/wrappers.ts, which the tool cannot rewrite: it reads req.body'],
      'pages/api/logged.ts': ['left', "HANDLER_NOT_FOUND the handler is wrapped by withAxiom(…) from the package 'next-axiom', which the tool has no recipe for"],
    });
    expect(report.updates).toEqual([]);
  });
  it('does not call a project module reached through baseUrl a package', () => {
    const { result, report } = migrateApp({
      'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": "." } }\n',
      'server/wrap.ts': `import type { NextApiHandler } from 'next'
export function wrap() {
  return { use: (log: (url?: string) => void) => (handler: NextApiHandler): NextApiHandler => async (req, res) => { log(req.url); return handler(req, res) } }
}
`,
      'pages/api/wrapped.ts': `import type { NextApiRequest, NextApiResponse } from 'next'
import { wrap } from 'server/wrap'

export default wrap().use(console.log)(async (req: NextApiRequest, res: NextApiResponse) => {
  res.status(200).json({ ok: true })
})
`,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(report.files[0].reasons[0].detail).toBe("the handler is wrapped by wrap().use(console.log)(…) from 'server/wrap', where the tool found no wrapper it can rewrite");
  });
});
