import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, commitAll, exists, makeApp, removeTempDirs, requireBuild, runCli, tempDir, treeHash } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

// A handler the transform migrates with a TODO(migrate) marker (a config key with no App Router equivalent).
const REVIEW_HANDLER = `export const config = { unstable_includeFiles: ['data/**'] }\n\n${SIMPLE_HANDLER}`;

function fourAreas(): string {
  return makeApp({
    'pages/api/admin/stats.ts': SIMPLE_HANDLER,
    'pages/api/admin/users/[id].ts': REVIEW_HANDLER,
    'pages/api/shop/cart.ts': SIMPLE_HANDLER,
    'pages/api/users/[id].ts': SIMPLE_HANDLER,
  });
}

describe('migrate run --only', () => {
  it('migrates only the files the glob selects and leaves the rest untouched', () => {
    const app = fourAreas();
    const result = runCli(['run', app, '--only', 'pages/api/admin/**']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migrated 2 of 2 handlers: 1 clean, 1 need review (1 marker); 0 left in place');
    expect(result.stdout).not.toContain('pages/api/shop/cart.ts');
    expect(exists(app, 'app/api/admin/stats/route.ts')).toBe(true);
    expect(exists(app, 'app/api/admin/users/[id]/route.ts')).toBe(true);
    expect(exists(app, 'pages/api/admin')).toBe(false);
    expect(exists(app, 'pages/api/shop/cart.ts')).toBe(true);
    expect(exists(app, 'pages/api/users/[id].ts')).toBe(true);
    expect(exists(app, 'app/api/shop')).toBe(false);
  });

  it('takes a file path literally, brackets and all, and a folder for everything under it', () => {
    const app = fourAreas();
    const file = runCli(['run', app, '--dry', '--stat', '--only', 'pages/api/users/[id].ts']);
    expect(file.stdout).toContain(' pages/api/users/[id].ts ');
    expect(file.stdout).toContain('2 files changed');
    const folder = runCli(['run', app, '--dry', '--stat', '--only', './pages/api/shop/']);
    expect(folder.stdout).toContain(' pages/api/shop/cart.ts ');
    expect(folder.stdout).toContain('2 files changed');
  });

  it('is repeatable, one area per flag', () => {
    const app = fourAreas();
    const result = runCli(['run', app, '--dry', '--only', 'pages/api/shop/**', '--only', 'pages/api/users/**']);
    expect(result.stdout).toContain('Migrated 2 of 2 handlers');
    expect(result.stdout).toContain('pages/api/shop/cart.ts → ');
    expect(result.stdout).toContain('pages/api/users/[id].ts → ');
  });

  it('still finds a second source for the same route outside the selection', () => {
    const app = makeApp({ 'pages/api/x.ts': SIMPLE_HANDLER, 'pages/api/x/index.ts': SIMPLE_HANDLER });
    const before = treeHash(app);
    const result = runCli(['run', app, '--only', 'pages/api/x.ts']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DUPLICATE_ROUTE');
    expect(result.stdout).toContain('also answered by pages/api/x/index.ts');
    expect(treeHash(app)).toBe(before);
  });

  it('says "Nothing to migrate" when the glob selects no handler, and writes nothing', () => {
    const app = fourAreas();
    const before = treeHash(app);
    const result = runCli(['run', app, '--only', 'pages/api/billing/**']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Nothing to migrate: no handler in pages/api matches --only pages/api/billing/**.\n");
    expect(treeHash(app)).toBe(before);
  });

  it('puts the patterns in the JSON report', () => {
    const app = fourAreas();
    const file = path.join(tempDir(), 'report.json');
    expect(runCli(['run', app, '--dry', '--only', 'pages/api/shop/**', '--report', file]).code).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.only).toEqual(['pages/api/shop/**']);
    expect(report.files.map((f: { source: string }) => f.source)).toEqual(['pages/api/shop/cart.ts']);
  });

  it('rejects an empty pattern as a usage error (exit 2)', () => {
    const result = runCli(['run', '--only', '']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('an empty pattern would select nothing');
  });
});

describe('migrate check --only', () => {
  it('checks one area: its handlers, and the markers in the routes migrated from it', () => {
    const app = fourAreas();
    expect(runCli(['run', app, '--only', 'pages/api/admin/**']).code).toBe(0);
    commitAll(app);

    const admin = runCli(['check', '--only', 'pages/api/admin/**'], { cwd: app });
    expect(admin.code).toBe(1);
    expect(admin.stdout.split('\n')[0]).toBe('1 TODO(migrate) marker remains (--only pages/api/admin/**).');
    expect(admin.stdout).toMatch(/^ {2}app\/api\/admin\/users\/\[id\]\/route\.ts:\d+ {2}\/\/ TODO\(migrate\): CONFIG_DROPPED/m);

    const shop = runCli(['check', '--only', 'pages/api/shop/**'], { cwd: app });
    expect(shop.code).toBe(1);
    expect(shop.stdout).toBe(
      '1 pages/api handler remains (--only pages/api/shop/**).\n  pages/api/shop/cart.ts:1  pages/api handler not migrated yet: run `migrate run`, or migrate it by hand\n',
    );

    // The route path itself selects too.
    expect(runCli(['check', '--only', 'app/api/admin/stats/**'], { cwd: app }).code).toBe(0);
    const whole = runCli(['check', '--json'], { cwd: app });
    expect(JSON.parse(whole.stdout).summary).toEqual({ handlers: 2, markers: 1 });
  });
});
