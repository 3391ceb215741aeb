import { describe, expect, it } from 'vitest';
import { compatModulePath, routeFileFor, routeFolderFor, routeKey } from '../src/routes.js';

describe('routeFileFor', () => {
  it.each([
    ['pages/api/a/b.ts', 'app/api/a/b/route.ts'],
    ['pages/api/a/index.ts', 'app/api/a/route.ts'],
    ['pages/api/index.ts', 'app/api/route.ts'],
    ['pages/api/hello.ts', 'app/api/hello/route.ts'],
    ['pages/api/hello.tsx', 'app/api/hello/route.tsx'],
    ['pages/api/hello.js', 'app/api/hello/route.js'],
    ['pages/api/hello.jsx', 'app/api/hello/route.jsx'],
    // No page by default (a .mjs module is only reported), but it still has a place.
    ['pages/api/hello.mjs', 'app/api/hello/route.js'],
    ['pages/api/hello.cjs', 'app/api/hello/route.js'],
    ['pages/api/index.js', 'app/api/route.js'],
    ['pages/api/users/[id].ts', 'app/api/users/[id]/route.ts'],
    ['pages/api/users/[id]/index.ts', 'app/api/users/[id]/route.ts'],
    ['pages/api/users/[id]/posts.ts', 'app/api/users/[id]/posts/route.ts'],
    ['pages/api/docs/[...slug].ts', 'app/api/docs/[...slug]/route.ts'],
    ['pages/api/files/[[...path]].js', 'app/api/files/[[...path]]/route.js'],
    ['pages/api/[[...all]].ts', 'app/api/[[...all]]/route.ts'],
    // A folder named index is an ordinary segment; only a file named index stands for its folder.
    ['pages/api/index/a.ts', 'app/api/index/a/route.ts'],
    ['pages/api/index/index.ts', 'app/api/index/route.ts'],
    ['pages/api/v1.2/status.ts', 'app/api/v1.2/status/route.ts'],
    ['pages/api/my.file.ts', 'app/api/my.file/route.ts'],
    ['src/pages/api/a/b.ts', 'src/app/api/a/b/route.ts'],
    ['src/pages/api/index.ts', 'src/app/api/route.ts'],
    ['src/pages/api/[id].jsx', 'src/app/api/[id]/route.jsx'],
    ['pages/api/_internal/health.ts', 'app/api/%5Finternal/health/route.ts'],
    ['pages/api/_debug.ts', 'app/api/%5Fdebug/route.ts'],
  ])('%s → %s', (source, target) => {
    expect(routeFileFor(source)).toBe(target);
  });

  it.each([
    ['pages/api/index.page.ts', 'app/api/route.page.ts'],
    ['pages/api/users/[id].page.tsx', 'app/api/users/[id]/route.page.tsx'],
    ['pages/api/hello.mjs', 'app/api/hello/route.mjs'],
    ['pages/api/my.page.js', 'app/api/my/route.page.js'],
  ])('with pageExtensions page.ts, page.tsx, mjs, page.js: %s → %s', (source, target) => {
    expect(routeFileFor(source, ['page.ts', 'page.tsx', 'mjs', 'page.js'])).toBe(target);
  });

  it.each(['pages/index.ts', 'app/api/x/route.ts', 'lib/pages/api/x.ts', 'pages/apix/y.ts', 'pages/api/readme.md'])(
    'rejects %s',
    (source) => {
      expect(() => routeFileFor(source)).toThrow();
    },
  );
});

describe('routeFolderFor', () => {
  it.each([
    ['pages/api', 'app/api'],
    ['pages/api/external', 'app/api/external'],
    ['src/pages/api/a', 'src/app/api/a'],
    ['pages/api/a/index.ts', 'app/api/a'],
  ])('%s → %s', (source, folder) => {
    expect(routeFolderFor(source)).toBe(folder);
  });
});

describe('compatModulePath', () => {
  it.each([
    ['pages/api/a.ts', true, 'app/api/_migrate/pages-compat.ts'],
    ['pages/api/a.js', true, 'app/api/_migrate/pages-compat.ts'],
    ['pages/api/a.js', false, 'app/api/_migrate/pages-compat.js'],
    ['src/pages/api/a/b.ts', true, 'src/app/api/_migrate/pages-compat.ts'],
    ['src/pages/api/a/b.js', false, 'src/app/api/_migrate/pages-compat.js'],
  ] as const)('%s (typescript: %s) → %s', (source, typescript, path) => {
    expect(compatModulePath(source, typescript)).toBe(path);
  });
});

describe('routeKey', () => {
  it('is the same URL path for app/ and src/app/', () => {
    expect(routeKey('app/api/a')).toBe('/api/a');
    expect(routeKey('src/app/api/a')).toBe('/api/a');
    expect(routeKey('app/api')).toBe('/api');
  });
});
