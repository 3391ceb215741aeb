/**
 * The worker pool gives the plan one thread gives: the same files in the same order with the same results,
 * whichever thread planned them, and a worker that stops or cannot start costs no file. Workers run the build
 * (dist/), so these tests need `npm run build` first, like the CLI tests.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApp } from '../bench/generate-app.mjs';
import { buildPlan } from '../src/plan.js';
import { startPlanPool, workerCount, type PoolOptions } from '../src/plan-pool.js';
import type { Plan } from '../src/plan-types.js';
import { loadProject } from '../src/project.js';
import { REPO_ROOT, removeTempDirs, requireBuild, tempDir, writeFiles } from './cli/helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const WORKER = pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', 'plan-worker.js'));
const STOPPING_WORKER = new URL('./pool/crashing-plan-worker.mjs', import.meta.url);

const IN_PROCESS: PoolOptions = { threads: 0 };
/** The main thread and two workers, from the first file on. */
const SHARED: PoolOptions = { threads: 2, filesPerWorker: 1, mainThread: true, workerUrl: WORKER };
/** One worker plans every file. */
const WORKER_ONLY: PoolOptions = { threads: 1, filesPerWorker: 1, workerUrl: WORKER };

async function plan(root: string, pool: PoolOptions): Promise<Plan> {
  return buildPlan({ project: await loadProject(root), nextVersion: '15.5.29', pool });
}

const HANDLER = (n: number) => `export default function handler(req, res) {\n  res.status(200).json({ n: ${n} })\n}\n`;

/** An app whose pages/api also holds what is not a clean handler: a helper, a syntax error, a broken link; and a helper module with a twin. */
function mixedApp(): string {
  const root = tempDir('migrate-pool-');
  generateApp(root, 300);
  writeFiles(root, {
    'pages/api/lib/helper.ts': 'export const limit = 10\n',
    'pages/api/broken.ts': 'export default function handler(req, res) {\n  res.status(200).json({\n}\n',
    'lib/errors.ts': 'export function fail(res, message) {\n  res.status(500).json({ error: message })\n}\n',
    'pages/api/fails.ts': "import { fail } from '../../lib/errors'\n\nexport default function handler(req, res) {\n  fail(res, 'no')\n}\n",
  });
  symlinkSync(path.join(root, 'nowhere.ts'), path.join(root, 'pages/api/dangling.ts'));
  return root;
}

describe('the worker pool', () => {
  for (const app of ['e2e', 'example']) {
    it(`plans fixtures/apps/${app} as the main thread alone does`, async () => {
      const root = path.join(REPO_ROOT, 'fixtures', 'apps', app);
      const expected = await plan(root, IN_PROCESS);
      expect(await plan(root, SHARED)).toEqual(expected);
      expect(await plan(root, WORKER_ONLY)).toEqual(expected);
    });
  }

  it('plans 300 generated handlers, a helper, a syntax error and a broken link as the main thread alone does', async () => {
    const root = mixedApp();
    const expected = await plan(root, IN_PROCESS);
    expect(expected.files).toHaveLength(304);
    expect(expected.files.find((f) => f.source === 'pages/api/broken.ts')?.diagnostics[0].reason).toBe('PARSE_ERROR');
    // The worker got the twin found by the main thread's pass over helper modules.
    expect(expected.files.find((f) => f.source === 'pages/api/fails.ts')?.helpersUsed?.map((h) => h.twin)).toEqual(['failResponse']);
    expect(expected.updates.map((u) => u.path)).toEqual(['lib/errors.ts']);
    expect(expected.files.find((f) => f.source === 'pages/api/dangling.ts')?.diagnostics[0].reason).toBe('UNREADABLE');
    expect(await plan(root, SHARED)).toEqual(expected);
    expect(await plan(root, WORKER_ONLY)).toEqual(expected);
  });

  it('gives INTERNAL_ERROR only to the file that stops a worker, and plans the others as usual', async () => {
    const files: Record<string, string> = { 'package.json': '{}\n', 'pages/api/stops-worker.ts': HANDLER(0) };
    for (let i = 1; i <= 30; i++) files[`pages/api/h${String(i).padStart(2, '0')}.ts`] = HANDLER(i);
    const root = tempDir('migrate-pool-');
    writeFiles(root, files);
    const expected = await plan(root, IN_PROCESS);
    const actual = await plan(root, { threads: 1, filesPerWorker: 1, workerUrl: STOPPING_WORKER });
    const stopped = actual.files.find((f) => f.source === 'pages/api/stops-worker.ts');
    expect(stopped?.status).toBe('left');
    expect(stopped?.diagnostics).toEqual([{ reason: 'INTERNAL_ERROR', detail: 'the worker thread planning this file stopped: exit code 7' }]);
    expect(actual.files.filter((f) => f !== stopped)).toEqual(expected.files.filter((f) => f.source !== stopped?.source));
    expect(actual.creates.map((c) => c.path)).toEqual(expected.creates.map((c) => c.path).filter((p) => !p.includes('stops-worker')));
  });

  it('plans on the main thread when no worker can start', async () => {
    const root = path.join(REPO_ROOT, 'fixtures', 'apps', 'example');
    const missing = pathToFileURL(path.join(tempDir('migrate-pool-'), 'no-such-worker.js'));
    expect(await plan(root, { threads: 2, filesPerWorker: 1, workerUrl: missing })).toEqual(await plan(root, IN_PROCESS));
  });

  it('reports each file once to the progress callback', async () => {
    const root = tempDir('migrate-pool-');
    mkdirSync(path.join(root, 'pages/api'), { recursive: true });
    writeFileSync(path.join(root, 'package.json'), '{}\n');
    for (let i = 0; i < 40; i++) writeFileSync(path.join(root, `pages/api/h${i}.ts`), HANDLER(i));
    let planned = 0;
    await plan(root, { ...SHARED, onFilePlanned: () => planned++ });
    expect(planned).toBe(40);
  });
});

describe('jobs', () => {
  it('fail the plan with a clear error when a context cannot be copied to a worker', async () => {
    const pool = startPlanPool(1, { threads: 1, filesPerWorker: 1, workerUrl: WORKER });
    const file = { source: 'pages/api/a.ts', target: 'app/api/a/route.ts', compatPath: 'app/api/_migrate/pages-compat.ts', status: 'left' as const, diagnostics: [], notes: [], methods: [], usesCompat: false, input: HANDLER(1) };
    const context = { sourcePath: file.source, targetPath: file.target, compatPath: file.compatPath, nextVersion: '15.5.29', notData: () => 1 };
    await expect(pool.plan([{ file, context }])).rejects.toThrow(/could not be cloned/);
  });
});

describe('workerCount', () => {
  it('keeps small runs on the main thread and sizes the pool to the cores', () => {
    expect(workerCount(3, { threads: 2 })).toBe(0);
    expect(workerCount(99, { threads: 2 })).toBe(0);
    expect(workerCount(2000, { threads: 0 })).toBe(0);
    expect(workerCount(2000, { threads: 1 })).toBe(1);
    expect(workerCount(2000, { threads: 2 })).toBe(2);
    expect(workerCount(250, { threads: 8 })).toBe(2);
    expect(workerCount(100_000, { threads: 64 })).toBe(8);
  });
});
