/**
 * Inputs a migration tool meets in real apps and must not damage: syntax errors, empty files, binary files, other
 * encodings, a 5 MB file, modules that are no handler, CRLF line endings and a BOM. Each gets one line in the report,
 * and every file not migrated stays byte for byte as it was. Runs the built CLI on a real git repository.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMPLE_HANDLER, commitAll, exists, makeApp, removeTempDirs, requireBuild, runCli, tempDir, treeHash } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const BOM = '\uFEFF';
const crlf = (text: string) => text.replace(/\n/g, '\r\n');
/** 5 MB of a handler with a huge data table: the transform would take many minutes over it. */
const HUGE = `export default function handler(req, res) {\n  res.json(DATA)\n}\nconst DATA = [\n${'  { id: 1, name: "abcdefghij", tags: ["a", "b"] },\n'.repeat(100_000)}]\n`;
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]);
/** A handler whose comment is Latin-1: "é" as the single byte 0xE9, not valid UTF-8. */
const LATIN1 = Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from(`\n${SIMPLE_HANDLER}`)]);

/** Each file, and the status and reason code the report must give it (undefined: no reason expected). */
const CASES: Record<string, { content: string | Buffer; status: string; reason?: string; detail?: string }> = {
  // ok.test.ts imports the handler, which migrating would remove: it stays.
  'pages/api/ok.ts': { content: SIMPLE_HANDLER, status: 'left', reason: 'SOURCE_IMPORTED', detail: 'pages/api/ok.test.ts imports its default export (the handler)' },
  'pages/api/crlf-bom.ts': { content: BOM + crlf(SIMPLE_HANDLER), status: 'migrated' },
  'pages/api/crlf-bom-left.ts': { content: BOM + crlf('function withAuth(h) { return h }\nexport default withAuth((req, res) => res.end())\n'), status: 'left', reason: 'HANDLER_NOT_FOUND' },
  'pages/api/broken.ts': { content: 'export default function handler(req, res) {\n  res.json({ ok: true }\n}\n', status: 'left', reason: 'PARSE_ERROR' },
  'pages/api/empty.ts': { content: '', status: 'not-handler', reason: 'NO_DEFAULT_EXPORT', detail: 'the file is empty' },
  'pages/api/blank.js': { content: BOM + '\r\n  \n', status: 'not-handler', reason: 'NO_DEFAULT_EXPORT', detail: 'the file is empty' },
  'pages/api/image.ts': { content: BINARY, status: 'left', reason: 'NOT_TEXT' },
  'pages/api/latin1.ts': { content: LATIN1, status: 'left', reason: 'NOT_TEXT' },
  'pages/api/huge.ts': { content: HUGE, status: 'left', reason: 'FILE_TOO_LARGE' },
  'pages/api/helpers.ts': { content: 'export function double(n: number) {\n  return n * 2\n}\n', status: 'not-handler', reason: 'NO_DEFAULT_EXPORT' },
  'pages/api/_utils/db.ts': { content: 'export const db = new Map<string, string>()\n', status: 'not-handler', reason: 'NO_DEFAULT_EXPORT' },
  'pages/api/types.ts': { content: 'export type User = { id: string }\n', status: 'not-handler', reason: 'NO_DEFAULT_EXPORT' },
  'pages/api/types.d.ts': { content: 'declare const x: number\nexport default x\n', status: 'not-handler', reason: 'TEST_OR_DECLARATION' },
  'pages/api/ok.test.ts': { content: `import handler from './ok'\ntest('ok', () => handler)\n`, status: 'not-handler', reason: 'TEST_OR_DECLARATION' },
};
/** A test folder is one entry of its own; its files are never looked at. */
const TEST_FOLDER = 'pages/api/__tests__';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function badApp(): string {
  const files = Object.fromEntries(Object.entries(CASES).map(([file, c]) => [file, c.content]));
  return makeApp({ ...files, [`${TEST_FOLDER}/ok.ts`]: SIMPLE_HANDLER } as Record<string, string>);
}

describe('bad input', () => {
  it('gives each file one report line, migrates the good ones, and leaves every other file byte-identical', () => {
    const app = badApp();
    const report = path.join(tempDir(), 'report.json');
    const started = Date.now();
    const result = runCli(['run', app, '--yes', '--report', report]);
    // The 5 MB file is refused by its size, before it is read: the run stays quick.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const json = JSON.parse(readFileSync(report, 'utf8'));
    const entries = json.files as Array<{ source: string; status: string; reasons: Array<{ code: string; detail?: string }> }>;
    expect(entries.map((f) => f.source).sort()).toEqual([...Object.keys(CASES), TEST_FOLDER].sort());
    for (const [file, expected] of Object.entries(CASES)) {
      const entry = entries.find((f) => f.source === file)!;
      expect([file, entry.status, entry.reasons[0]?.code]).toEqual([file, expected.status, expected.reason]);
      if (expected.detail) expect(entry.reasons[0].detail).toBe(expected.detail);
      // One line in the terminal summary names the file (reasons go on the indented lines below it).
      expect(result.stdout.split('\n').filter((line) => line.startsWith(`  ${file} `))).toHaveLength(1);
      if (expected.status !== 'migrated') {
        expect(sha(readFileSync(path.join(app, file))), `${file} changed`).toBe(sha(expected.content));
      }
    }
    expect(entries.find((f) => f.source === TEST_FOLDER)).toMatchObject({ status: 'not-handler', reasons: [{ code: 'TEST_OR_DECLARATION' }] });
    expect(sha(readFileSync(path.join(app, TEST_FOLDER, 'ok.ts')))).toBe(sha(SIMPLE_HANDLER));
    expect(result.stdout).toContain('pages/api/empty.ts  not a handler, left in place (the file is empty)');
    expect(result.stdout).toContain('pages/api/types.d.ts  not a handler, left in place (a TypeScript declaration file)');
    expect(result.stdout).toMatch(/FILE_TOO_LARGE the file is too large to migrate safely: \d+ KiB; the limit is 512 KiB/);
    expect(result.stdout).toMatch(/NOT_TEXT the file is not UTF-8 text: a NUL byte at offset 8/);

    // The migrated routes keep the BOM and the CRLF line endings of their sources; the sources are gone.
    const route = readFileSync(path.join(app, 'app/api/crlf-bom/route.ts'), 'utf8');
    expect(route.startsWith(BOM)).toBe(true);
    expect(route.replace(/\r\n/g, '')).not.toContain('\n');
    expect(exists(app, 'pages/api/crlf-bom.ts')).toBe(false);
    expect(exists(app, 'app/api/ok/route.ts')).toBe(false);
  });

  it('a second run changes nothing, and says why', () => {
    const app = badApp();
    expect(runCli(['run', app, '--yes']).code).toBe(0);
    commitAll(app);
    const before = treeHash(app);
    const second = runCli(['run', app, '--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to migrate: no file can be written.');
    expect(treeHash(app)).toBe(before);
  });

  it('--dry writes nothing: the whole tree hashes the same', () => {
    const app = badApp();
    const before = treeHash(app);
    const result = runCli(['run', app, '--dry']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(treeHash(app)).toBe(before);
  });
});
