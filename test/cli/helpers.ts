/**
 * Test helpers: run the BUILT command line against real temporary apps on disk, in real git repositories. No mocks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(REPO_ROOT, 'dist', 'bin', 'migrate.js');

/** Fails the suite with a clear message instead of a confusing spawn error when nobody ran the build. */
export function requireBuild(): void {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} does not exist: run "npm run build" first ("npm test" builds before testing).`);
  }
}

/** Temp folders are made under the real tmpdir; git must not look above it for a repository. */
const TMP = realpathSync(os.tmpdir());

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CEILING_DIRECTORIES: TMP, ...extra };
  // The child's stdout is a pipe: with no colour variable set, chalk must print plain text by itself.
  // GITHUB_ACTIONS changes what `check` prints, and Azure's TF_BUILD makes chalk colour pipes: when the suite itself
  // runs in CI, the child must not inherit them unless a test sets them.
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'GITHUB_ACTIONS', 'GITHUB_WORKSPACE', 'TF_BUILD']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Run as this user id (and group id): only possible when the tests run as root. */
  uid?: number;
}

export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? TMP,
    env: childEnv(options.env),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI without waiting for it, so that a test can signal it mid-run. */
export function startCli(args: string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult & { signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? TMP, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every file under `dir` (posix paths, .git excluded), sorted. */
export function listTree(dir: string): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === '.git') continue;
      if (entry.isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk('');
  return files.sort();
}

export function git(dir: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    env: childEnv(),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export const PACKAGE_JSON = `${JSON.stringify({ name: 'app', private: true, dependencies: { next: '^15.5.0', react: '19.1.0', 'react-dom': '19.1.0' } }, null, 2)}\n`;

/** The simplest handler: the real transform migrates it with no marker. */
export const SIMPLE_HANDLER = `export default function handler(req, res) {\n  res.status(200).json({ ok: true })\n}\n`;

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

const made: string[] = [];

export function tempDir(prefix = 'migrate-cli-'): string {
  const dir = mkdtempSync(path.join(TMP, prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A Next.js app in a fresh temp folder; by default a git repository with everything committed. */
export function makeApp(files: Record<string, string>, options: { git?: boolean; packageJson?: string | null } = {}): string {
  const dir = tempDir();
  const packageJson = options.packageJson === undefined ? PACKAGE_JSON : options.packageJson;
  writeFiles(dir, packageJson === null ? files : { 'package.json': packageJson, ...files });
  if (options.git ?? true) {
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'init');
  }
  return dir;
}

export function commitAll(dir: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'migrate');
}

/** Every path (files and folders) under `dir` except .git, with each file's content hash: equal means untouched. */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === '.git') continue;
      if (entry.isDirectory()) {
        hash.update(`dir ${child}\n`);
        walk(child);
      } else if (entry.isSymbolicLink()) {
        hash.update(`link ${child} ${readlinkSync(path.join(dir, child))}\n`);
      } else {
        hash.update(`file ${child} ${createHash('sha256').update(readFileSync(path.join(dir, child))).digest('hex')}\n`);
      }
    }
  };
  walk('');
  return hash.digest('hex');
}

export function exists(dir: string, rel: string): boolean {
  return existsSync(path.join(dir, rel));
}

export function read(dir: string, rel: string): string {
  return readFileSync(path.join(dir, rel), 'utf8');
}

/** The one-sentence error contract: a single line on stderr, no stack trace. */
export function expectOneLineError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${stderr}`);
  if (/^\s+at /m.test(stderr)) throw new Error(`stderr has a stack trace:\n${stderr}`);
  return lines[0];
}

export interface MigratedApp {
  app: string;
  result: CliResult;
  /** The run's JSON report (`--report`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  report: any;
  /** A file of the app after the run. */
  read: (rel: string) => string;
}

/** `migrate run --yes --next 15.5.29` (plus `extra`) on a new app of `files`, with its JSON report. */
export function migrateApp(files: Record<string, string>, extra: string[] = []): MigratedApp {
  const app = makeApp(files);
  // A folder of its own: the app's parent is the shared temp folder, where parallel runs would share one report.
  const reportFile = path.join(tempDir(), 'report.json');
  const result = runCli(['run', app, '--yes', '--next', '15.5.29', '--report', reportFile, ...extra]);
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
  return { app, result, report, read: (rel) => readFileSync(path.join(app, rel), 'utf8') };
}

/** Commits the migrated app and runs the tool again: the second run must change nothing. */
export function expectSecondRunChangesNothing(app: string): void {
  commitAll(app);
  const migrated = treeHash(app);
  expect(runCli(['run', app, '--yes', '--next', '15.5.29']).code).toBe(0);
  expect(treeHash(app)).toBe(migrated);
}
