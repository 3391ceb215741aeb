/**
 * tRPC catch-alls through the whole CLI: the router exported beside the handler moves with its importers, and an app
 * on tRPC v9 (which has no fetch adapter) keeps its file, saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateApp, removeTempDirs, requireBuild } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const route = `import { initTRPC } from '@trpc/server'
import { createNextApiHandler } from '@trpc/server/adapters/next'

const t = initTRPC.create()

export const appRouter = t.router({ hello: t.procedure.query(() => 'hello') })

export type AppRouter = typeof appRouter

export default createNextApiHandler({ router: appRouter, createContext: () => ({}) })
`;

const app = (trpc: string) => ({
  'package.json': JSON.stringify({ name: 'app', dependencies: { next: '15.5.0', '@trpc/server': trpc } }),
  'pages/api/trpc/[trpc].ts': route,
  'utils/trpc.ts': `import type { AppRouter } from '../pages/api/trpc/[trpc]'\nexport type Router = AppRouter\n`,
});

describe('tRPC', () => {
  it('moves the router exported beside the handler, and its importers follow', () => {
    const { result, report, read } = migrateApp(app('^11.7.2'));
    expect(result.code, result.stderr).toBe(0);
    expect(read('app/api/trpc/[trpc]/route.ts')).toContain("import { appRouter } from './shared'");
    expect(read('app/api/trpc/[trpc]/shared.ts')).toContain('export const appRouter = t.router(');
    expect(read('app/api/trpc/[trpc]/shared.ts')).toContain('export type AppRouter = typeof appRouter');
    expect(read('utils/trpc.ts')).toBe(`import type { AppRouter } from '../app/api/trpc/[trpc]/shared'\nexport type Router = AppRouter\n`);
    expect(report.files[0]).toMatchObject({ source: 'pages/api/trpc/[trpc].ts', status: 'migrated', methods: ['GET', 'POST'] });
  });

  it('leaves an app on tRPC v9 in place: its @trpc/server has no fetch adapter', () => {
    const files = app('^9.27.4');
    const { result, report, read } = migrateApp(files);
    expect(result.code, result.stderr).toBe(0);
    expect(read('pages/api/trpc/[trpc].ts')).toBe(route);
    expect(report.files[0]).toMatchObject({ status: 'left', reasons: [{ code: 'TRPC_NOT_FOLLOWED', detail: '@trpc/server 9.27.4 has no fetch adapter (it came with v10): upgrade tRPC first' }] });
  });
});
