/**
 * Mutates the transform fixtures (drops, duplicates and swaps tokens, statements and lines) and checks that the
 * transform never throws, and that every route it writes parses. A file it cannot handle must come back 'left',
 * never half-done. test/plan-fuzz.test.ts does the same through the plan and the writer, on real folders.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as babel from '@babel/parser';
import { expect, it } from 'vitest';
import { transformSource } from '../transforms/pages-api-to-route-handler.js';
import { mutate, seeded } from './mutate.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'transform');
// Only the fixtures the transform migrates: a mutated copy of a file it leaves in place is left too, and teaches the
// writer nothing (transform-fixtures.test.ts checks those are left).
const files = readdirSync(dir);
const inputs = files
  .filter((f) => /\.input\.(ts|js)$/.test(f) && files.includes(f.replace('.input.', '.output.')))
  .map((f) => {
    // The plan's cross-file findings a fixture is given (a re-exported handler's twin), as the fixture test does.
    const context = join(dir, f.replace(/\.input\.\w+$/, '.context.json'));
    return { ext: f.endsWith('.js') ? 'js' : 'ts', source: readFileSync(join(dir, f), 'utf8'), extra: existsSync(context) ? JSON.parse(readFileSync(context, 'utf8')) : {} };
  });

it('never throws and writes only code that parses, on 3000 mutated fixtures', () => {
  const pick = seeded(20261120);
  const failures: string[] = [];
  let written = 0;
  for (let i = 0; i < 3000; i++) {
    const { ext, source, extra } = inputs[pick(inputs.length)];
    const { mutation, text: mutated } = mutate(source, ext === 'ts', pick);
    const context = { sourcePath: `pages/api/x/[id].${ext}`, targetPath: `app/api/x/[id]/route.${ext}`, compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: i % 2 ? '14.2.35' : '15.5.29', ...extra };
    let output: string | undefined;
    try {
      output = transformSource(mutated, context).output;
    } catch (error) {
      failures.push(`threw ${(error as Error).message} after "${mutation}" on:\n${mutated}`);
      continue;
    }
    if (output === undefined) continue;
    written++;
    try {
      babel.parse(output, { sourceType: 'module', plugins: ext === 'ts' ? ['typescript'] : ['jsx'] });
    } catch (error) {
      failures.push(`wrote code that does not parse (${(error as Error).message}) after "${mutation}":\n${output}`);
    }
  }
  expect(failures.slice(0, 3)).toEqual([]);
  expect(written).toBeGreaterThan(1000);
});
