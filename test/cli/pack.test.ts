import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, childEnv, removeTempDirs, requireBuild, tempDir, writeFiles } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env: childEnv({ npm_config_audit: 'false', npm_config_fund: 'false' }), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// How users get the tool: a packed tarball installed into a project, run through npx.
it('installs from `npm pack` and runs as `npx migrate`', () => {
  const packDir = tempDir('migrate-pack-');
  sh('npm', ['pack', '--pack-destination', packDir], REPO_ROOT);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  const project = tempDir('migrate-install-');
  writeFiles(project, { 'package.json': '{ "name": "consumer", "private": true }\n' });
  sh('npm', ['install', path.join(packDir, tarball as string)], project);
  // --no: never fetch another package called "migrate" from the registry if the local bin were missing.
  // `--` keeps npx from taking --help for itself.
  const help = sh('npx', ['--no', '--', 'migrate', '--help'], project);
  expect(help).toContain('Usage: migrate');
  expect(help).toContain('run [options] [dir]');
  expect(help).toContain('check [options] [dir]');
}, 240_000);
