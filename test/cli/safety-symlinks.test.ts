/**
 * Symlinks in and around the app: the tool never follows a link out of the app root, never writes through one, and
 * says so on one report line. The folder outside the app must hash the same after the run.
 */
import { lstatSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, commitAll, exists, makeApp, removeTempDirs, requireBuild, runCli, tempDir, treeHash, writeFiles } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

interface ReportFile {
  source: string;
  status: string;
  reasons: Array<{ code: string; detail?: string }>;
}

function run(app: string): { stdout: string; files: Record<string, ReportFile> } {
  const report = path.join(tempDir(), 'report.json');
  const result = runCli(['run', app, '--yes', '--report', report]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { files: ReportFile[] };
  return { stdout: result.stdout, files: Object.fromEntries(json.files.map((f) => [f.source, f])) };
}

describe('symlinks', () => {
  it('never follows a file or folder link out of the app, and follows one that stays inside', () => {
    const outside = tempDir('migrate-outside-');
    writeFiles(outside, { 'handlers/a.ts': SIMPLE_HANDLER, 'handlers/b.ts': SIMPLE_HANDLER, 'secret.ts': SIMPLE_HANDLER });
    const app = makeApp({ 'pages/api/ok.ts': SIMPLE_HANDLER, 'lib/inside.ts': SIMPLE_HANDLER });
    symlinkSync(path.join(outside, 'handlers'), path.join(app, 'pages/api/linked'));
    symlinkSync(path.join(outside, 'secret.ts'), path.join(app, 'pages/api/secret.ts'));
    symlinkSync('../../lib/inside.ts', path.join(app, 'pages/api/inside.ts'));
    commitAll(app);
    const outsideBefore = treeHash(outside);

    const { stdout, files } = run(app);
    expect(files['pages/api/linked']).toMatchObject({ status: 'left', reasons: [{ code: 'OUTSIDE_ROOT' }] });
    expect(files['pages/api/secret.ts']).toMatchObject({ status: 'left', reasons: [{ code: 'OUTSIDE_ROOT' }] });
    expect(stdout.split('\n').filter((line) => line.startsWith('  pages/api/linked '))).toHaveLength(1);
    // Nothing inside the linked folder was even listed.
    expect(Object.keys(files).filter((f) => f.startsWith('pages/api/linked/'))).toEqual([]);
    expect(treeHash(outside)).toBe(outsideBefore);
    expect(readlinkSync(path.join(app, 'pages/api/linked'))).toBe(path.join(outside, 'handlers'));
    expect(lstatSync(path.join(app, 'pages/api/secret.ts')).isSymbolicLink()).toBe(true);

    // A link to a file inside the app is migrated: the link goes, the file it pointed to stays.
    expect(files['pages/api/inside.ts'].status).toBe('migrated');
    expect(exists(app, 'pages/api/inside.ts')).toBe(false);
    expect(readFileSync(path.join(app, 'lib/inside.ts'), 'utf8')).toBe(SIMPLE_HANDLER);
    expect(files['pages/api/ok.ts'].status).toBe('migrated');
  });

  it('never writes through a link out of the app on the way to a route', () => {
    const outside = tempDir('migrate-outside-');
    writeFiles(outside, { 'keep.txt': 'outside\n' });
    const app = makeApp({ 'pages/api/escape/x.ts': SIMPLE_HANDLER, 'pages/api/ok.ts': SIMPLE_HANDLER, 'app/layout.tsx': 'export default function L() { return null }\n' });
    symlinkSync(outside, path.join(app, 'app/api'));
    commitAll(app);
    const outsideBefore = treeHash(outside);

    const { files } = run(app);
    for (const source of ['pages/api/escape/x.ts', 'pages/api/ok.ts']) {
      expect(files[source]).toMatchObject({ status: 'conflict', reasons: [{ code: 'OUTSIDE_ROOT' }] });
      expect(files[source].reasons[0].detail).toContain(`app/api links to ${outside}`);
      expect(readFileSync(path.join(app, source), 'utf8')).toBe(SIMPLE_HANDLER);
    }
    expect(treeHash(outside)).toBe(outsideBefore);
  });

  it('never rewrites a helper module reached through a link out of the app', () => {
    const outside = tempDir('migrate-outside-');
    const errors = `export function sendError(res, status, message) {\n  res.status(status).json({ error: message })\n}\n`;
    writeFiles(outside, { 'errors.js': errors });
    const app = makeApp({
      'pages/api/items.js': `import { sendError } from '../../shared/errors'\n\nexport default function handler(req, res) {\n  if (!req.query.q) return sendError(res, 400, 'q is required')\n  res.status(200).json({ q: req.query.q })\n}\n`,
      'pages/api/ok.js': SIMPLE_HANDLER,
    });
    symlinkSync(outside, path.join(app, 'shared'));
    commitAll(app);
    const outsideBefore = treeHash(outside);

    const { files } = run(app);
    expect(files['pages/api/items.js'].status).toBe('left');
    expect(treeHash(outside)).toBe(outsideBefore);
    expect(readFileSync(path.join(outside, 'errors.js'), 'utf8')).toBe(errors);
    expect(files['pages/api/ok.js'].status).toBe('migrated');
  });
});
