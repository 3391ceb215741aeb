/**
 * Moved exports (next-auth options, a handler file's other exports) when a run stops.
 * Stopping halfway with next-auth's options moved: the new module stays exactly while a removed source's route
 * imports it (the next-auth route, or a route whose import of the old path was pointed at it).
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/apply.js';
import { buildPlan } from '../src/plan.js';
import { loadProject } from '../src/project.js';

/** strict on: the run leaves tsconfig.json as it is (src/strict-null-checks.ts), and these tests see only routes. */
const STRICT_TSCONFIG = '{ "compilerOptions": { "strict": true } }\n';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temporary app with these files, a package.json and a tsconfig.json. */
function tempApp(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migrate-moved-')));
  dirs.push(root);
  for (const [rel, content] of Object.entries({ 'package.json': '{}\n', 'tsconfig.json': STRICT_TSCONFIG, ...files })) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const app = () =>
  tempApp({
    'pages/api/auth/[...nextauth].ts': `import NextAuth from 'next-auth'\nexport const authOptions = { providers: [] }\nexport default NextAuth(authOptions)\n`,
    'pages/api/me.ts': `import { authOptions } from './auth/[...nextauth]'\nexport default function handler(req, res) {\n  res.json({ n: authOptions.providers.length })\n}\n`,
  });

const stopAt = (n: number) => {
  let asked = 0;
  return () => (++asked >= n ? ('SIGINT' as const) : undefined);
};

describe('next-auth options module when a run stops', () => {
  it('is planned as a file the next-auth route and its importers need', async () => {
    const p = await buildPlan({ project: await loadProject(app()), nextVersion: '15.5.29' });
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/auth/[...nextauth]/route.ts', 'app/api/me/route.ts', 'lib/auth-options.ts']);
    expect(p.files.map((f) => f.needs)).toEqual([['lib/auth-options.ts'], ['lib/auth-options.ts']]);
  });

  it('stays when a source whose route imports it was removed', async () => {
    const root = app();
    const p = await buildPlan({ project: await loadProject(root), nextVersion: '15.5.29' });
    // 3 files written (3 questions), the next-auth source removed (1), then the stop.
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(5) });
    expect(result.removed).toEqual(['pages/api/auth/[...nextauth].ts']);
    expect(result.takenBack).toEqual(['app/api/me/route.ts']);
    expect(existsSync(path.join(root, 'lib/auth-options.ts'))).toBe(true);
  });

  it('is taken back when no source was removed', async () => {
    const root = app();
    const p = await buildPlan({ project: await loadProject(root), nextVersion: '15.5.29' });
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(4) });
    expect(result.removed).toEqual([]);
    expect(existsSync(path.join(root, 'lib/auth-options.ts'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/me.ts'))).toBe(true);
  });
});

describe('a handler file whose other exports move, when a run stops', () => {
  const exportsApp = () =>
    tempApp({
      'pages/api/a.ts': `const cache = new Map()\nexport function helper() { return cache.size }\nexport default function handler(req, res) {\n  res.json({ n: helper(), size: cache.size })\n}\n`,
      'pages/api/b.ts': `import { helper } from './a'\nexport default function handler(req, res) {\n  res.json({ n: helper() })\n}\n`,
      'lib/c.ts': `import { helper } from '../pages/api/a'\nexport const c = helper\n`,
    });

  it('plans the module beside the route, needed by both routes, and the importer update', async () => {
    const p = await buildPlan({ project: await loadProject(exportsApp()), nextVersion: '15.5.29' });
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts', 'app/api/b/route.ts', 'app/api/a/shared.ts']);
    expect(p.files.map((f) => f.needs)).toEqual([['app/api/a/shared.ts'], ['app/api/a/shared.ts']]);
    expect(p.updates.map((u) => ({ path: u.path, users: u.users, imports: u.imports }))).toEqual([{ path: 'lib/c.ts', users: ['pages/api/a.ts'], imports: ['app/api/a/shared.ts'] }]);
  });

  it('is taken back, with the importer update, when no source was removed', async () => {
    const root = exportsApp();
    const p = await buildPlan({ project: await loadProject(root), nextVersion: '15.5.29' });
    // 3 files written and 1 update (4 questions), then the stop before the first removal.
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(5) });
    expect(result.removed).toEqual([]);
    expect(existsSync(path.join(root, 'app/api/a/shared.ts'))).toBe(false);
    expect(readFileSync(path.join(root, 'lib/c.ts'), 'utf8')).toContain(`from '../pages/api/a'`);
  });
});
