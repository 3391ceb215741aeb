import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, commitAll, expectOneLineError, makeApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const ROUTE = 'export function GET() {\n  return Response.json({ ok: true });\n}\n';

describe('migrate check', () => {
  it('exits 1 and lists the handlers still in pages/api and src/pages/api', () => {
    const app = makeApp({
      'pages/api/a.ts': SIMPLE_HANDLER,
      'pages/api/b.js': 'module.exports = (req, res) => res.end()\n',
      'src/pages/api/c.mjs': 'exports.default = function (req, res) {}\n',
    });
    const result = runCli(['check', app]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 pages/api handlers remain:');
    for (const file of ['pages/api/a.ts', 'pages/api/b.js', 'src/pages/api/c.mjs']) expect(result.stdout).toContain(`  ${file}\n`);
  });

  it('ignores helpers, declarations and tests', () => {
    const app = makeApp({
      'pages/api/helper.ts': 'export const x = 1;\n',
      'pages/api/types.d.ts': 'export default interface X {}\n',
      'pages/api/a.test.ts': SIMPLE_HANDLER,
      'pages/api/a.spec.js': SIMPLE_HANDLER,
      'pages/api/__tests__/b.ts': SIMPLE_HANDLER,
      'pages/api/notes.md': 'export default\n',
    });
    const result = runCli(['check', app]);
    expect(result.stdout).toBe('No pages/api handlers remain, and no route file has a TODO(migrate) marker.\n');
    expect(result.code).toBe(0);
  });

  it('exits 1 and gives file:line for route files that still carry a TODO(migrate) marker', () => {
    const app = makeApp({
      'app/api/a/route.ts': `import x from 'y';\n// TODO(migrate): REQ_NODE_ONLY a Node-only request member\n${ROUTE}`,
      'src/app/api/b/route.js': ROUTE,
    });
    const result = runCli(['check', app]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('1 TODO(migrate) marker remains in route files:');
    expect(result.stdout).toContain('  app/api/a/route.ts:2  // TODO(migrate): REQ_NODE_ONLY');
  });

  it('exits 0 with one line when nothing remains', () => {
    const app = makeApp({ 'app/api/a/route.ts': ROUTE });
    const result = runCli(['check', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('No pages/api handlers remain, and no route file has a TODO(migrate) marker.\n');
  });

  it('exits 1 before a migration and 0 after it', () => {
    const app = makeApp({ 'pages/api/a.ts': SIMPLE_HANDLER, 'pages/api/b/[id].ts': SIMPLE_HANDLER });
    expect(runCli(['check', app]).code).toBe(1);
    const run = runCli(['run', app, '--yes']);
    expect(run.code).toBe(0);
    commitAll(app);
    const after = runCli(['check', app]);
    expect(after.stdout).toMatch(/^No pages\/api handlers remain/);
    expect(after.code).toBe(0);
  });

  it('fails with one sentence on a missing folder', () => {
    const result = runCli(['check', '/no/such/app']);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr);
  });

  it('rejects unknown flags with exit 2', () => {
    expect(runCli(['check', '--strict']).code).toBe(2);
  });

  it('does not read app/ outside route files', () => {
    const app = makeApp({ 'app/api/a/helper.ts': '// TODO(migrate): not a route file\n' });
    expect(runCli(['check', app]).code).toBe(0);
  });
});
