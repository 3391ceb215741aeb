/**
 * A project factory whose returned object has a method that only sets headers on res (Vercel's rate-limit example):
 * the run adds a twin method to that object, in the module that defines the factory, and the handlers that call the
 * method on a module-level const call the twin with their headers. Pages code that calls the original keeps it.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, expectSecondRunChangesNothing, makeApp, removeTempDirs, reportPath, requireBuild, runCli, treeHash } from './helpers.js';

const RATE_LIMIT = `import type { NextApiResponse } from 'next'

type Options = { interval?: number; uniqueTokenPerInterval?: number }

export default function rateLimit(options?: Options) {
  const tokens = new Map<string, number>()
  return {
    check: (res: NextApiResponse, limit: number, token: string) =>
      new Promise<void>((resolve, reject) => {
        if (!tokens.has(token) && tokens.size >= (options?.uniqueTokenPerInterval ?? 500)) tokens.clear()
        const used = (tokens.get(token) ?? 0) + 1
        tokens.set(token, used)
        res.setHeader('X-RateLimit-Limit', limit)
        res.setHeader('X-RateLimit-Remaining', used > limit ? 0 : limit - used)
        return used > limit ? reject() : resolve()
      }),
  }
}
`;

const handler = (specifier: string, imported: string, declaration = 'const') => `import type { NextApiRequest, NextApiResponse } from 'next'
import ${imported} from '${specifier}'

${declaration} limiter = rateLimit({ interval: 60_000, uniqueTokenPerInterval: 100 })

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  try {
    await limiter.check(res, 10, 'CACHE_TOKEN')
    res.status(200).json({ ok: true })
  } catch {
    res.status(429).json({ error: 'Rate limit exceeded' })
  }
}
`;

const files = {
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "baseUrl": ".", "paths": { "@/*": ["./*"] } } }\n',
  'utils/rate-limit.ts': RATE_LIMIT,
  // A barrel that passes the factory on: the factory keeps its name, so the barrel needs no change.
  'lib/index.ts': `export { default as rateLimit } from '../utils/rate-limit'\n`,
  'pages/api/frens.ts': handler('../../utils/rate-limit', 'rateLimit'),
  'pages/api/search.ts': handler('@/lib', '{ rateLimit }'),
  // A `let` may hold another object when the handler runs: left in place, with the reason.
  'pages/api/legacy.ts': handler('../../utils/rate-limit', 'rateLimit', 'let'),
};

describe('factories whose object has a method that only sets headers', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('--dry shows the twin method added to the factory module and writes nothing', () => {
    const app = makeApp(files);
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry', '--next', '16.4.6']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('diff --git a/utils/rate-limit.ts b/utils/rate-limit.ts');
    expect(result.stdout).toContain('+    checkHeaders: (headers: Headers, limit: number, token: string) =>');
    expect(result.stdout).toContain('utils/rate-limit.ts  + rateLimit().checkHeaders');
    expect(treeHash(app)).toBe(before);
  });

  it('adds the twin method to the object, and the routes call it with their headers', () => {
    const app = makeApp(files);
    const reportFile = reportPath();
    const result = runCli(['run', app, '--yes', '--next', '16.4.6', '--report', reportFile]);
    expect(result.code, result.stderr).toBe(0);
    const module = readFileSync(path.join(app, 'utils/rate-limit.ts'), 'utf8');
    // The original method stays for Pages code; the twin follows it, writing the same headers into the route's.
    expect(module).toContain(RATE_LIMIT.split('\n').slice(4, 16).join('\n'));
    expect(module).toContain(`    // Route-handler version of check: sets the headers of the route's next answer (next-pages-api-migrate).
    checkHeaders: (headers: Headers, limit: number, token: string) =>
      new Promise<void>((resolve, reject) => {
        if (!tokens.has(token) && tokens.size >= (options?.uniqueTokenPerInterval ?? 500)) tokens.clear()
        const used = (tokens.get(token) ?? 0) + 1
        tokens.set(token, used)
        setHeader(headers, 'X-RateLimit-Limit', limit)
        setHeader(headers, 'X-RateLimit-Remaining', used > limit ? 0 : limit - used)
        return used > limit ? reject() : resolve()
      })
  }
}`);
    expect(module).toContain(`import { setHeader } from '../app/api/_migrate/pages-compat'`);
    expect(readFileSync(path.join(app, 'lib/index.ts'), 'utf8')).toBe(files['lib/index.ts']);

    for (const [route, specifier] of [
      ['app/api/frens/route.ts', `import rateLimit from '../../../utils/rate-limit'`],
      ['app/api/search/route.ts', `import { rateLimit } from '@/lib'`],
    ]) {
      const text = readFileSync(path.join(app, route), 'utf8');
      expect(text).toContain(specifier);
      expect(text).toContain(`const limiter = rateLimit({ interval: 60_000, uniqueTokenPerInterval: 100 })`);
      // The headers set before a rejection go out with the catch's 429, as in Pages.
      expect(text).toContain(`  const headers = new Headers()
  try {
    await limiter.checkHeaders(headers, 10, 'CACHE_TOKEN')
    return NextResponse.json({ ok: true }, { headers })
  } catch {
    return NextResponse.json({ error: 'Rate limit exceeded' }, { status: 429, headers })
  }`);
    }
    expect(existsSync(path.join(app, 'pages/api/frens.ts'))).toBe(false);
    expect(existsSync(path.join(app, 'pages/api/legacy.ts'))).toBe(true);

    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.updates).toEqual([{ path: 'utils/rate-limit.ts', twins: ['rateLimit().checkHeaders'] }]);
    const legacy = report.files.find((f: { source: string }) => f.source.endsWith('pages/api/legacy.ts'));
    expect(legacy.status).toBe('left');
    expect(legacy.reasons.map((r: { code: string; detail?: string }) => [r.code, r.detail])).toEqual([
      ['RES_ESCAPES', 'res is passed to limiter.check(): limiter is not a module-level const made by rateLimit(), which the tool follows'],
    ]);

    expectSecondRunChangesNothing(app);
  });

  it('a later run reuses the twin method an earlier --only run added, instead of adding a copy of it', () => {
    const app = makeApp(files);
    const first = runCli(['run', app, '--yes', '--next', '16.4.6', '--only', 'pages/api/frens.ts']);
    expect(first.code, first.stderr).toBe(0);
    const module = readFileSync(path.join(app, 'utils/rate-limit.ts'), 'utf8');
    expect(module).toContain('    checkHeaders: (headers: Headers, limit: number, token: string) =>');
    commitAll(app);
    const second = runCli(['run', app, '--yes', '--next', '16.4.6']);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'utils/rate-limit.ts'), 'utf8')).toBe(module);
    expect(readFileSync(path.join(app, 'app/api/search/route.ts'), 'utf8')).toContain(`await limiter.checkHeaders(headers, 10, 'CACHE_TOKEN')`);
  });

  it('follows a factory imported under a name with a $ in it', () => {
    const app = makeApp({
      'tsconfig.json': files['tsconfig.json'],
      'utils/rate-limit.ts': RATE_LIMIT,
      'pages/api/frens.ts': handler('../../utils/rate-limit', '$rateLimit').replace('= rateLimit(', '= $rateLimit('),
    });
    const result = runCli(['run', app, '--yes', '--next', '16.4.6']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(app, 'utils/rate-limit.ts'), 'utf8')).toContain('    checkHeaders: (headers: Headers, limit: number, token: string) =>');
    const route = readFileSync(path.join(app, 'app/api/frens/route.ts'), 'utf8');
    expect(route).toContain(`const limiter = $rateLimit({ interval: 60_000, uniqueTokenPerInterval: 100 })`);
    expect(route).toContain(`await limiter.checkHeaders(headers, 10, 'CACHE_TOKEN')`);
  });

  it('follows a handler module that a page re-exports: its twin calls the twin method on the module’s own limiter', () => {
    const app = makeApp({
      'tsconfig.json': files['tsconfig.json'],
      'utils/rate-limit.ts': RATE_LIMIT,
      'lib/handlers/frens.ts': handler('@/utils/rate-limit', 'rateLimit'),
      'pages/api/frens.ts': `export { default } from '@/lib/handlers/frens'\n`,
    });
    const reportFile = reportPath();
    const result = runCli(['run', app, '--yes', '--next', '16.4.6', '--report', reportFile]);
    expect(result.code, result.stderr).toBe(0);
    // One limiter for the module's Pages handler and its twin: the module-level const both read.
    expect(readFileSync(path.join(app, 'lib/handlers/frens.ts'), 'utf8')).toContain(`export async function handlerRoute() {
  const headers = new Headers()
  try {
    await limiter.checkHeaders(headers, 10, 'CACHE_TOKEN')`);
    expect(readFileSync(path.join(app, 'utils/rate-limit.ts'), 'utf8')).toContain('    checkHeaders: (headers: Headers, limit: number, token: string) =>');
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.updates).toEqual([
      { path: 'utils/rate-limit.ts', twins: ['rateLimit().checkHeaders'] },
      { path: 'lib/handlers/frens.ts', twins: ['handlerRoute'] },
    ]);
  });
});
