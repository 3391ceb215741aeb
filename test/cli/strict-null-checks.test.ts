/**
 * Next.js sets `strictNullChecks: true` in tsconfig.json on its first build once app/ sits beside pages/, where the
 * config sets neither it nor `strict`; code that type-checked without it can then fail the build. The run writes the
 * value in effect instead, keeping the file's comments and layout, and says so; where the value is set, or `strict`
 * is on, or a config it extends cannot be read, tsconfig.json is left as it is.
 */
import { lstatSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSecondRunChangesNothing, makeApp, migrateApp, removeTempDirs, requireBuild, runCli } from './helpers.js';

const HANDLER = `import type { NextApiRequest, NextApiResponse } from 'next'

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  res.status(200).json({ ok: true })
}
`;
const LOOSE = `{
  // Written by an older create-next-app.
  "compilerOptions": {
    "target": "es5",
    "strict": false,
    "baseUrl": "."
  }
}
`;
const NOTE = 'strictNullChecks: false, the value in effect, is now written: Next.js sets it to true on its first build once app/ sits beside pages/, and code that type-checked without it could fail the build';

describe('tsconfig.json without strictNullChecks', () => {
  beforeAll(requireBuild);
  afterAll(removeTempDirs);

  it('gets the value in effect written, with its comments kept, and the run says so', () => {
    const { result, report, read, app } = migrateApp({ 'tsconfig.json': LOOSE, 'pages/api/ok.ts': HANDLER });
    expect(result.code, result.stderr).toBe(0);
    expect(read('tsconfig.json')).toBe(LOOSE.replace('"compilerOptions": {\n', '"compilerOptions": {\n    "strictNullChecks": false,\n'));
    expect(report.updates).toEqual([{ path: 'tsconfig.json', twins: [], note: NOTE }]);
    expect(result.stdout).toContain(`Project settings:\n  tsconfig.json  ${NOTE}`);
    expect(result.stdout).toContain('edited tsconfig.json');
    expectSecondRunChangesNothing(app);
  });

  it('--dry shows the change and writes nothing', () => {
    const app = makeApp({ 'tsconfig.json': '{ "compilerOptions": {} }\n', 'pages/api/ok.ts': HANDLER });
    const result = runCli(['run', app, '--dry', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('-{ "compilerOptions": {} }\n+{ "compilerOptions": { "strictNullChecks": false } }');
    expect(result.stdout).toContain('edit tsconfig.json');
  });

  it('is left as it is where strict or strictNullChecks is set, here or in a config it extends, or where one cannot be read', () => {
    const cases: Array<Record<string, string>> = [
      { 'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n' },
      { 'tsconfig.json': '{ "compilerOptions": { "strictNullChecks": false } }\n' },
      { 'tsconfig.json': '{ "extends": "./tsconfig.base.json", "compilerOptions": {} }\n', 'tsconfig.base.json': '{ "compilerOptions": { "strict": true } }\n' },
      { 'tsconfig.json': '{ "extends": "@tsconfig/next/tsconfig.json" }\n' },
    ];
    for (const files of cases) {
      const { result, report, read } = migrateApp({ ...files, 'pages/api/ok.ts': HANDLER });
      expect(result.code, result.stderr).toBe(0);
      expect(read('tsconfig.json')).toBe(files['tsconfig.json']);
      expect(report.updates).toEqual([]);
    }
  });

  it('is left as it is when it is a link (a config other apps may share)', () => {
    const app = makeApp({ 'tsconfig.shared.json': LOOSE, 'pages/api/ok.ts': HANDLER });
    symlinkSync('tsconfig.shared.json', path.join(app, 'tsconfig.json'));
    const result = runCli(['run', app, '--yes', '--force', '--next', '15.5.29']);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(path.join(app, 'tsconfig.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(app, 'tsconfig.shared.json'), 'utf8')).toBe(LOOSE);
    expect(result.stdout).not.toContain('Project settings');
  });

  it('follows a relative extends: a base that leaves strict off still gets the value written in the app’s own file', () => {
    const { result, read } = migrateApp({ 'tsconfig.json': '{\n  "extends": "./tsconfig.base.json"\n}\n', 'tsconfig.base.json': '{ "compilerOptions": { "strict": false } }\n', 'pages/api/ok.ts': HANDLER });
    expect(result.code, result.stderr).toBe(0);
    expect(read('tsconfig.json')).toBe('{\n  "compilerOptions": { "strictNullChecks": false },\n  "extends": "./tsconfig.base.json"\n}\n');
  });
});
