/**
 * Signals during a real run of the built CLI. MIGRATE_TEST_SLOW_APPLY_MS makes every write and removal take a while,
 * so that the signal lands while the run is halfway, whatever the machine's speed. Whatever the moment, each handler
 * must end up either migrated (route written, source removed) or untouched, and running again must finish the job
 * with exactly the tree an uninterrupted run gives.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAll, listTree, makeApp, removeTempDirs, requireBuild, runCli, startCli, tempDir, treeHash, waitFor } from './helpers.js';

beforeAll(requireBuild);
afterAll(removeTempDirs);

const HANDLERS = 16;
const SLOW = { MIGRATE_TEST_SLOW_APPLY_MS: '60' };

/** Half the handlers read the query, so their routes need the shared compat module, which is written once. */
function handler(i: number): string {
  const body = i % 2 ? `{ id: ${i}, query: req.query }` : `{ id: ${i} }`;
  return `export default function handler(req, res) {\n  res.status(200).json(${body})\n}\n`;
}

const names = Array.from({ length: HANDLERS }, (_, i) => `h${String(i).padStart(2, '0')}`);
const source = (name: string) => `pages/api/${name}.ts`;
const route = (name: string) => `app/api/${name}/route.ts`;

function newApp(): string {
  return makeApp({ 'tsconfig.json': '{}\n', ...Object.fromEntries(names.map((name, i) => [source(name), handler(i)])) });
}

/** The tree an uninterrupted run gives, to compare against. */
let reference: string;
beforeAll(() => {
  reference = newApp();
  expect(runCli(['run', reference, '--yes']).code).toBe(0);
});

/** A file under app/ that holds only the first part of what the reference run wrote there: a write halfway. */
function halfWritten(app: string): string | undefined {
  for (const file of listTree(app).filter((f) => f.startsWith('app/'))) {
    const want = readFileSync(path.join(reference, file.replace(/\.tmp-.*$/, '')), 'utf8');
    const have = readFileSync(path.join(app, file), 'utf8');
    if (have !== want && want.startsWith(have)) return file;
  }
  return undefined;
}

const temporaryFiles = (app: string) => listTree(app).filter((f) => /\.tmp-\d+-[0-9a-f]+$/.test(f));
const routesOnDisk = (app: string) => names.filter((name) => existsSync(path.join(app, route(name))));
const sourcesGone = (app: string) => names.filter((name) => !existsSync(path.join(app, source(name))));

/** Each handler is migrated exactly as the reference run did it, or untouched. Returns the migrated ones. */
function expectEachMigratedOrUntouched(app: string): string[] {
  const pristine = newAppFiles();
  const migrated: string[] = [];
  for (const name of names) {
    const hasRoute = existsSync(path.join(app, route(name)));
    const hasSource = existsSync(path.join(app, source(name)));
    expect(hasRoute !== hasSource, `${name}: route ${hasRoute}, source ${hasSource}`).toBe(true);
    if (hasRoute) {
      expect(readFileSync(path.join(app, route(name)), 'utf8')).toBe(readFileSync(path.join(reference, route(name)), 'utf8'));
      migrated.push(name);
    } else {
      expect(readFileSync(path.join(app, source(name)), 'utf8')).toBe(pristine[source(name)]);
    }
  }
  const compat = 'app/api/_migrate/pages-compat.ts';
  expect(existsSync(path.join(app, compat))).toBe(migrated.some((name) => names.indexOf(name) % 2 === 1));
  return migrated;
}

function newAppFiles(): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [source(name), handler(i)]));
}

/** Commits what the stopped run did, runs again without slowing down, and compares with the reference. */
function expectRunAgainFinishes(app: string): void {
  commitAll(app);
  const again = runCli(['run', app, '--yes']);
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expect(treeHash(app)).toBe(treeHash(reference));
}

describe('a signal during the run', () => {
  it('SIGINT while routes are written: stops after the current file, takes the routes back, exits 130', async () => {
    const app = newApp();
    const before = treeHash(app);
    const report = path.join(tempDir(), 'report.json');
    const { child, done } = startCli(['run', app, '--yes', '--report', report], { env: SLOW });
    // Writes are under way: some routes exist, and no source has gone yet.
    await waitFor(() => routesOnDisk(app).length >= 3, 'three routes on disk');
    child.kill('SIGINT');
    const result = await done;

    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopping after the current file');
    expect(result.stdout).toContain(`Stopped by SIGINT after 0 of ${HANDLERS} handlers. Each handler is either migrated or untouched.`);
    expect(result.stdout).toContain('Run the tool again to finish.');
    // Nothing was removed, so every route written was taken back: the tree is as it was, byte for byte.
    expect(temporaryFiles(app)).toEqual([]);
    expect(treeHash(app)).toBe(before);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.files.map((f: { status: string }) => f.status)).toEqual(names.map(() => 'left'));
    expect(json.files[0].reasons[0]).toMatchObject({ code: 'INTERRUPTED', detail: 'the run was stopped by SIGINT' });
    expectRunAgainFinishes(app);
  });

  it('SIGTERM while sources are removed: migrated handlers stay migrated, the others untouched, exits 143', async () => {
    const app = newApp();
    const report = path.join(tempDir(), 'report.json');
    const { child, done } = startCli(['run', app, '--yes', '--report', report], { env: SLOW });
    await waitFor(() => sourcesGone(app).length >= 2, 'two sources removed');
    child.kill('SIGTERM');
    const result = await done;

    expect(result.code).toBe(143);
    expect(temporaryFiles(app)).toEqual([]);
    const migrated = expectEachMigratedOrUntouched(app);
    expect(migrated.length).toBeGreaterThanOrEqual(2);
    expect(migrated.length).toBeLessThan(HANDLERS);
    expect(result.stdout).toContain(`Stopped by SIGTERM after ${migrated.length} of ${HANDLERS} handlers.`);
    for (const name of migrated) expect(result.stdout).toContain(`  ${source(name)} → ${route(name)}  migrated`);
    // The report says the same: migrated for those, left (INTERRUPTED) for the rest.
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const statuses = Object.fromEntries(json.files.map((f: { source: string; status: string }) => [f.source, f.status]));
    for (const name of names) expect(statuses[source(name)]).toBe(migrated.includes(name) ? 'migrated' : 'left');
    expect(json.summary).toMatchObject({ migrated: migrated.length, left: HANDLERS - migrated.length });
    expectRunAgainFinishes(app);
  });

  it('SIGKILL halfway through a write: no route is ever half-written, and running again finishes', async () => {
    const app = newApp();
    const { child, done } = startCli(['run', app, '--yes'], { env: SLOW });
    // The slow-down pauses in the middle of each write: wait until some file holds half of what it will hold.
    await waitFor(() => routesOnDisk(app).length >= 2 && halfWritten(app) !== undefined, 'a write halfway');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    // Nothing can be taken back after a kill, but what is on disk under a route's name is whole: the half-written
    // data sits in a temporary file. Sources are intact.
    const half = halfWritten(app);
    expect(half).toMatch(/\/route\.ts\.tmp-\d+-[0-9a-f]+$|\/pages-compat\.ts\.tmp-\d+-[0-9a-f]+$/);
    const temps = temporaryFiles(app);
    expect(temps).toEqual([half]);
    expect(existsSync(path.join(app, half!.replace(/\.tmp-.*$/, '')))).toBe(false);
    for (const name of routesOnDisk(app)) expect(readFileSync(path.join(app, route(name)), 'utf8')).toBe(readFileSync(path.join(reference, route(name)), 'utf8'));
    expect(sourcesGone(app)).toEqual([]);

    // The next run recognises the routes it wrote before (same content), and only removes their sources.
    commitAll(app);
    const again = runCli(['run', app, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('the route was already written, by an earlier run that stopped before removing this source');
    expect(listTree(app).filter((f) => !temps.includes(f))).toEqual(listTree(reference));
    for (const file of listTree(reference)) expect(readFileSync(path.join(app, file), 'utf8')).toBe(readFileSync(path.join(reference, file), 'utf8'));
  });
});
