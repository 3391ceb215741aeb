/**
 * The text prefilter: a file it calls "cannot be a handler" is reported as the transform would report it, without
 * being parsed. The one difference, documented in the README: a syntax error in such a file is not reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cannotBeHandler, notAHandler, planSourceFile } from '../src/plan-file.js';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import { removeTempDirs, tempDir, writeFiles } from './cli/helpers.js';

afterAll(removeTempDirs);

const dir = join(import.meta.dirname, '..', 'fixtures', 'transform');
const inputs = readdirSync(dir)
  .filter((f) => /\.input\.(ts|js)$/.test(f))
  .map((f) => ({ ext: f.endsWith('.js') ? 'js' : 'ts', source: readFileSync(join(dir, f), 'utf8') }));

const context = (ext: string) => ({ sourcePath: `pages/api/x.${ext}`, targetPath: `app/api/x/route.${ext}`, compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' });

/** The lines of a fixture in a changing order and number: many have no `default` left. */
function variants(source: string): string[] {
  const lines = source.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines.filter((_, k) => k !== i).join('\n'));
    out.push(lines.slice(0, i).join('\n'));
    out.push(lines.slice(i).join('\n'));
  }
  return out;
}

describe('cannotBeHandler', () => {
  it('lets every fixture that defines a handler through', () => {
    for (const { source } of inputs) {
      if (/export default|as default|module\.exports/.test(source)) expect(cannotBeHandler(source)).toBe(false);
    }
  });

  it('agrees with the transform on every fixture and every cut of one, except for syntax errors', () => {
    let filtered = 0;
    for (const { ext, source } of inputs) {
      for (const text of [source, ...variants(source)]) {
        if (!cannotBeHandler(text)) continue;
        filtered++;
        const result = transformSource(text, context(ext));
        if (result.status === 'left') expect(result.diagnostics.map((d) => d.reason)).toEqual(['PARSE_ERROR']);
        else expect(result).toEqual(notAHandler());
      }
    }
    expect(filtered).toBeGreaterThan(100);
  });

  it('parses files that name default, exports or config, or hold \\u escapes', () => {
    expect(cannotBeHandler('export const a = 1\n')).toBe(true);
    expect(cannotBeHandler('function h(req, res) {}\nexport { h as d\\u0065fault }\n')).toBe(false);
    expect(cannotBeHandler('module.exports = (req, res) => res.end()\n')).toBe(false);
    expect(cannotBeHandler('export const config = settings\n')).toBe(false);
    expect(cannotBeHandler('export { default } from "../lib/h"\n')).toBe(false);
  });
});

describe('planSourceFile', () => {
  it('reports a file that cannot be a handler without calling the transform, and a custom transform sees every file', () => {
    const root = tempDir('migrate-plan-file-');
    writeFiles(root, { 'pages/api/helper.ts': 'export const a = 1\n' });
    const settings = { root, typescript: true, nextVersion: '15.5.29' };
    expect(planSourceFile(settings, 'pages/api/helper.ts')).toMatchObject({ status: 'not-handler', diagnostics: [{ reason: 'NO_DEFAULT_EXPORT' }], input: 'export const a = 1\n' });
    const seen: string[] = [];
    planSourceFile(settings, 'pages/api/helper.ts', (source) => {
      seen.push(source);
      return notAHandler();
    });
    expect(seen).toEqual(['export const a = 1\n']);
  });
});
