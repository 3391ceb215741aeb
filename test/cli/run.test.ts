import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIMPLE_HANDLER,
  commitAll,
  exists,
  expectOneLineError,
  makeApp,
  read,
  removeTempDirs,
  requireBuild,
  runCli,
  tempDir,
  treeHash,
  writeFiles,
} from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const HELPER = `export function double(n: number) {\n  return n * 2;\n}\n`;

describe('migrate run --dry', () => {
  it('writes nothing at all, even in a dirty tree', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/api/lib.ts': HELPER });
    writeFiles(app, { 'notes.txt': 'uncommitted\n' });
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(treeHash(app)).toBe(before);
  });

  it('prints a git-style diff of every file it would create or delete', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER });
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('diff --git a/app/api/hello/route.ts b/app/api/hello/route.ts\nnew file mode 100644\n--- /dev/null\n+++ b/app/api/hello/route.ts\n@@ ');
    expect(result.stdout).toContain('diff --git a/pages/api/hello.ts b/pages/api/hello.ts\ndeleted file mode 100644\n--- a/pages/api/hello.ts\n+++ /dev/null\n@@ ');
    expect(result.stdout).toContain('-export default function handler(req, res) {');
    expect(result.stdout).not.toContain('\x1b['); // not a terminal: no colour
    expect(treeHash(app)).toBe(before);
  });
});

describe('migrate run: safety checks', () => {
  it('refuses a dirty git tree with one sentence and exit 1, and writes nothing', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER });
    writeFiles(app, { 'pages/api/hello.ts': `${SIMPLE_HANDLER}// edited\n` });
    const before = treeHash(app);
    const result = runCli(['run', app]);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toContain('has uncommitted changes; commit or stash them, or pass --force.');
    expect(treeHash(app)).toBe(before);
  });

  it('counts untracked files as uncommitted changes', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER });
    writeFiles(app, { 'pages/api/new.ts': SIMPLE_HANDLER });
    expect(runCli(['run', app]).code).toBe(1);
  });

  it('runs on a dirty tree with --force', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER });
    writeFiles(app, { 'notes.txt': 'uncommitted\n' });
    const result = runCli(['run', app, '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Migrated \d+ of 1 handler: /m);
  });

  it('refuses a folder outside git, and --force overrides', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER }, { git: false });
    const refused = runCli(['run', app]);
    expect(refused.code).toBe(1);
    expect(expectOneLineError(refused.stderr)).toContain('is not inside a git repository');
    expect(runCli(['run', app, '--force']).code).toBe(0);
  });
});

describe('migrate run: failures are one sentence, exit 1, no stack trace', () => {
  it('a missing folder', () => {
    const result = runCli(['run', '/definitely/not/here']);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toBe('Error: The folder /definitely/not/here does not exist.');
    expect(result.stdout).toBe('');
  });

  it('a folder that is not a Next.js app', () => {
    const dir = tempDir();
    writeFiles(dir, { 'readme.md': 'hi\n' });
    const result = runCli(['run', dir, '--force']);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toContain('is not a Next.js app');
  });

  it('an app without pages/api', () => {
    const app = makeApp({ 'pages/index.tsx': 'export default function Home() { return null }\n' });
    const result = runCli(['run', app]);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toContain('There is no pages/api folder');
  });

  it('a Next.js that would not serve the routes: before 13.2, or 13.2 and 13.3 without experimental.appDir', () => {
    const nextAt = (version: string) => JSON.stringify({ name: 'old-app', dependencies: { next: version } });
    const twelve = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER }, { packageJson: nextAt('^12.3.4') });
    const before = treeHash(twelve);
    for (const args of [['run', twelve], ['run', twelve, '--dry']]) {
      const refused = runCli(args);
      expect(refused.code).toBe(1);
      expect(expectOneLineError(refused.stderr)).toBe(
        'Error: Next.js 12.3.4 has no route handlers (route.ts files came with 13.2, stable from 13.4): its migrated routes would answer 404. Upgrade Next.js (13.4 or later) first, or pass --next <version> with the version you are moving to.',
      );
    }
    expect(treeHash(twelve)).toBe(before);
    // Stating the version the app moves to lets the run go on.
    expect(runCli(['run', twelve, '--dry', '--next', '14.2.35']).code).toBe(0);

    const thirteen = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER }, { packageJson: nextAt('13.3.0') });
    expect(expectOneLineError(runCli(['run', thirteen, '--dry']).stderr)).toContain('Next.js 13.3.0 serves app/ only with experimental.appDir: true in next.config, which this app does not set');
    writeFiles(thirteen, { 'next.config.js': 'module.exports = {\n  experimental: { appDir: true },\n};\n' });
    const flagged = runCli(['run', thirteen, '--dry']);
    expect(flagged.stderr).toBe('');
    expect(flagged.stdout).toContain('+++ b/app/api/hello/route.ts');
  });

  it('a stack trace only with --debug', () => {
    const plain = runCli(['run', '/definitely/not/here']);
    expect(plain.stderr).not.toMatch(/^\s+at /m);
    const debug = runCli(['run', '/definitely/not/here', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr.split('\n')[0]).toBe('Error: The folder /definitely/not/here does not exist.');
    expect(debug.stderr).toMatch(/^\s+at loadProject \(/m);
  });

  it('an unknown Next.js version, unless --next is given', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER }, { packageJson: '{ "name": "app", "dependencies": { "next": "latest" } }\n' });
    const result = runCli(['run', app, '--dry']);
    expect(result.code).toBe(1);
    expect(expectOneLineError(result.stderr)).toContain('pass --next <version>');
    expect(runCli(['run', app, '--dry', '--next', '15.5.0']).code).toBe(0);
  });
});

describe('migrate: usage errors exit 2', () => {
  it('an unknown flag: one sentence, and where to look', () => {
    const result = runCli(['run', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unknown option '--frobnicate'\n(run with --help for usage)\n");
    expect(result.stdout).toBe('');
  });

  it('an unknown command', () => {
    expect(runCli(['migrat']).code).toBe(2);
  });

  it('a --next value that is not a version', () => {
    expect(runCli(['run', '--next', 'banana']).code).toBe(2);
  });

  it('--help exits 0 and answers the obvious questions', () => {
    const result = runCli(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('root folder of the Next.js app');
    expect(result.stdout).toContain('--dry');
    expect(result.stdout).toContain('uncommitted changes');
    expect(runCli(['check', '--help']).code).toBe(0);
    expect(runCli(['--help']).code).toBe(0);
  });
});

describe('migrate run: writing', () => {
  it('writes the route, removes the source and the folders left empty, and keeps helpers', () => {
    const app = makeApp({
      'pages/api/hello.ts': SIMPLE_HANDLER,
      'pages/api/nested/deep/index.js': SIMPLE_HANDLER,
      'pages/api/lib.ts': HELPER,
    });
    const result = runCli(['run', app]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Migrated 2 of 2 handlers: 2 clean, 0 need review (0 markers); 0 left in place');
    expect(result.stdout).toContain('not a handler, left in place');
    expect(read(app, 'app/api/hello/route.ts')).toContain('export');
    expect(exists(app, 'app/api/nested/deep/route.js')).toBe(true);
    expect(exists(app, 'pages/api/hello.ts')).toBe(false);
    expect(exists(app, 'pages/api/nested')).toBe(false);
    expect(read(app, 'pages/api/lib.ts')).toBe(HELPER);
  });

  it('a second run changes nothing', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/api/lib.ts': HELPER });
    expect(runCli(['run', app]).code).toBe(0);
    commitAll(app);
    const before = treeHash(app);
    const second = runCli(['run', app]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to migrate');
    expect(treeHash(app)).toBe(before);
  });

  it('says "Nothing to migrate" when pages/api is gone and routes exist', () => {
    const app = makeApp({ 'pages/index.tsx': 'export default function Home() { return null }\n', 'app/api/hello/route.ts': 'export function GET() { return Response.json({}) }\n' });
    const result = runCli(['run', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to migrate');
  });

  it('leaves a conflicting file untouched and reports it, while the others proceed', () => {
    const existing = 'export function GET() { return Response.json({ existing: true }) }\n';
    const app = makeApp({
      'pages/api/taken.ts': SIMPLE_HANDLER,
      'app/api/taken/route.ts': existing,
      'pages/api/free.ts': SIMPLE_HANDLER,
    });
    const result = runCli(['run', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pages\/api\/taken\.ts → app\/api\/taken\/route\.ts {2}conflict, left in place/);
    expect(result.stdout).toContain('TARGET_EXISTS');
    expect(read(app, 'pages/api/taken.ts')).toBe(SIMPLE_HANDLER);
    expect(read(app, 'app/api/taken/route.ts')).toBe(existing);
    expect(exists(app, 'app/api/free/route.ts')).toBe(true);
    expect(exists(app, 'pages/api/free.ts')).toBe(false);
  });

  it('treats two sources for one route as a conflict and leaves both', () => {
    const app = makeApp({
      'pages/api/x.ts': SIMPLE_HANDLER,
      'pages/api/x/index.ts': SIMPLE_HANDLER,
      'pages/api/other.ts': SIMPLE_HANDLER,
    });
    const result = runCli(['run', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('DUPLICATE_ROUTE');
    expect(exists(app, 'pages/api/x.ts')).toBe(true);
    expect(exists(app, 'pages/api/x/index.ts')).toBe(true);
    expect(exists(app, 'app/api/x')).toBe(false);
    expect(exists(app, 'app/api/other/route.ts')).toBe(true);
  });

  it('does not put a route beside a page', () => {
    const page = 'export default function Page() { return null }\n';
    const app = makeApp({ 'pages/api/shop.ts': SIMPLE_HANDLER, 'app/api/shop/page.tsx': page });
    const result = runCli(['run', app]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PAGE_IN_FOLDER');
    expect(exists(app, 'pages/api/shop.ts')).toBe(true);
    expect(exists(app, 'app/api/shop/route.ts')).toBe(false);
  });

  it('maps src/pages/api to src/app/api', () => {
    const app = makeApp({ 'src/pages/api/users/[id].ts': SIMPLE_HANDLER });
    expect(runCli(['run', app]).code).toBe(0);
    expect(exists(app, 'src/app/api/users/[id]/route.ts')).toBe(true);
    expect(exists(app, 'src/pages/api/users/[id].ts')).toBe(false);
  });
});
