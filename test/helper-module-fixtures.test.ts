/**
 * Helper module fixtures discovered from fixtures/helper-module/: `<behaviour>.input.<ext>` is a project module, its
 * first line `// @module <path> @names <export>,<export>` where it lives and the exports routes import from it;
 * `<behaviour>.output.<ext>` is the module with its twins written (absent when none is), and `<behaviour>.twins.json`
 * holds the twins described to routes and the helpers declined with why (transforms/helper-module.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { twinResponseHelpers } from '../transforms/helper-module.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'helper-module');
const inputs = readdirSync(dir).filter((f) => /\.input\.(ts|tsx|js|jsx)$/.test(f)).sort();

describe('helper module fixtures', () => {
  for (const file of inputs) {
    const name = file.replace(/\.input\.\w+$/, '');
    it(name, () => {
      const source = readFileSync(join(dir, file), 'utf8');
      const header = /^\/\/\s*@module\s+(\S+)\s+@names\s+(\S+)/.exec(source);
      expect(header, `${file} needs a // @module <path> @names <names> first line`).not.toBeNull();
      const result = twinResponseHelpers(source, { modulePath: header![1], compatPath: 'app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' }, header![2].split(','));
      const expected = JSON.parse(readFileSync(join(dir, `${name}.twins.json`), 'utf8'));
      expect({ twins: result.twins, declined: result.declined ?? [] }).toEqual(expected);
      const outputFile = join(dir, file.replace('.input.', '.output.'));
      expect(result.output).toBe(existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : undefined);
    });
  }
});
