import { describe, expect, it } from 'vitest';
import { pathFilter } from '../src/path-filter.js';
import { sourceCandidatesFor } from '../src/routes.js';

describe('pathFilter (--only)', () => {
  it.each([
    ['pages/api/admin/**', 'pages/api/admin/stats.ts', true],
    ['pages/api/admin/**', 'pages/api/admin/users/[id].ts', true],
    ['pages/api/admin/**', 'pages/api/administration.ts', false],
    ['pages/api/*.ts', 'pages/api/a.ts', true],
    ['pages/api/*.ts', 'pages/api/a/b.ts', false],
    ['pages/api/{a,b}.ts', 'pages/api/b.ts', true],
    ['**/cart.ts', 'src/pages/api/shop/cart.ts', true],
    // Brackets are Next.js segments: the literal path matches, though a glob would read [id] as a class.
    ['pages/api/users/[id].ts', 'pages/api/users/[id].ts', true],
    ['pages/api/users/[id]', 'pages/api/users/[id]/index.ts', true],
    // A folder selects what is under it; ./ and a trailing / are ignored.
    ['pages/api/shop', 'pages/api/shop/cart.ts', true],
    ['./pages/api/shop/', 'pages/api/shop/cart.ts', true],
    ['pages/api/shop', 'pages/api/shopping.ts', false],
    ['pages/api/.well-known/**', 'pages/api/.well-known/x.ts', true],
  ])('%s selects %s: %s', (pattern, file, expected) => {
    expect(pathFilter([pattern])(file)).toBe(expected);
  });

  it('selects what any of several patterns selects', () => {
    const only = pathFilter(['pages/api/a/**', 'pages/api/b.ts']);
    expect(['pages/api/a/x.ts', 'pages/api/b.ts', 'pages/api/c.ts'].map(only)).toEqual([true, true, false]);
  });

  it('refuses an empty pattern', () => {
    expect(() => pathFilter([''])).toThrow('an empty pattern would select nothing');
    expect(() => pathFilter(['./'])).toThrow();
  });
});

describe('sourceCandidatesFor (check --only on routes)', () => {
  it('gives the pages/api paths a route may come from', () => {
    const candidates = sourceCandidatesFor('app/api/users/[id]/route.ts');
    expect(candidates).toContain('pages/api/users/[id].ts');
    expect(candidates).toContain('pages/api/users/[id]/index.js');
    expect(candidates).toHaveLength(8);
    expect(sourceCandidatesFor('src/app/api/route.js')).toEqual(['.tsx', '.ts', '.jsx', '.js'].map((e) => `src/pages/api/index${e}`));
    expect(sourceCandidatesFor('app/api/a/route.page.ts', ['page.ts'])).toEqual(['pages/api/a.page.ts', 'pages/api/a/index.page.ts']);
  });

  it('gives nothing outside app/api', () => {
    expect(sourceCandidatesFor('app/feed/route.ts')).toEqual([]);
  });
});
