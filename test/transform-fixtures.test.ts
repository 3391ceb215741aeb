/**
 * Fixture pairs discovered from fixtures/transform/: `<behaviour>.input.<ext>` → `<behaviour>.output.<ext>`.
 * A first-line comment in the input may set the context: `// @route app/api/users/[id]/route.ts @next 14.2.35`.
 * An input whose file is left in place has `<behaviour>.left.json` instead of an output: `{ "status", "reasons" }`,
 * and `"details"` (each reason's detail, in order) where the wording is what the fixture is about.
 * `<behaviour>.context.json`, when present, is merged into the context (the plan's cross-file findings), and
 * `<behaviour>.module.<ext>` is the module the file's other exports move to.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'transform');
const inputs = readdirSync(dir).filter((f) => /\.input\.(ts|tsx|js|jsx)$/.test(f)).sort();

function contextFor(file: string, source: string) {
  const ext = file.split('.').pop()!;
  const header = /^\/\/\s*@route\s+(\S+)(?:\s+@next\s+(\S+))?/.exec(source);
  const name = file.replace(/\.input\.\w+$/, '');
  const targetPath = header?.[1] ?? `app/api/${name}/route.${ext.startsWith('t') ? 'ts' : 'js'}`;
  const sourcePath = targetPath.replace(/^(src\/)?app\//, '$1pages/').replace(/\/route\.(ts|js)$/, `.${ext}`);
  // What the plan's cross-file pass would give (a re-exported handler's twin): `<behaviour>.context.json`.
  const extraFile = join(dir, `${name}.context.json`);
  const extra = existsSync(extraFile) ? JSON.parse(readFileSync(extraFile, 'utf8')) : {};
  return { sourcePath, targetPath, compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: header?.[2] ?? '15.5.29', ...extra };
}

describe('transform fixtures', () => {
  it('has at least 40 fixture pairs', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(40);
  });
  for (const file of inputs) {
    const name = file.replace(/\.input\.\w+$/, '');
    it(name, () => {
      const source = readFileSync(join(dir, file), 'utf8');
      const result = transformSource(source, contextFor(file, source));
      const leftFile = join(dir, `${name}.left.json`);
      if (existsSync(leftFile)) {
        const { details, ...expected } = JSON.parse(readFileSync(leftFile, 'utf8'));
        expect({ status: result.status, reasons: result.diagnostics.map((d) => d.reason) }).toEqual(expected);
        if (details) expect(result.diagnostics.map((d) => d.detail)).toEqual(details);
        expect(result.output).toBeUndefined();
        return;
      }
      const outputFile = readdirSync(dir).find((f) => f.startsWith(`${name}.output.`));
      expect(outputFile, `${name} needs an .output or .left.json file`).toBeDefined();
      expect(result.output).toBe(readFileSync(join(dir, outputFile!), 'utf8'));
      // Other exports moved to a module of their own: `<behaviour>.module.<ext>` is its text.
      const moduleFile = readdirSync(dir).find((f) => f.startsWith(`${name}.module.`));
      expect(result.exportsModule?.content).toBe(moduleFile ? readFileSync(join(dir, moduleFile), 'utf8') : undefined);
    });
  }
});
