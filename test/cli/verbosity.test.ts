import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, makeApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const WRAPPED = 'function withAuth(h) { return h }\nfunction h(req, res) { res.json({}) }\nexport default withAuth(h)\n';
const REVIEW_HANDLER = `export const config = { unstable_includeFiles: ['data/**'] }\n\n${SIMPLE_HANDLER}`;

function app(): string {
  return makeApp({ 'pages/api/hello.ts': SIMPLE_HANDLER, 'pages/api/cfg.ts': REVIEW_HANDLER, 'pages/api/wrapped.ts': WRAPPED });
}

describe('migrate run --quiet', () => {
  it('prints the one-line summary and what was written, nothing else', () => {
    const result = runCli(['run', app(), '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Migrated 2 of 3 handlers: 1 clean, 1 need review (1 marker); 1 left in place\nWrote 2 files; removed 2 sources.\n');
  });

  it('with --dry: the diff (which was asked for) and the one line', () => {
    const result = runCli(['run', app(), '--dry', '--quiet']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('diff --git a/app/api/cfg/route.ts b/app/api/cfg/route.ts');
    expect(lines.at(-1)).toBe('Migrated 2 of 3 handlers: 1 clean, 1 need review (1 marker); 1 left in place');
    expect(result.stdout).not.toContain('HANDLER_NOT_FOUND');
    expect(result.stdout).not.toContain('Dry run');
  });

  it('still reports errors on stderr', () => {
    const result = runCli(['run', '/no/such/app', '--quiet']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not exist');
  });
});

describe('migrate run --verbose', () => {
  it('adds what each reason means with its docs link, the versions, and every file written and removed', () => {
    const result = runCli(['run', app(), '--verbose']);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out.split('\n')[0]).toBe("Next.js 15.5.0; formatting: no prettier package in the app: written files keep the source's style.");
    expect(out).toMatch(/HANDLER_NOT_FOUND the default export .*\n {8}The default export is an imported value, a class, or a call .*\n {8}https:\/\/\S+README\.md#handler_not_found\n/);
    expect(out).toMatch(/CONFIG_DROPPED \(line \d+\) .*\n {8}api\.responseLimit, .*\n {8}https:\/\/\S+#config_dropped\n/);
    expect(out).toContain('  wrote   app/api/hello/route.ts\n');
    expect(out).toContain('  removed pages/api/hello.ts\n');
  });

  it('without --verbose, the reasons are one line each', () => {
    const out = runCli(['run', app(), '--dry']).stdout;
    expect(out).toContain('HANDLER_NOT_FOUND the default export is not a (req, res) function the tool can follow: the handler is wrapped by withAuth(…)');
    expect(out).not.toContain('#handler_not_found');
  });

  it('cannot go with --quiet (exit 2)', () => {
    const result = runCli(['run', '--quiet', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '-q, --quiet' cannot be used with option '-v, --verbose'");
  });
});
