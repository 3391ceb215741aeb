import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, makeApp, removeTempDirs, requireBuild, runCli, tempDir, treeHash } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const SUMMARY_KEYS = ['conflicts', 'handlers', 'left', 'markers', 'migrated', 'notHandlers', 'review'];
const FILE_KEYS = ['methods', 'notes', 'reasons', 'source', 'status', 'target'];

function readReport(file: string) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('--report', () => {
  it('writes the schema-1 JSON report, also on --dry, and leaves the app untouched', () => {
    const app = makeApp({
      'pages/api/hello.ts': SIMPLE_HANDLER,
      'pages/api/wrapped.ts': 'function withAuth(h) { return h }\nfunction h(req, res) { res.json({}) }\nexport default withAuth(h)\n',
    });
    const file = path.join(tempDir(), 'out', 'report.json');
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry', '--report', file]);
    expect(result.code).toBe(0);
    expect(treeHash(app)).toBe(before);

    const report = readReport(file);
    expect(Object.keys(report).sort()).toEqual(['files', 'nextVersion', 'summary', 'updates', 'version']);
    expect(report.version).toBe(1);
    expect(report.nextVersion).toBe('15.5.0');
    expect(Object.keys(report.summary).sort()).toEqual(SUMMARY_KEYS);
    expect(report.summary.handlers).toBe(2);
    expect(report.files.map((f: { source: string }) => f.source)).toEqual(['pages/api/hello.ts', 'pages/api/wrapped.ts']);
    for (const entry of report.files) {
      expect(Object.keys(entry).sort()).toEqual(FILE_KEYS);
      expect(['migrated', 'review', 'left', 'not-handler', 'conflict']).toContain(entry.status);
      for (const reason of entry.reasons) {
        expect(typeof reason.code).toBe('string');
        expect(typeof reason.short).toBe('string');
        for (const key of Object.keys(reason)) expect(['code', 'short', 'line', 'detail']).toContain(key);
      }
    }
    const wrapped = report.files[1];
    expect(wrapped).toMatchObject({ target: 'app/api/wrapped/route.ts', status: 'left' });
    expect(wrapped.reasons.length).toBeGreaterThan(0);
  });

  it('takes the Next.js version from --next, then node_modules/next, then package.json', () => {
    const app = makeApp({
      'pages/api/hello.ts': SIMPLE_HANDLER,
      'node_modules/next/package.json': '{ "name": "next", "version": "14.2.35" }\n',
    });
    const file = path.join(tempDir(), 'report.json');
    expect(runCli(['run', app, '--dry', '--report', file]).code).toBe(0);
    expect(readReport(file).nextVersion).toBe('14.2.35');
    expect(runCli(['run', app, '--dry', '--next', '16.4', '--report', file]).code).toBe(0);
    expect(readReport(file).nextVersion).toBe('16.4.0');
  });

  it('reports migrated handlers with their target, methods and counts', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/api/lib.ts': 'export const one = 1;\n' });
    const file = path.join(tempDir(), 'report.json');
    expect(runCli(['run', app, '--yes', '--report', file]).code).toBe(0);
    const report = readReport(file);
    expect(report.summary).toEqual({ handlers: 1, migrated: 1, review: 0, left: 0, conflicts: 0, notHandlers: 1, markers: 0 });
    expect(report.files[0]).toMatchObject({ source: 'pages/api/hello.ts', target: 'app/api/hello/route.ts', status: 'migrated', reasons: [] });
    expect(report.files[0].methods.length).toBeGreaterThan(0);
    expect(report.files[1]).toMatchObject({ source: 'pages/api/lib.ts', status: 'not-handler' });
  });
});
