// The machinery of the end-to-end test: installing a pinned Next.js, copying the fixture app, building, starting
// and stopping `next start`, packing and installing the CLI, replaying requests. No assertions live here; the
// comparison rules are in compare.ts and the steps are put together in equivalence.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(REPO, '.e2e-cache');
export const FIXTURE = join(REPO, 'fixtures', 'apps', 'e2e');
export const VERSIONS_DIR = join(REPO, 'test', 'e2e', 'versions');

// ---------------------------------------------------------------------------------------------------------------
// Child processes

/** The environment every child gets: vitest's own variables removed, Next.js quiet and offline-friendly. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // vitest sets NODE_ENV=test; `next build` and `next start` must pick their own (production).
  delete env.NODE_ENV;
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'TEST') delete env[key];
  }
  return {
    ...env,
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_IGNORE_INCORRECT_LOCKFILE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // Clerk's keys for fixtures/apps/e2e/middleware.ts: a development key of a made-up instance (base64 of
    // `example.clerk.accounts.dev$`) and a placeholder secret. Nothing reaches Clerk: the middleware verifies the
    // session tokens with its own public key, and signed-out requests need no network.
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk',
    CLERK_SECRET_KEY: 'sk_test_e2eplaceholderkey000000000000000000',
    ...extra,
  };
}

export interface RunResult {
  code: number | null;
  output: string;
  ms: number;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`\`${command}\` failed (exit ${result.code}) after ${(result.ms / 1000).toFixed(1)} s:\n${tail(result.output, 6000)}`);
  }
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

const children = new Set<ChildProcess>();

/** Kills a child's whole process group (children are started with detached: true, so their pid is the group id). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Last resort, should the test process end with servers still running (a crash, a timeout).
process.once('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Stops a process group: SIGTERM, then SIGKILL after a grace period. */
async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
  // The group leader may be gone while a grandchild (a Next.js worker) lingers.
  killGroup(child, 'SIGKILL');
  children.delete(child);
}

/** Stops every process this module started that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
}

/**
 * Starts a child in its own process group (so that stopping it also stops what it started), tracked for the
 * clean-up on exit, with the tail of its stdout and stderr kept, interleaved.
 */
function spawnTracked(command: string, args: string[], cwd: string | undefined, env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 400_000) output = output.slice(-200_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => output };
}

/** Runs a command to completion in its own process group, output captured (stdout and stderr interleaved). */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const printable = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const { child, output: captured } = spawnTracked(command, args, options.cwd, options.env ?? childEnv());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child, 2_000);
    }, options.timeoutMs ?? 300_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`could not start \`${printable}\`: ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const result: RunResult = {
        code,
        output: timedOut ? `${captured()}\n[killed after ${options.timeoutMs} ms]` : captured(),
        ms: performance.now() - started,
      };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new CommandError(printable, result));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Next.js installs: one per version, cached in .e2e-cache/next-<version>/, reused while its lockfile matches.

export interface Install {
  version: string;
  dir: string;
  nodeModules: string;
  reused: boolean;
  ms: number;
}

export function pinnedVersions(): string[] {
  return readdirSync(VERSIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function fingerprint(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/** `npm ci` of test/e2e/versions/<version>/ into the cache, unless a finished install of the same lockfile is there. */
export async function installNext(version: string): Promise<Install> {
  const started = performance.now();
  const source = join(VERSIONS_DIR, version);
  const dir = join(CACHE, `next-${version}`);
  const nodeModules = join(dir, 'node_modules');
  const pinned = [join(source, 'package.json'), join(source, 'package-lock.json')];
  const want = fingerprint(pinned);
  // The stamp is written last, so an interrupted install is never mistaken for a finished one.
  const stamp = join(dir, '.installed');
  const cachedLock = join(dir, 'package-lock.json');
  if (
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === want &&
    existsSync(cachedLock) &&
    readFileSync(cachedLock).equals(readFileSync(pinned[1]!)) &&
    existsSync(join(nodeModules, 'next', 'package.json'))
  ) {
    return { version, dir, nodeModules, reused: true, ms: performance.now() - started };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of pinned) copyFileSync(file, join(dir, file.slice(source.length + 1)));
  await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, timeoutMs: 600_000 });
  const installed = JSON.parse(readFileSync(join(nodeModules, 'next', 'package.json'), 'utf8')) as { version: string };
  if (installed.version !== version) throw new Error(`installed next ${installed.version}, expected ${version}`);
  writeFileSync(stamp, want);
  return { version, dir, nodeModules, reused: false, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------------------
// The packed CLI, installed once per run the way a user gets it.

export interface Tool {
  bin: string;
  tarball: string;
  ms: number;
}

export async function installPackedTool(workDir: string): Promise<Tool> {
  const started = performance.now();
  if (!existsSync(join(REPO, 'dist', 'bin', 'migrate.js'))) {
    throw new Error('dist/bin/migrate.js is missing: run `npm run build` first (`npm test` and `npm run test:e2e` do)');
  }
  const packDir = join(workDir, 'pack');
  const toolDir = join(workDir, 'tool');
  mkdirSync(packDir, { recursive: true });
  mkdirSync(toolDir, { recursive: true });
  const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir], {
    cwd: REPO,
    env: childEnv(),
    timeoutMs: 120_000,
  });
  const listing = packed.output.slice(packed.output.indexOf('['));
  const [entry] = JSON.parse(listing.slice(0, listing.lastIndexOf(']') + 1)) as Array<{ filename: string }>;
  if (!entry) throw new Error(`npm pack printed no file name:\n${packed.output}`);
  const tarball = join(packDir, entry.filename.replace(/^@[^/]+\//, '').replace('/', '-'));
  writeFileSync(join(toolDir, 'package.json'), JSON.stringify({ name: 'e2e-tool', private: true }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: toolDir, timeoutMs: 300_000 });
  const bin = join(toolDir, 'node_modules', '.bin', 'migrate');
  if (!existsSync(bin)) throw new Error(`the packed tool has no bin at ${bin}`);
  return { bin, tarball, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------------------------
// App copies

/** A scratch folder for one run; removed at the end unless E2E_KEEP=1. */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), 'npam-e2e-'));
}

export function removeRunDir(dir: string): void {
  if (process.env.E2E_KEEP === '1') {
    console.log(`E2E_KEEP=1: the apps, builds and reports of this run stay in ${dir}`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Copies the fixture app (its sources only) to `dest`. */
export function copyFixture(dest: string): void {
  cpSync(FIXTURE, dest, {
    recursive: true,
    filter: (src) => {
      const rel = relative(FIXTURE, src);
      const top = rel.split(sep)[0];
      return top !== 'node_modules' && top !== '.next' && !rel.endsWith('.tsbuildinfo');
    },
  });
}

/**
 * Gives the app its own node_modules: hard links to the cached install (Turbopack refuses a node_modules that is a
 * symlink out of the app). Falls back to a real copy where the cache and the app are on different file systems.
 */
export async function linkNodeModules(appDir: string, install: Install): Promise<void> {
  const target = join(appDir, 'node_modules');
  try {
    await run('cp', ['-al', install.nodeModules, target], { cwd: appDir, timeoutMs: 120_000 });
  } catch {
    rmSync(target, { recursive: true, force: true });
    await run('cp', ['-a', install.nodeModules, target], { cwd: appDir, timeoutMs: 300_000 });
  }
}

/** Makes the app a git repository with one commit, as the CLI expects of the project it migrates. */
export async function gitInit(appDir: string): Promise<void> {
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: appDir,
      timeoutMs: 60_000,
    });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'fixture app before migration');
}

/** Every file under `dir` (posix paths relative to it); [] when it does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Next.js commands

function nextBin(appDir: string): string {
  return join(resolve(appDir), 'node_modules', 'next', 'dist', 'bin', 'next');
}

export function nextBuild(appDir: string): Promise<RunResult> {
  return run(process.execPath, [nextBin(appDir), 'build'], { cwd: appDir, timeoutMs: 300_000 });
}

export function nextTypegen(appDir: string): Promise<RunResult> {
  return run(process.execPath, [nextBin(appDir), 'typegen'], { cwd: appDir, timeoutMs: 120_000 });
}

/** `tsc --noEmit` of the app's tsconfig, with more options given (`--target es5`). */
export function tscNoEmit(appDir: string, options: string[] = []): Promise<RunResult> {
  const tsc = join(resolve(appDir), 'node_modules', 'typescript', 'bin', 'tsc');
  return run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json', ...options], { cwd: appDir, timeoutMs: 300_000 });
}

export interface Server {
  baseUrl: string;
  /** Milliseconds from spawn to the first answered request. */
  startMs: number;
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `next start -p PORT -H 127.0.0.1` at a free port; resolves once the server answers HTTP. */
export async function startServer(appDir: string): Promise<Server> {
  const started = performance.now();
  const port = await freePort();
  // next-auth's getSession fetches the session route of NEXTAUTH_URL_INTERNAL on the server (only that function reads
  // it): each server, the Pages one and the migrated one alike, asks itself.
  const env = childEnv({ NEXTAUTH_URL_INTERNAL: `http://127.0.0.1:${port}/api/auth` });
  const { child, output } = spawnTracked(process.execPath, [nextBin(appDir), 'start', '-p', String(port), '-H', '127.0.0.1'], appDir, env);
  const server: Server = {
    baseUrl: `http://127.0.0.1:${port}`,
    startMs: 0,
    output,
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      children.delete(child);
      throw new Error(`next start exited early (${child.exitCode ?? child.signalCode}):\n${tail(output(), 4000)}`);
    }
    try {
      // Any HTTP answer (the 404 page here) means the server is up.
      await fetch(`${server.baseUrl}/__e2e_ready__`, { signal: AbortSignal.timeout(2_000) });
      server.startMs = performance.now() - started;
      return server;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stopChild(child);
  throw new Error(`next start did not answer within 60 s:\n${tail(output(), 4000)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and responses

export interface ReplayRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  /** A text body of this many bytes ('a' repeated): body size limits without megabytes in requests.json. */
  bodySize?: number;
}

export interface RecordedResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", " (as fetch does), except Set-Cookie. */
  headers: Record<string, string>;
  setCookie: string[];
  body: Buffer;
  /** Set when no response came back (connection refused or reset, timeout). */
  error?: string;
}

export function loadRequests(): ReplayRequest[] {
  const requests = JSON.parse(readFileSync(join(FIXTURE, 'requests.json'), 'utf8')) as ReplayRequest[];
  const names = new Set<string>();
  for (const request of requests) {
    if (names.has(request.name)) throw new Error(`requests.json: the name "${request.name}" is used twice`);
    names.add(request.name);
  }
  return requests;
}

export function requestBody(request: ReplayRequest): Uint8Array<ArrayBuffer> | string | undefined {
  // A byte array gets no content type from fetch, unlike a string (text/plain;charset=UTF-8).
  if (request.bodyBase64 !== undefined) return new Uint8Array(Buffer.from(request.bodyBase64, 'base64'));
  if (request.bodySize !== undefined) return 'a'.repeat(request.bodySize);
  return request.body;
}

/** Sends one request as recorded (redirects not followed) and records the answer. */
export async function send(baseUrl: string, request: ReplayRequest): Promise<RecordedResponse> {
  try {
    const response = await fetch(baseUrl + request.path, {
      method: request.method,
      headers: request.headers,
      body: requestBody(request),
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers[name] = value;
    });
    return {
      status: response.status,
      headers,
      setCookie: response.headers.getSetCookie(),
      body: Buffer.from(await response.arrayBuffer()),
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { status: 0, headers: {}, setCookie: [], body: Buffer.alloc(0), error: `${String(error)}${cause}` };
  }
}

/** Replays the requests one after the other, in order. */
/**
 * A server may close a kept-alive connection after an answer (Pages does after a 413, leaving the rest of the body
 * unread); fetch then meets the reset on its next request over that socket. Like browsers, retry such a request
 * once: the reset belongs to the previous exchange, not to this request's answer.
 */
function isStaleConnection(response: RecordedResponse): boolean {
  return !!response.error && /ECONNRESET|other side closed|socket hang up/i.test(response.error);
}

export async function replay(baseUrl: string, requests: ReplayRequest[]): Promise<RecordedResponse[]> {
  const out: RecordedResponse[] = [];
  for (const request of requests) {
    const first = await send(baseUrl, request);
    out.push(isStaleConnection(first) ? await send(baseUrl, request) : first);
  }
  return out;
}

/** A JSON-friendly copy of recorded responses, for E2E_KEEP runs and for reading by eye. */
export function dumpResponses(file: string, requests: ReplayRequest[], responses: RecordedResponse[]): void {
  const rows = requests.map((request, i) => {
    const response = responses[i]!;
    return {
      request,
      status: response.status,
      headers: response.headers,
      setCookie: response.setCookie,
      body: response.body.toString('utf8'),
      ...(response.error ? { error: response.error } : {}),
    };
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
}

export function ms(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}
