/**
 * The progress counter of `migrate run`, through the built command line: on a terminal it counts, in CI and in
 * pipes it stays quiet. A terminal needs a pseudo-terminal, made by util-linux `script`; without it those cases
 * are skipped. The terminal runs are pinned to one core (`taskset`), so that planning lasts well past the half
 * second before the first draw, however many cores the machine has.
 */
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApp } from '../../bench/generate-app.mjs';
import { BIN, childEnv, removeTempDirs, requireBuild, runCli, tempDir } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const hasTerminal =
  process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'script', '-qec', 'true', '/dev/null']).status === 0;

const HANDLERS = 600;
let app: string;
beforeAll(() => {
  app = tempDir('migrate-progress-');
  generateApp(app, HANDLERS);
});

function freshCopy(): string {
  const copy = path.join(tempDir('migrate-progress-'), 'app');
  cpSync(app, copy, { recursive: true });
  return copy;
}

/** Runs the CLI with stdin, stdout and stderr on one pseudo-terminal; returns what the terminal showed. */
function runOnTerminal(args: string[], env: Record<string, string | undefined>) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const vars = childEnv();
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete vars[key];
    else vars[key] = value;
  }
  const result = spawnSync('taskset', ['-c', '0', 'script', '-qec', command, '/dev/null'], { env: vars, encoding: 'utf8' });
  return { code: result.status, output: result.stdout };
}

describe('migrate run progress', () => {
  it('stays quiet when stderr is not a terminal', () => {
    const small = tempDir('migrate-progress-');
    generateApp(small, 300);
    const result = runCli(['run', small, '--yes', '--force'], { env: { CI: '' } });
    expect(result.stdout).toMatch(/Migrated \d+ of 300 handlers/);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.skipIf(!hasTerminal)('stays quiet on a terminal in CI', () => {
    const result = runOnTerminal(['run', freshCopy(), '--yes', '--force'], { CI: 'true' });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(new RegExp(`Migrated \\d+ of ${HANDLERS} handlers`));
    expect(result.output).not.toContain('Planning');
  });

  it.skipIf(!hasTerminal)('counts the files planned on a terminal outside CI', () => {
    const result = runOnTerminal(['run', freshCopy(), '--yes', '--force'], { CI: undefined });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(new RegExp(`\\rPlanning \\d+/${HANDLERS}`));
  });
});
