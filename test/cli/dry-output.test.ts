import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, SIMPLE_HANDLER, childEnv, exists, git, makeApp, removeTempDirs, requireBuild, runCli, tempDir, treeHash } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const BODY_HANDLER = `export default function handler(req, res) {\n  res.status(201).json({ got: req.body })\n}\n`;
const HELPER = 'export const one = 1;\n';
const ESC = '\x1b[';

function twoApps(): [string, string] {
  const files = { 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/api/items/[id].ts': BODY_HANDLER, 'pages/api/lib.ts': HELPER };
  return [makeApp(files), makeApp(files)];
}

describe('migrate run --dry: the diff', () => {
  it('is a patch git applies, giving exactly the tree the real run writes', () => {
    const [previewed, migrated] = twoApps();
    const dry = runCli(['run', previewed, '--dry', '--quiet']);
    expect(dry.code).toBe(0);
    const patch = path.join(tempDir(), 'migrate.patch');
    writeFileSync(patch, dry.stdout);
    // git apply ignores the summary line after the last hunk, as it ignores a mail signature.
    git(previewed, 'apply', '--index', patch);
    expect(runCli(['run', migrated, '--yes']).code).toBe(0);
    expect(treeHash(previewed)).toBe(treeHash(migrated));
  });

  it('has a header per file: new file for routes and the shared helper, deleted file for sources', () => {
    const [app] = twoApps();
    const { stdout } = runCli(['run', app, '--dry']);
    const headers = stdout.split('\n').filter((line) => line.startsWith('diff --git') || /^(new|deleted) file mode/.test(line));
    expect(headers).toEqual([
      'diff --git a/app/api/hello/route.ts b/app/api/hello/route.ts',
      'new file mode 100644',
      'diff --git a/app/api/items/[id]/route.ts b/app/api/items/[id]/route.ts',
      'new file mode 100644',
      'diff --git a/app/api/_migrate/pages-compat.js b/app/api/_migrate/pages-compat.js',
      'new file mode 100644',
      'diff --git a/pages/api/hello.ts b/pages/api/hello.ts',
      'deleted file mode 100644',
      'diff --git a/pages/api/items/[id].ts b/pages/api/items/[id].ts',
      'deleted file mode 100644',
    ]);
  });
});

describe('a reader that closes the pipe early (| head, | true)', () => {
  // `true` exits before the tool has started, so every write meets a closed pipe.
  function intoClosedPipe(args: string[]) {
    const command = `"${process.execPath}" "${BIN}" ${args.map((a) => `"${a}"`).join(' ')} | true; exit \${PIPESTATUS[0]}`;
    return spawnSync('bash', ['-c', command], { env: childEnv(), encoding: 'utf8' });
  }

  it('ends the preview quietly, with no stack trace', () => {
    const [app] = twoApps();
    const result = intoClosedPipe(['run', app, '--dry']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('still finishes a run that writes: never half a migration', () => {
    const [app] = twoApps();
    const result = intoClosedPipe(['run', app, '--yes']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(exists(app, 'app/api/hello/route.ts')).toBe(true);
    expect(exists(app, 'pages/api/hello.ts')).toBe(false);
  });
});

describe('migrate run --dry --stat', () => {
  it('prints only the per-file summary, as git diff --stat does, then the run summary', () => {
    const [app] = twoApps();
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry', '--stat']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('diff --git');
    expect(result.stdout).not.toContain('@@');
    const lines = result.stdout.split('\n');
    // Names padded to one column; bars scaled down because the shared helper is over 40 lines (how far depends on
    // its length; the next test checks the counts against git's).
    expect(lines[0]).toMatch(/^ app\/api\/hello\/route\.ts {11}\| {3}7 \+{1,6}$/);
    expect(lines[2]).toMatch(/^ app\/api\/_migrate\/pages-compat\.js \| \d{3} \+{40}$/);
    expect(lines[3]).toBe(' pages/api/hello.ts               |   3 -');
    expect(lines[4]).toBe(' pages/api/items/[id].ts          |   3 -');
    expect(lines[5]).toMatch(/^ 5 files changed, \d+ insertions\(\+\), 6 deletions\(-\)$/);
    expect(lines[6]).toMatch(/^Migrated 2 of 2 handlers/);
    expect(treeHash(app)).toBe(before);
  });

  it('counts the same lines as git does for the patch', () => {
    const [app] = twoApps();
    const patch = path.join(tempDir(), 'migrate.patch');
    writeFileSync(patch, runCli(['run', app, '--dry', '--quiet']).stdout);
    const ours = runCli(['run', app, '--dry', '--stat', '--quiet']).stdout.split('\n').slice(0, 6);
    const gits = spawnSync('git', ['apply', '--stat', patch], { cwd: app, encoding: 'utf8' }).stdout.split('\n');
    const counts = (lines: string[]) => lines.map((l) => /\|\s+(\d+)/.exec(l)?.[1]).filter(Boolean).sort();
    expect(counts(ours)).toEqual(counts(gits));
    expect(ours[5].trim()).toBe(gits.at(-2)?.trim());
  });

  it('is a usage error without --dry (exit 2), and writes nothing', () => {
    const [app] = twoApps();
    const before = treeHash(app);
    const result = runCli(['run', app, '--stat']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--stat goes with --dry');
    expect(treeHash(app)).toBe(before);
  });
});

describe('colour', () => {
  it('is off when stdout is not a terminal', () => {
    const [app] = twoApps();
    expect(runCli(['run', app, '--dry']).stdout).not.toContain(ESC);
  });

  it('is on with FORCE_COLOR=1 even through a pipe: added lines green, removed red, hunks cyan', () => {
    const [app] = twoApps();
    const { stdout } = runCli(['run', app, '--dry'], { env: { FORCE_COLOR: '1' } });
    expect(stdout).toContain(`${ESC}32m+export`);
    expect(stdout).toContain(`${ESC}31m-export default function handler`);
    expect(stdout).toMatch(/\x1b\[36m@@ -0,0 \+1,\d+ @@/);
    expect(stdout).toContain(`${ESC}1mdiff --git a/app/api/hello/route.ts`);
    const stat = runCli(['run', app, '--dry', '--stat'], { env: { FORCE_COLOR: '1' } }).stdout;
    expect(stat).toContain(`${ESC}32m+++`);
    expect(stat).toContain(`${ESC}31m-`);
  });

  it('is on for errors on stderr with FORCE_COLOR=1, and off with FORCE_COLOR=0', () => {
    expect(runCli(['run', '/no/such/app'], { env: { FORCE_COLOR: '1' } }).stderr).toContain(`${ESC}31mError:`);
    expect(runCli(['run', '/no/such/app'], { env: { FORCE_COLOR: '0' } }).stderr).not.toContain(ESC);
  });

  it('FORCE_COLOR wins over NO_COLOR, as in Node itself', () => {
    const [app] = twoApps();
    expect(runCli(['run', app, '--dry'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).toContain(ESC);
  });
});

// On a real terminal (a pty from util-linux `script`): colour by default, none with NO_COLOR.
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

function onTerminal(args: string[], env: Record<string, string>): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['FORCE_COLOR', 'NO_COLOR', 'CI', 'TF_BUILD'].includes(k)));
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...clean, TERM: 'xterm-256color', ...env }, encoding: 'utf8' });
  return result.stdout;
}

describe.skipIf(!hasScript)('colour on a terminal', () => {
  it('is on by default', () => {
    const [app] = twoApps();
    expect(onTerminal(['run', app, '--dry'], {})).toContain(`${ESC}32m+export`);
  });

  it('is off with NO_COLOR=1, and with FORCE_COLOR=0', () => {
    const [app] = twoApps();
    const plain = onTerminal(['run', app, '--dry'], { NO_COLOR: '1' });
    expect(plain).toContain('+export');
    expect(plain).not.toContain(ESC);
    expect(onTerminal(['run', app, '--dry'], { FORCE_COLOR: '0' })).not.toContain(ESC);
  });

  it('ignores an empty NO_COLOR, as no-color.org says', () => {
    const [app] = twoApps();
    expect(onTerminal(['run', app, '--dry'], { NO_COLOR: '' })).toContain(ESC);
  });
});
