/**
 * Files and folders the tool may not read (chmod 000). Root reads them anyway, so when the tests run as root the CLI
 * is started as the unprivileged user `nobody`, with the app handed to that user: the permissions then bite for real.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, exists, makeApp, removeTempDirs, requireBuild, runCli, tempDir, type CliOptions } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** Whether this process may start another as `nobody` (root in a container may lack CAP_SETUID). */
const canSwitchUser = isRoot && spawnSync('true', [], { uid: NOBODY, gid: NOBODY }).status === 0;
const skipWhy = isRoot && !canSwitchUser ? 'running as root without the right to switch user, so chmod 000 cannot block a read' : '';

/** Options that make the CLI unprivileged: as `nobody` when we are root, with a HOME git can read. */
function unprivileged(app: string): CliOptions {
  if (!isRoot) return {};
  const home = tempDir('migrate-home-');
  for (const dir of [app, home]) chownTree(dir);
  return { uid: NOBODY, env: { HOME: home } };
}

function chownTree(dir: string): void {
  const result = spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
  if (result.status !== 0) throw new Error(`chown ${dir} failed: ${result.stderr}`);
}

describe.skipIf(Boolean(skipWhy))(`unreadable files and folders${skipWhy ? ` (skipped: ${skipWhy})` : ''}`, () => {
  it('reports each with UNREADABLE, leaves them as they were, and migrates the rest', () => {
    const app = makeApp({
      'pages/api/ok.ts': SIMPLE_HANDLER,
      'pages/api/secret.ts': SIMPLE_HANDLER,
      'pages/api/locked/inner.ts': SIMPLE_HANDLER,
    });
    const options = unprivileged(app);
    chmodSync(path.join(app, 'pages/api/secret.ts'), 0o000);
    chmodSync(path.join(app, 'pages/api/locked'), 0o000);
    try {
      const reportDir = tempDir();
      if (isRoot) chownTree(reportDir);
      const report = path.join(reportDir, 'report.json');
      // --force: git itself cannot read these paths, so it never calls the tree clean.
      const result = runCli(['run', app, '--yes', '--force', '--report', report], options);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('UNREADABLE the file or folder cannot be read: EACCES');
      const json = JSON.parse(readFileSync(report, 'utf8'));
      const byFile = Object.fromEntries(json.files.map((f: { source: string; status: string; reasons: Array<{ code: string; detail: string }> }) => [f.source, f]));
      expect(byFile['pages/api/secret.ts']).toMatchObject({ status: 'left', reasons: [{ code: 'UNREADABLE', detail: 'EACCES' }] });
      expect(byFile['pages/api/locked']).toMatchObject({ status: 'left', reasons: [{ code: 'UNREADABLE', detail: 'EACCES: the folder cannot be listed' }] });
      expect(byFile['pages/api/ok.ts'].status).toBe('migrated');
      expect(exists(app, 'app/api/ok/route.ts')).toBe(true);

      // `check` does not call the job done while it cannot see into the folder or the file.
      const check = runCli(['check', app, '--json'], options);
      expect(check.code).toBe(1);
      expect(JSON.parse(check.stdout).handlers).toEqual([
        { file: 'pages/api/locked', line: 1 },
        { file: 'pages/api/secret.ts', line: 1 },
      ]);
    } finally {
      chmodSync(path.join(app, 'pages/api/secret.ts'), 0o644);
      chmodSync(path.join(app, 'pages/api/locked'), 0o755);
    }
    expect(readFileSync(path.join(app, 'pages/api/secret.ts'), 'utf8')).toBe(SIMPLE_HANDLER);
    expect(readFileSync(path.join(app, 'pages/api/locked/inner.ts'), 'utf8')).toBe(SIMPLE_HANDLER);
    expect(exists(app, 'app/api/secret')).toBe(false);
    expect(exists(app, 'app/api/locked')).toBe(false);
  });
});
