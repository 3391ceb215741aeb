import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_BASE } from '../../src/diagnostics.js';
import { REPO_ROOT, SIMPLE_HANDLER, makeApp, read, removeTempDirs, requireBuild, runCli, tempDir, treeHash } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const SUMMARY_KEYS = ['conflicts', 'handlers', 'left', 'markers', 'migrated', 'notHandlers', 'review'];
const FILE_KEYS = ['markers', 'methods', 'notes', 'reasons', 'source', 'status', 'target'];

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

// A handler the transform migrates with a TODO(migrate) marker (a config key with no App Router equivalent).
const REVIEW_HANDLER = `export const config = { unstable_includeFiles: ['data/**'] }\n\n${SIMPLE_HANDLER}`;
const WRAPPED = 'function withAuth(h) { return h }\nfunction h(req, res) { res.json({}) }\nexport default withAuth(h)\n';

describe('heads-up: the app\'s 404 page on Next.js 16', () => {
  it('says so in the summary and the reports where the run creates app/ beside pages/404, and only there', () => {
    const page = 'export default function NotFound() {\n  return <h1>Lost?</h1>\n}\n';
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/404.tsx': page });
    const json = path.join(tempDir(), 'report.json');
    const md = path.join(tempDir(), 'report.md');
    const sixteen = runCli(['run', app, '--dry', '--next', '16.4.6', '--report', json, '--report', md]);
    expect(sixteen.code).toBe(0);
    const text = 'once app/ exists, Next.js 16.4.6 answers URLs nothing matches with its own not-found page instead of this one; add app/not-found.tsx and a root layout that render the same to keep it';
    expect(sixteen.stdout).toContain(`Heads-up (the run cannot keep this):\n  pages/404.tsx  ${text}`);
    expect(readReport(json).warnings).toEqual([{ path: 'pages/404.tsx', text }]);
    expect(readFileSync(md, 'utf8')).toContain(`### Heads-up\n\nWhat changes for the app beyond its routes, which the run cannot keep.\n\n- \`pages/404.tsx\`: ${text}`);
    // Next.js 15 keeps the app's page; an app that has app/ already had Next's page.
    expect(runCli(['run', app, '--dry', '--next', '15.5.29']).stdout).not.toContain('Heads-up');
    const withApp = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/404.tsx': page, 'app/layout.tsx': 'export default function Layout({ children }) {\n  return children\n}\n' });
    expect(runCli(['run', withApp, '--dry', '--next', '16.4.6']).stdout).not.toContain('Heads-up');
  });
});

describe('--report: markers', () => {
  it('lists each marker of a route with its line in the written file, the line its reason gives', () => {
    const app = makeApp({ 'pages/api/cfg.ts': REVIEW_HANDLER });
    const file = path.join(tempDir(), 'report.json');
    expect(runCli(['run', app, '--yes', '--report', file]).code).toBe(0);
    const [entry] = readReport(file).files;
    expect(entry.status).toBe('review');
    expect(entry.markers).toHaveLength(1);
    const [marker] = entry.markers;
    expect(marker).toMatchObject({ code: 'CONFIG_DROPPED' });
    expect(Object.keys(marker).sort()).toEqual(['code', 'line', 'text']);
    const routeLines = read(app, entry.target).split('\n');
    expect(routeLines[marker.line - 1].trim()).toBe(marker.text);
    expect(marker.text).toContain(`${DOCS_BASE}#config_dropped`);
    expect(entry.reasons[0]).toMatchObject({ code: 'CONFIG_DROPPED', line: marker.line });
  });
});

describe('--report report.md', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

  it('writes Markdown for a pull request, and JSON beside it in the same run', () => {
    const app = makeApp({
      'pages/api/hello.ts': SIMPLE_HANDLER,
      'pages/api/cfg.ts': REVIEW_HANDLER,
      'pages/api/wrapped.ts': WRAPPED,
      'pages/api/lib.ts': 'export const one = 1;\n',
    });
    const dir = tempDir();
    const result = runCli(['run', app, '--yes', '--report', path.join(dir, 'migrate.md'), '--report', path.join(dir, 'migrate.json')]);
    expect(result.code).toBe(0);
    expect(readReport(path.join(dir, 'migrate.json')).summary.handlers).toBe(3);

    const md = readFileSync(path.join(dir, 'migrate.md'), 'utf8');
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Migrate `pages/api` to App Router route handlers');
    expect(lines[2]).toBe('**Migrated 2 of 3 handlers**: 1 clean, 1 need review (1 `TODO(migrate)` marker), 1 left in place.');
    expect(md).toContain('| Source | Route | Status | Methods |\n|---|---|---|---|\n');
    expect(md).toContain('| `pages/api/hello.ts` | `app/api/hello/route.ts` | ✅ migrated | `GET`, `POST`, `PUT`, `PATCH`, `DELETE` |');
    expect(md).toContain('| `pages/api/cfg.ts` | `app/api/cfg/route.ts` | ⚠️ needs review |');
    expect(md).toContain('| `pages/api/wrapped.ts` | — | ❌ left in place |  |');
    expect(md).toMatch(/### To review\n[\s\S]*- `app\/api\/cfg\/route\.ts` line \d+: \[`CONFIG_DROPPED`\]\(\S+#config_dropped\) a config option has no App Router equivalent and was dropped \(`config\.unstable_includeFiles`\)/);
    expect(md).toMatch(/### Left in place\n[\s\S]*- `pages\/api\/wrapped\.ts`: \[`HANDLER_NOT_FOUND`\]\(\S+#handler_not_found\)/);
    expect(md).toContain('`pages/api/lib.ts` has no default export');
    // Every link leads to a reason section of the README.
    for (const [, anchor] of md.matchAll(/\]\(https:\/\/\S+?README\.md#([a-z_]+)\)/g)) {
      expect(readme).toContain(`\n### ${anchor.toUpperCase()}\n`);
    }
    expect(md).not.toContain('Dry run');
  });

  it('says when it describes a dry run, and .markdown works too', () => {
    const app = makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER });
    const file = path.join(tempDir(), 'pr.markdown');
    expect(runCli(['run', app, '--dry', '--report', file]).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('**Migrated 1 of 1 handler**: 1 clean, 0 need review (0 `TODO(migrate)` markers), 0 left in place. *Dry run: nothing written yet.*');
  });
});
