import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, commitAll, expectOneLineError, makeApp, removeTempDirs, requireBuild, runCli, tempDir, writeFiles, git } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const ROUTE = 'export function GET() {\n  return Response.json({ ok: true });\n}\n';
const MARKER = '// TODO(migrate): REQ_NODE_ONLY a Node-only request member';
const ALL_CLEAR = 'No pages/api handlers remain, and no route file has a TODO(migrate) marker.\n';

describe('migrate check', () => {
  it('exits 1 and lists the handlers still in pages/api and src/pages/api, as file:line', () => {
    const app = makeApp({
      'pages/api/a.ts': SIMPLE_HANDLER,
      'pages/api/b.js': '// a comment\nmodule.exports = (req, res) => res.end()\n',
      'src/pages/api/c.jsx': 'export default function (req, res) {}\n',
      // Not a page: Next.js serves only its pageExtensions (tsx ts jsx js by default).
      'src/pages/api/d.mjs': 'export default function (req, res) {}\n',
    });
    const result = runCli(['check'], { cwd: app });
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('3 pages/api handlers remain.');
    expect(lines.slice(1)).toEqual([
      '  pages/api/a.ts:1  pages/api handler not migrated yet: run `migrate run`, or migrate it by hand',
      '  pages/api/b.js:2  pages/api handler not migrated yet: run `migrate run`, or migrate it by hand',
      '  src/pages/api/c.jsx:1  pages/api handler not migrated yet: run `migrate run`, or migrate it by hand',
    ]);
  });

  it('gives paths from the current folder, so that a terminal or an editor can open them', () => {
    const app = makeApp({ 'pages/api/a.ts': SIMPLE_HANDLER });
    const result = runCli(['check', app], { cwd: path.dirname(app) });
    expect(result.stdout).toContain(`  ${path.basename(app)}/pages/api/a.ts:1  `);
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
    expect(result.stdout).toBe(ALL_CLEAR);
    expect(result.code).toBe(0);
  });

  it('exits 1 and gives file:line for route files that still carry a TODO(migrate) marker', () => {
    const app = makeApp({
      'app/api/a/route.ts': `import x from 'y';\n${MARKER}\n${ROUTE}`,
      'src/app/api/b/route.js': ROUTE,
    });
    const result = runCli(['check'], { cwd: app });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`1 TODO(migrate) marker remains.\n  app/api/a/route.ts:2  ${MARKER}\n`);
  });

  it('exits 0 with one line when nothing remains', () => {
    const app = makeApp({ 'app/api/a/route.ts': ROUTE });
    const result = runCli(['check', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(ALL_CLEAR);
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

describe('migrate check: summary and verbosity', () => {
  it('summarises handlers and markers in one line; --quiet prints only that line', () => {
    const app = makeApp({ 'pages/api/a.ts': SIMPLE_HANDLER, 'pages/api/b.ts': SIMPLE_HANDLER, 'app/api/c/route.ts': `${MARKER}\n${ROUTE}` });
    const normal = runCli(['check', app]);
    expect(normal.stdout.split('\n')[0]).toBe('2 pages/api handlers and 1 TODO(migrate) marker remain.');
    const quiet = runCli(['check', app, '--quiet']);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe('2 pages/api handlers and 1 TODO(migrate) marker remain.\n');
  });

  it('--verbose also says how many files it looked at', () => {
    const app = makeApp({ 'pages/api/a.ts': SIMPLE_HANDLER, 'pages/api/lib.ts': 'export const x = 1;\n', 'app/api/c/route.ts': ROUTE });
    const result = runCli(['check', app, '--verbose']);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Looked at 2 source files in pages/api and 1 route file.');
  });

  it('refuses --quiet with --verbose (exit 2)', () => {
    const result = runCli(['check', '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot be used with option '-v, --verbose'");
  });
});

describe('migrate check under GitHub Actions', () => {
  it('prints one ::error annotation per handler and marker, with file and line, then the summary', () => {
    const app = makeApp({
      'pages/api/a.ts': `import x from 'x'\n\n${SIMPLE_HANDLER}`,
      'app/api/c/route.ts': `${ROUTE}${MARKER} (req.socket.remoteAddress) — https://example.test/README.md#req_node_only\n`,
    });
    const result = runCli(['check', app], { cwd: app, env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: app } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      '::error file=pages/api/a.ts,line=3,title=Pages Router API handler::pages/api handler not migrated yet: run `migrate run`, or migrate it by hand.\n' +
        '::error file=app/api/c/route.ts,line=4,title=TODO(migrate) REQ_NODE_ONLY::REQ_NODE_ONLY a Node-only request member (req.socket.remoteAddress) — https://example.test/README.md#req_node_only\n' +
        '1 pages/api handler and 1 TODO(migrate) marker remain.\n',
    );
  });

  it('gives paths from GITHUB_WORKSPACE when the app is a folder of the repository', () => {
    const repo = tempDir();
    writeFiles(repo, { 'apps/web/package.json': '{ "name": "web" }\n', 'apps/web/pages/api/a.ts': SIMPLE_HANDLER });
    git(repo, 'init', '-q');
    const result = runCli(['check', 'apps/web'], { cwd: repo, env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: repo } });
    expect(result.stdout.split('\n')[0]).toMatch(/^::error file=apps\/web\/pages\/api\/a\.ts,line=1,title=/);
  });

  it('escapes what GitHub would read as the end of a property or of the message', () => {
    const app = makeApp({ 'app/api/x,y/route.ts': `${ROUTE}// TODO(migrate): 100% sure: look here\n` });
    const result = runCli(['check', app], { cwd: app, env: { GITHUB_ACTIONS: 'true' } });
    expect(result.stdout.split('\n')[0]).toBe('::error file=app/api/x%2Cy/route.ts,line=4,title=TODO(migrate)::100%25 sure: look here');
  });

  it('prints only the summary when nothing remains', () => {
    const app = makeApp({ 'app/api/a/route.ts': ROUTE });
    const result = runCli(['check', app], { env: { GITHUB_ACTIONS: 'true' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(ALL_CLEAR);
  });
});

describe('migrate check --json', () => {
  it('prints the schema-1 document, also under GitHub Actions, and exits 1 when something remains', () => {
    const app = makeApp({ 'pages/api/a.ts': SIMPLE_HANDLER, 'app/api/c/route.ts': `${ROUTE}${MARKER}\n` });
    const result = runCli(['check', app, '--json'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      version: 1,
      ok: false,
      summary: { handlers: 1, markers: 1 },
      handlers: [{ file: 'pages/api/a.ts', line: 1 }],
      markers: [{ file: 'app/api/c/route.ts', line: 4, code: 'REQ_NODE_ONLY', text: MARKER }],
    });
  });

  it('says ok with exit 0 when nothing remains', () => {
    const app = makeApp({ 'app/api/a/route.ts': ROUTE });
    const result = runCli(['check', app, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ version: 1, ok: true, summary: { handlers: 0, markers: 0 }, handlers: [], markers: [] });
  });
});
