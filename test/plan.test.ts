import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApplyError, applyPlan } from '../src/apply.js';
import { pathFilter } from '../src/path-filter.js';
import { buildPlan } from '../src/plan.js';
import type { Format } from '../src/prettier.js';
import type { Plan, PlannedFile } from '../src/plan-types.js';
import { detectNextVersion, loadProject, versionFromRange } from '../src/project.js';
import { formatSummary, headline, summarize, toJsonReport } from '../src/report.js';
import { isCandidateSource, looksLikeHandler } from '../src/scan.js';
import type { TransformContext, TransformResult } from '../transforms/types.js';

/** strict on: the run leaves tsconfig.json as it is (src/strict-null-checks.ts), and these tests see only routes. */
const STRICT_TSCONFIG = '{ "compilerOptions": { "strict": true } }\n';

// These tests exercise the plan and the writer around a stand-in transform, so that they do not depend on what the
// real transform can migrate. The stand-in keys on markers in the source text.
const contexts: TransformContext[] = [];
function fakeTransform(source: string, context: TransformContext): TransformResult {
  contexts.push(context);
  if (source.includes('THROW')) throw new Error('boom');
  if (source.includes('BAD_OUTPUT')) return { status: 'migrated', output: 'export function GET( {\n', diagnostics: [], notes: [], usesCompat: false, methods: ['GET'] };
  if (source.includes('NO_OUTPUT')) return { status: 'migrated', diagnostics: [], notes: [], usesCompat: false, methods: [] };
  if (!source.includes('export default')) return { status: 'not-handler', diagnostics: [{ reason: 'NO_DEFAULT_EXPORT' }], notes: [], usesCompat: false, methods: [] };
  if (source.includes('WRAPPED')) return { status: 'left', diagnostics: [{ reason: 'HANDLER_NOT_FOUND', line: 1 }], notes: [], usesCompat: false, methods: [] };
  const review = source.includes('REVIEW');
  const output = `export function GET() {}\n${review ? '// TODO(migrate): REQ_NODE_ONLY x\n// TODO(migrate): REQ_NODE_ONLY y\n' : ''}`;
  return {
    status: review ? 'review' : 'migrated',
    output,
    diagnostics: review ? [{ reason: 'REQ_NODE_ONLY', line: 2 }, { reason: 'REQ_NODE_ONLY', line: 3 }] : [],
    notes: review ? ['kept the original expression'] : [],
    usesCompat: source.includes('COMPAT'),
    methods: ['GET'],
  };
}
const COMPAT = '// compat module\n';

const HANDLER = 'export default function handler(req, res) {}\n';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function app(files: Record<string, string>, options: { tsconfig?: boolean } = {}): string {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migrate-plan-')));
  dirs.push(root);
  const all: Record<string, string> = { 'package.json': '{}\n', ...(options.tsconfig === false ? {} : { 'tsconfig.json': STRICT_TSCONFIG }), ...files };
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

async function plan(root: string): Promise<Plan> {
  return buildPlan({ project: await loadProject(root), nextVersion: '15.5.29', transform: fakeTransform, compatSource: () => COMPAT });
}

function file(p: Plan, source: string): PlannedFile {
  const found = p.files.find((f) => f.source === source);
  if (!found) throw new Error(`${source} is not in the plan: ${p.files.map((f) => f.source).join(', ')}`);
  return found;
}

const reasons = (f: PlannedFile) => f.diagnostics.map((d) => d.reason);

describe('buildPlan', () => {
  it('plans a route per handler, and removals of exactly the migrated sources', async () => {
    const root = app({ 'pages/api/a.ts': HANDLER, 'pages/api/b/index.js': HANDLER, 'pages/api/helper.ts': 'export const x = 1;\n', 'pages/api/w.ts': `${HANDLER}// WRAPPED\n` });
    const p = await plan(root);
    expect(p.files.map((f) => [f.source, f.target, f.status])).toEqual([
      ['pages/api/a.ts', 'app/api/a/route.ts', 'migrated'],
      ['pages/api/b/index.js', 'app/api/b/route.js', 'migrated'],
      ['pages/api/helper.ts', 'app/api/helper/route.ts', 'not-handler'],
      ['pages/api/w.ts', 'app/api/w/route.ts', 'left'],
    ]);
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts', 'app/api/b/route.js']);
    expect(p.deletes.map((d) => d.path)).toEqual(['pages/api/a.ts', 'pages/api/b/index.js']);
    expect(p.deletes[0].content).toBe(HANDLER);
  });

  it('passes posix paths relative to the app root, and the version, to the transform', async () => {
    contexts.length = 0;
    await plan(app({ 'src/pages/api/users/[id].ts': HANDLER }));
    expect(contexts).toEqual([
      { sourcePath: 'src/pages/api/users/[id].ts', targetPath: 'src/app/api/users/[id]/route.ts', compatPath: 'src/app/api/_migrate/pages-compat.ts', nextVersion: '15.5.29' },
    ]);
  });

  it('does not transform declarations, tests, specs and __tests__, and reports each as not a handler', async () => {
    const root = app({
      'pages/api/a.ts': HANDLER,
      'pages/api/a.d.ts': HANDLER,
      'pages/api/a.test.ts': HANDLER,
      'pages/api/a.spec.js': HANDLER,
      'pages/api/__tests__/b.ts': HANDLER,
      'pages/api/README.md': HANDLER,
    });
    contexts.length = 0;
    const p = await plan(root);
    expect(contexts.map((c) => c.sourcePath)).toEqual(['pages/api/a.ts']);
    expect(p.files.map((f) => [f.source, f.status, f.diagnostics.map((d) => `${d.reason}: ${d.detail}`)])).toEqual([
      ['pages/api/__tests__', 'not-handler', ['TEST_OR_DECLARATION: a __tests__ folder, not entered']],
      ['pages/api/a.d.ts', 'not-handler', ['TEST_OR_DECLARATION: a TypeScript declaration file']],
      ['pages/api/a.spec.js', 'not-handler', ['TEST_OR_DECLARATION: a test file']],
      ['pages/api/a.test.ts', 'not-handler', ['TEST_OR_DECLARATION: a test file']],
      ['pages/api/a.ts', 'migrated', []],
    ]);
    expect(p.deletes.map((d) => d.path)).toEqual(['pages/api/a.ts']);
  });

  it('writes nothing', async () => {
    const root = app({ 'pages/api/a.ts': `${HANDLER}// COMPAT\n` });
    await plan(root);
    expect(existsSync(path.join(root, 'app'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/a.ts'))).toBe(true);
  });

  it('marks two sources for one route as conflicts: x.ts and x/index.ts, x.ts and x.js', async () => {
    const root = app({ 'pages/api/x.ts': HANDLER, 'pages/api/x/index.ts': HANDLER, 'pages/api/y.ts': HANDLER, 'pages/api/y.js': HANDLER, 'pages/api/z.ts': HANDLER });
    const p = await plan(root);
    for (const source of ['pages/api/x.ts', 'pages/api/x/index.ts', 'pages/api/y.ts', 'pages/api/y.js']) {
      expect(file(p, source).status).toBe('conflict');
      expect(reasons(file(p, source))).toEqual(['DUPLICATE_ROUTE']);
    }
    expect(file(p, 'pages/api/x.ts').diagnostics[0].detail).toContain('pages/api/x/index.ts');
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/z/route.ts']);
  });

  it('keeps the reasons of a file that stays anyway, and adds the duplicate', async () => {
    const p = await plan(app({ 'pages/api/x.ts': HANDLER, 'pages/api/x/index.ts': `${HANDLER}// WRAPPED\n` }));
    expect(file(p, 'pages/api/x/index.ts').status).toBe('left');
    expect(reasons(file(p, 'pages/api/x/index.ts'))).toEqual(['HANDLER_NOT_FOUND', 'DUPLICATE_ROUTE']);
    expect(file(p, 'pages/api/x.ts').status).toBe('conflict');
  });

  it('treats pages/api and src/pages/api sources for one URL as duplicates', async () => {
    const p = await plan(app({ 'pages/api/x.ts': HANDLER, 'src/pages/api/x.ts': HANDLER }));
    expect(p.files.map((f) => f.status)).toEqual(['conflict', 'conflict']);
  });

  it.each([
    ['app/api/a/route.ts', 'TARGET_EXISTS'],
    ['app/api/a/route.js', 'TARGET_EXISTS'],
    ['app/api/a/page.tsx', 'PAGE_IN_FOLDER'],
    ['app/api/a/page.js', 'PAGE_IN_FOLDER'],
    ['app/api/a', 'TARGET_EXISTS'],
    ['app/api', 'TARGET_EXISTS'],
  ])('leaves a file whose target clashes with %s (%s), and the others proceed', async (existing, reason) => {
    const root = app({ 'pages/api/a.ts': HANDLER, 'pages/api/b/c.ts': HANDLER, [existing]: 'existing\n' });
    const p = await plan(root);
    expect(file(p, 'pages/api/a.ts').status).toBe('conflict');
    expect(reasons(file(p, 'pages/api/a.ts'))).toEqual([reason]);
    expect(file(p, 'pages/api/a.ts').output).toBeUndefined();
    expect(p.deletes.map((d) => d.path)).not.toContain('pages/api/a.ts');
    if (existing !== 'app/api') expect(file(p, 'pages/api/b/c.ts').status).toBe('migrated');
  });

  it.each([
    ['app/(site)/api/a/route.ts', 'pages/api/a.ts', 'app/(site)/api/a/route.ts answers the same URL'],
    ['app/(docs)/api/a/page.tsx', 'pages/api/a.ts', 'app/(docs)/api/a/page.tsx answers the same URL'],
    ['app/api/users/[userId]/route.ts', 'pages/api/users/[id].ts', 'app/api/users/[userId]/route.ts names the segment [userId] where this route has [id]'],
    ['app/(admin)/api/users/[userId]/posts/route.ts', 'pages/api/users/[id]/index.ts', 'names the segment [userId] where this route has [id]'],
  ])('leaves a file whose URL %s answers already (URL_TAKEN), and the others proceed', async (existing, source, detail) => {
    const p = await plan(app({ [source]: HANDLER, 'pages/api/b/c.ts': HANDLER, 'app/(site)/_lib/route.ts': 'private\n', [existing]: 'existing\n' }));
    expect(file(p, source)).toMatchObject({ status: 'conflict', diagnostics: [{ reason: 'URL_TAKEN' }] });
    expect(file(p, source).diagnostics[0].detail).toContain(detail);
    expect(p.deletes.map((d) => d.path)).not.toContain(source);
    expect(file(p, 'pages/api/b/c.ts').status).toBe('migrated');
  });

  it('writes beside a route of the app with the same segment names, or at another URL', async () => {
    const root = app({ 'pages/api/users/[id].ts': HANDLER, 'pages/api/b.ts': HANDLER, 'app/api/users/[id]/posts/route.ts': 'x\n', 'app/(site)/api/c/route.ts': 'x\n' });
    const p = await plan(root);
    expect(p.files.map((f) => f.status)).toEqual(['migrated', 'migrated']);
  });

  it('records a transform that throws as an internal error on that file only', async () => {
    const p = await plan(app({ 'pages/api/bad.ts': `${HANDLER}// THROW\n`, 'pages/api/good.ts': HANDLER }));
    expect(file(p, 'pages/api/bad.ts')).toMatchObject({ status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: 'boom' }] });
    expect(file(p, 'pages/api/bad.ts').stack).toContain('boom');
    expect(file(p, 'pages/api/good.ts').status).toBe('migrated');
  });

  it('does not trust a route status without an output', async () => {
    const p = await plan(app({ 'pages/api/a.ts': `${HANDLER}// NO_OUTPUT\n` }));
    expect(file(p, 'pages/api/a.ts')).toMatchObject({ status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR' }] });
    expect(p.creates).toEqual([]);
  });

  it('never plans a route that does not parse: the file stays, as an internal error', async () => {
    const p = await plan(app({ 'pages/api/a.ts': `${HANDLER}// BAD_OUTPUT\n`, 'pages/api/b.ts': HANDLER }));
    expect(file(p, 'pages/api/a.ts')).toMatchObject({ status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR' }] });
    expect(file(p, 'pages/api/a.ts').diagnostics[0].detail).toMatch(/^the route it produced does not parse \(Unexpected token/);
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/b/route.ts']);
    expect(p.deletes.map((c) => c.path)).toEqual(['pages/api/b.ts']);
  });

  it('reports a file it cannot read, and goes on', async () => {
    const root = app({ 'pages/api/good.ts': HANDLER });
    symlinkSync(path.join(root, 'missing.ts'), path.join(root, 'pages/api/broken.ts'));
    const p = await plan(root);
    expect(file(p, 'pages/api/broken.ts')).toMatchObject({ status: 'left', diagnostics: [{ reason: 'UNREADABLE', detail: 'ENOENT' }] });
    expect(file(p, 'pages/api/good.ts').status).toBe('migrated');
  });

  it('never follows a symlink outside the app root, but follows one inside it', async () => {
    const outside = app({ 'secret.ts': HANDLER });
    const root = app({ 'lib/inside.ts': HANDLER, 'pages/api/a.ts': HANDLER });
    symlinkSync(outside, path.join(root, 'pages/api/external'));
    symlinkSync(path.join(outside, 'secret.ts'), path.join(root, 'pages/api/secret.ts'));
    symlinkSync(path.join(root, 'lib/inside.ts'), path.join(root, 'pages/api/inside.ts'));
    contexts.length = 0;
    const p = await plan(root);
    expect(contexts.map((c) => c.sourcePath).sort()).toEqual(['pages/api/a.ts', 'pages/api/inside.ts']);
    expect(file(p, 'pages/api/external')).toMatchObject({ status: 'left', target: 'app/api/external', diagnostics: [{ reason: 'OUTSIDE_ROOT' }] });
    expect(file(p, 'pages/api/secret.ts')).toMatchObject({ status: 'left', diagnostics: [{ reason: 'OUTSIDE_ROOT' }] });
    expect(file(p, 'pages/api/inside.ts').status).toBe('migrated');
  });

  it('never writes through a symlink that leads outside the root', async () => {
    const outside = app({});
    const root = app({ 'pages/api/a.ts': HANDLER });
    symlinkSync(outside, path.join(root, 'app'));
    const p = await plan(root);
    expect(file(p, 'pages/api/a.ts')).toMatchObject({ status: 'conflict', diagnostics: [{ reason: 'OUTSIDE_ROOT' }] });
    expect(p.creates).toEqual([]);
  });

  it('survives a symlink loop', async () => {
    const root = app({ 'pages/api/a/b.ts': HANDLER });
    symlinkSync(path.join(root, 'pages/api'), path.join(root, 'pages/api/a/loop'));
    const p = await plan(root);
    expect(file(p, 'pages/api/a/b.ts').status).toBe('migrated');
  });
});

describe('buildPlan: the shared compat module', () => {
  it('is written once per tree, after the routes, when a route uses it', async () => {
    const p = await plan(app({ 'pages/api/a.ts': `${HANDLER}// COMPAT\n`, 'pages/api/b.ts': `${HANDLER}// COMPAT\n`, 'pages/api/c.ts': HANDLER }));
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts', 'app/api/b/route.ts', 'app/api/c/route.ts', 'app/api/_migrate/pages-compat.ts']);
    expect(p.creates.at(-1)?.content).toBe(COMPAT);
  });

  it('is not written when no route uses it', async () => {
    const p = await plan(app({ 'pages/api/a.ts': HANDLER }));
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts']);
  });

  it('is .js in a project without tsconfig.json', async () => {
    const p = await plan(app({ 'pages/api/a.js': `${HANDLER}// COMPAT\n` }, { tsconfig: false }));
    expect(p.creates.map((c) => c.path)).toContain('app/api/_migrate/pages-compat.js');
  });

  it('is not written again when an identical one exists', async () => {
    const p = await plan(app({ 'pages/api/a.ts': `${HANDLER}// COMPAT\n`, 'app/api/_migrate/pages-compat.ts': COMPAT }));
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts']);
  });

  it('is never overwritten: the routes that need it become conflicts', async () => {
    const p = await plan(app({ 'pages/api/a.ts': `${HANDLER}// COMPAT\n`, 'pages/api/b.ts': HANDLER, 'app/api/_migrate/pages-compat.ts': '// edited\n' }));
    expect(file(p, 'pages/api/a.ts')).toMatchObject({ status: 'conflict', diagnostics: [{ reason: 'COMPAT_MODULE_CHANGED' }] });
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/b/route.ts']);
  });
});

describe('buildPlan: --only', () => {
  async function planOnly(root: string, patterns: string[]): Promise<Plan> {
    return buildPlan({ project: await loadProject(root), nextVersion: '15.5.29', transform: fakeTransform, compatSource: () => COMPAT, only: pathFilter(patterns) });
  }

  it('keeps only the selected files, and writes and removes only those', async () => {
    const p = await planOnly(app({ 'pages/api/a/x.ts': HANDLER, 'pages/api/a/y.ts': HANDLER, 'pages/api/b.ts': HANDLER }), ['pages/api/a/**']);
    expect(p.files.map((f) => f.source)).toEqual(['pages/api/a/x.ts', 'pages/api/a/y.ts']);
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/x/route.ts', 'app/api/a/y/route.ts']);
    expect(p.deletes.map((d) => d.path)).toEqual(['pages/api/a/x.ts', 'pages/api/a/y.ts']);
  });

  it('still sees a source outside the selection that answers the same route', async () => {
    const p = await planOnly(app({ 'pages/api/x.ts': HANDLER, 'pages/api/x/index.ts': HANDLER }), ['pages/api/x.ts']);
    expect(p.files).toHaveLength(1);
    expect(file(p, 'pages/api/x.ts')).toMatchObject({ status: 'conflict', diagnostics: [{ reason: 'DUPLICATE_ROUTE', detail: 'also answered by pages/api/x/index.ts' }] });
    expect(p.creates).toEqual([]);
  });

  it('writes the compat module only for selected routes that need it', async () => {
    const p = await planOnly(app({ 'pages/api/a.ts': HANDLER, 'pages/api/b.ts': `${HANDLER}// COMPAT\n` }), ['pages/api/a.ts']);
    expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts']);
  });
});

describe('buildPlan: formatting with the app\'s Prettier', () => {
  const HEADER = '// formatted\n';
  async function planFormatted(root: string, format: Format): Promise<Plan> {
    return buildPlan({ project: await loadProject(root), nextVersion: '15.5.29', transform: fakeTransform, compatSource: () => COMPAT, format });
  }

  it('formats routes and the compat module, and moves the reasons to the lines the markers land on', async () => {
    const seen: string[] = [];
    const p = await planFormatted(app({ 'pages/api/b.ts': `${HANDLER}// REVIEW\n// COMPAT\n` }), async (rel, text) => {
      seen.push(rel);
      return `${HEADER}${text.replace('export function GET() {}\n', 'export function GET() {}\n\n')}`;
    });
    expect(seen).toEqual(['app/api/b/route.ts', 'app/api/_migrate/pages-compat.ts']);
    const b = file(p, 'pages/api/b.ts');
    expect(b.output).toBe(`${HEADER}export function GET() {}\n\n// TODO(migrate): REQ_NODE_ONLY x\n// TODO(migrate): REQ_NODE_ONLY y\n`);
    expect(b.diagnostics.map((d) => d.line)).toEqual([4, 5]);
    expect(p.creates.map((c) => c.content)).toEqual([b.output, `${HEADER}${COMPAT}`]);
  });

  it('leaves a file as the transform wrote it when no config applies (format gives undefined)', async () => {
    const p = await planFormatted(app({ 'pages/api/a.ts': HANDLER }), async () => undefined);
    expect(p.creates[0].content).toBe('export function GET() {}\n');
  });

  it('keeps the transform\'s output, with a note, when Prettier fails or loses a marker', async () => {
    const failing = await planFormatted(app({ 'pages/api/a.ts': HANDLER }), async () => {
      throw new Error('SyntaxError: nope\n  at somewhere');
    });
    expect(file(failing, 'pages/api/a.ts')).toMatchObject({ output: 'export function GET() {}\n', notes: ["Prettier could not format the route (SyntaxError: nope); it keeps the source's style"] });
    const dropping = await planFormatted(app({ 'pages/api/b.ts': `${HANDLER}// REVIEW\n` }), async (_rel, text) => text.replace(/^.*TODO.*\n/m, ''));
    expect(file(dropping, 'pages/api/b.ts').output).toContain('REQ_NODE_ONLY y');
    expect(file(dropping, 'pages/api/b.ts').notes).toContain("Prettier moved a TODO(migrate) marker, so the route keeps the source's style");
  });

  it('recognises a route an earlier, killed run wrote by its formatted text, and only removes the source', async () => {
    const format: Format = async (_rel, text) => `${HEADER}${text}`;
    const root = app({ 'pages/api/a.ts': HANDLER, 'app/api/a/route.ts': `${HEADER}export function GET() {}\n` });
    const p = await planFormatted(root, format);
    expect(file(p, 'pages/api/a.ts')).toMatchObject({ status: 'migrated', alreadyWritten: true });
    expect(p.creates).toEqual([]);
    expect(p.deletes.map((d) => d.path)).toEqual(['pages/api/a.ts']);
    // Any other text there is someone else's route: a conflict, never overwritten.
    const other = await planFormatted(app({ 'pages/api/a.ts': HANDLER, 'app/api/a/route.ts': 'export function GET() {}\n' }), format);
    expect(file(other, 'pages/api/a.ts')).toMatchObject({ status: 'conflict', diagnostics: [{ reason: 'TARGET_EXISTS' }] });
  });

  it('takes an existing compat module, formatted or as the tool writes it, as its own', async () => {
    const format: Format = async (_rel, text) => `${HEADER}${text}`;
    for (const existing of [COMPAT, `${HEADER}${COMPAT}`]) {
      const p = await planFormatted(app({ 'pages/api/a.ts': `${HANDLER}// COMPAT\n`, 'app/api/_migrate/pages-compat.ts': existing }), format);
      expect(file(p, 'pages/api/a.ts').status).toBe('migrated');
      expect(p.creates.map((c) => c.path)).toEqual(['app/api/a/route.ts']);
    }
  });
});

describe('applyPlan', () => {
  it('writes every file, then removes the sources and the folders left empty under pages/api', async () => {
    const root = app({ 'pages/api/a/b/c.ts': `${HANDLER}// COMPAT\n`, 'pages/api/keep/helper.ts': 'export const x = 1;\n' });
    const p = await plan(root);
    const result = await applyPlan(p, { dry: false });
    expect(result.written).toEqual(['app/api/a/b/c/route.ts', 'app/api/_migrate/pages-compat.ts']);
    expect(result.removed).toEqual(['pages/api/a/b/c.ts']);
    expect(result.prunedFolders).toEqual(['pages/api/a', 'pages/api/a/b']);
    expect(readFileSync(path.join(root, 'app/api/a/b/c/route.ts'), 'utf8')).toBe('export function GET() {}\n');
    expect(existsSync(path.join(root, 'pages/api/keep/helper.ts'))).toBe(true);
  });

  it('removes pages/api itself when it is left empty', async () => {
    const root = app({ 'pages/api/a.ts': HANDLER, 'pages/index.tsx': 'x\n' });
    await applyPlan(await plan(root), { dry: false });
    expect(existsSync(path.join(root, 'pages/api'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/index.tsx'))).toBe(true);
  });

  it('writes nothing when dry', async () => {
    const root = app({ 'pages/api/a.ts': HANDLER });
    const result = await applyPlan(await plan(root), { dry: true });
    expect(result).toEqual({ written: [], updated: [], removed: [], prunedFolders: [], takenBack: [] });
    expect(existsSync(path.join(root, 'app'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/a.ts'))).toBe(true);
  });

  it('takes back what it wrote and removes no source when a write fails', async () => {
    const root = app({ 'pages/api/a.ts': HANDLER, 'pages/api/b.ts': HANDLER });
    const p = await plan(root);
    // Something appears after planning where the second route's folder should go.
    mkdirSync(path.join(root, 'app/api'), { recursive: true });
    writeFileSync(path.join(root, 'app/api/b'), 'in the way\n');
    await expect(applyPlan(p, { dry: false })).rejects.toThrow();
    expect(existsSync(path.join(root, 'app/api/a'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/a.ts'))).toBe(true);
    expect(existsSync(path.join(root, 'pages/api/b.ts'))).toBe(true);
  });
});

describe('applyPlan: stopping halfway', () => {
  /** Asks to stop from the `n`th question on (one question before each file written or removed). */
  const stopAt = (n: number) => {
    let asked = 0;
    return () => (++asked >= n ? ('SIGINT' as const) : undefined);
  };
  const handlers = { 'pages/api/a.ts': `${HANDLER}// COMPAT\n`, 'pages/api/b.ts': HANDLER, 'pages/api/c.ts': `${HANDLER}// COMPAT\n`, 'pages/api/d.ts': HANDLER };

  it('while writing: takes back every route and folder it wrote, and removes no source', async () => {
    const root = app(handlers);
    const p = await plan(root);
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(3) });
    expect(result).toMatchObject({ stoppedBy: 'SIGINT', written: [], removed: [], takenBack: ['app/api/b/route.ts', 'app/api/a/route.ts'] });
    expect(existsSync(path.join(root, 'app'))).toBe(false);
    for (const [source, content] of Object.entries(handlers)) expect(readFileSync(path.join(root, source), 'utf8')).toBe(content);
  });

  it('while removing: keeps the routes of the sources removed (and the compat module they use), takes back the rest', async () => {
    const root = app(handlers);
    const p = await plan(root);
    // 4 routes and the compat module are written (5 questions), then 1 source is removed before the stop.
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(7) });
    expect(result.stoppedBy).toBe('SIGINT');
    expect(result.removed).toEqual(['pages/api/a.ts']);
    expect(result.written.sort()).toEqual(['app/api/_migrate/pages-compat.ts', 'app/api/a/route.ts']);
    expect(result.takenBack.sort()).toEqual(['app/api/b/route.ts', 'app/api/c/route.ts', 'app/api/d/route.ts']);
    expect(existsSync(path.join(root, 'app/api/b'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/a.ts'))).toBe(false);
    for (const source of ['b', 'c', 'd']) expect(existsSync(path.join(root, `pages/api/${source}.ts`))).toBe(true);
  });

  it('takes back the compat module when no kept route uses it', async () => {
    const root = app(handlers);
    const p = await plan(root);
    const result = await applyPlan(p, { dry: false, shouldStop: stopAt(8) });
    expect(result.removed).toEqual(['pages/api/a.ts', 'pages/api/b.ts']);
    expect(existsSync(path.join(root, 'app/api/_migrate/pages-compat.ts'))).toBe(true);
    const onlyB = await plan(app({ 'pages/api/a.ts': HANDLER, 'pages/api/b.ts': `${HANDLER}// COMPAT\n` }));
    const second = await applyPlan(onlyB, { dry: false, shouldStop: stopAt(5) });
    expect(second.removed).toEqual(['pages/api/a.ts']);
    expect(second.takenBack).toContain('app/api/_migrate/pages-compat.ts');
    expect(existsSync(path.join(onlyB.root, 'app/api/_migrate'))).toBe(false);
  });

  it('on a failed removal: keeps what is done, takes back the rest, and says what was done', async () => {
    const root = app(handlers);
    const p = await plan(root);
    // After the plan, the third source becomes a folder: removing it fails.
    rmSync(path.join(root, 'pages/api/c.ts'));
    mkdirSync(path.join(root, 'pages/api/c.ts'));
    const error = await applyPlan(p, { dry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).result.removed).toEqual(['pages/api/a.ts', 'pages/api/b.ts']);
    expect(existsSync(path.join(root, 'app/api/a/route.ts'))).toBe(true);
    expect(existsSync(path.join(root, 'app/api/c'))).toBe(false);
    expect(existsSync(path.join(root, 'pages/api/d.ts'))).toBe(true);
  });
});

describe('report', () => {
  it('prints the headline in the agreed form, conflicts counted as left', async () => {
    const root = app({
      'pages/api/a.ts': HANDLER,
      'pages/api/b.ts': `${HANDLER}// REVIEW\n`,
      'pages/api/c.ts': `${HANDLER}// WRAPPED\n`,
      'pages/api/d.ts': HANDLER,
      'app/api/d/route.ts': 'x\n',
      'pages/api/helper.ts': 'export const x = 1;\n',
    });
    const p = await plan(root);
    expect(summarize(p)).toEqual({ handlers: 4, migrated: 1, review: 1, left: 1, conflicts: 1, notHandlers: 1, markers: 2 });
    expect(headline(summarize(p))).toBe('Migrated 2 of 4 handlers: 1 clean, 1 need review (2 markers); 2 left in place');
    const text = formatSummary(p);
    expect(text).toContain('pages/api/b.ts → app/api/b/route.ts  needs review [GET]');
    expect(text).toContain('REQ_NODE_ONLY (line 2) a Node-only request member has no App Router equivalent');
    expect(text).toContain('note: kept the original expression');
    expect(text).toContain('pages/api/helper.ts  not a handler, left in place');
    expect(text.indexOf('pages/api/helper.ts')).toBeGreaterThan(text.indexOf('pages/api/d.ts'));
  });

  it('builds the JSON report with exactly the schema-1 keys', async () => {
    const p = await plan(app({ 'pages/api/w.ts': `${HANDLER}// WRAPPED\n` }));
    expect(toJsonReport(p)).toEqual({
      version: 1,
      nextVersion: '15.5.29',
      summary: { handlers: 1, migrated: 0, review: 0, left: 1, conflicts: 0, notHandlers: 0, markers: 0 },
      files: [
        {
          source: 'pages/api/w.ts',
          target: 'app/api/w/route.ts',
          status: 'left',
          methods: [],
          reasons: [{ code: 'HANDLER_NOT_FOUND', short: 'the default export is not a (req, res) function the tool can follow', line: 1, detail: undefined }],
          markers: [],
          notes: [],
        },
      ],
      updates: [],
    });
  });
});

describe('helpers', () => {
  it.each([
    ['pages/api/a.ts', true],
    // Next.js serves only its pageExtensions (tsx ts jsx js by default): a .mjs or .cjs module is no route.
    ['pages/api/a.mjs', false],
    ['pages/api/a.cjs', false],
    ['pages/api/a.d.ts', false],
    ['pages/api/a.test.tsx', false],
    ['pages/api/a.spec.js', false],
    ['pages/api/__tests__/a.ts', false],
    ['pages/api/a.json', false],
    ['pages/api/contest.ts', true],
  ])('isCandidateSource(%s) is %s', (p, expected) => {
    expect(isCandidateSource(p)).toBe(expected);
  });

  it.each([
    ['pages/api/a.page.ts', true],
    ['pages/api/a.ts', false],
    ['pages/api/a.page.test.ts', false],
    ['pages/api/a.mjs', true],
    ['pages/api/a.mdx', false],
  ])('with pageExtensions page.ts, mjs, mdx: isCandidateSource(%s) is %s', (p, expected) => {
    expect(isCandidateSource(p, ['page.ts', 'mjs', 'mdx'])).toBe(expected);
  });

  it.each([
    ['export default function handler() {}', true],
    ['export default withAuth(handler)', true],
    ['module.exports = handler', true],
    ['exports.default = handler', true],
    ['export { handler as default }', true],
    ['export const x = 1', false],
    ['export function helper() {}', false],
  ])('looksLikeHandler(%s) is %s', (source, expected) => {
    expect(looksLikeHandler(source)).toBe(expected);
  });

  it.each([
    ['^15.5.0', '15.5.0'],
    ['~14.2', '14.2.0'],
    ['15', '15.0.0'],
    ['>=14.0.0 <16', '14.0.0'],
    ['16.1.0-canary.3', '16.1.0-canary.3'],
    ['npm:next@15.1.2', '15.1.2'],
    ['latest', undefined],
    ['*', undefined],
  ])('versionFromRange(%s) is %s', (range, expected) => {
    expect(versionFromRange(range)).toBe(expected);
  });

  it.each([
    ['package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/next-auth': { version: '4.24.5' } } })],
    ['yarn.lock', '# yarn lockfile v1\n\n"next-auth@^4.16.4", next-auth@^4.2:\n  version "4.24.5"\n  resolved "https://registry.yarnpkg.com/next-auth/-/next-auth-4.24.5.tgz"\n'],
    ['pnpm-lock.yaml', "lockfileVersion: '6.0'\n\npackages:\n\n  /next-auth@4.24.5(next@14.2.3):\n    resolution: {integrity: sha512-x}\n"],
  ])('without node_modules, a package version comes from %s before the range package.json asks for', async (lockfile, text) => {
    const root = app({ 'package.json': JSON.stringify({ dependencies: { next: '15.5.29', 'next-auth': '^4.16.4' } }), [lockfile]: text });
    expect((await loadProject(root)).nextAuthVersion).toBe('4.24.5');
  });

  it("in a workspace, reads a member's versions from the lockfile above it, its own importer entry first", async () => {
    const lock = [
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  apps/old:',
      '    dependencies:',
      '      next:',
      "        specifier: 'catalog:legacy'",
      '        version: 14.2.3(react@18.2.0)',
      '',
      '  apps/web:',
      '    dependencies:',
      '      next:',
      "        specifier: 'catalog:'",
      '        version: 15.5.18(@opentelemetry/api@1.9.0)(react@18.2.0)',
      '      next-auth:',
      '        specifier: ^4.16.4',
      '        version: 4.24.5(next@15.5.18)',
      '',
      'packages:',
      '',
      '  next@14.2.3:',
      '    resolution: {integrity: sha512-x}',
      '',
    ].join('\n');
    const root = app({ 'pnpm-lock.yaml': lock, 'apps/web/package.json': JSON.stringify({ dependencies: { next: 'catalog:', 'next-auth': '^4.16.4' } }), 'apps/old/package.json': JSON.stringify({ dependencies: { next: 'catalog:legacy' } }) });
    const web = await loadProject(path.join(root, 'apps/web'));
    expect([await detectNextVersion(web.root), web.nextAuthVersion]).toEqual(['15.5.18', '4.24.5']);
    expect(await detectNextVersion(path.join(root, 'apps/old'))).toBe('14.2.3');
  });

  it('reads a CRLF pnpm lockfile as one with LF, and takes no version from a lockfile above that does not name the app', async () => {
    const lock = ["lockfileVersion: '9.0'", '', 'importers:', '', '  apps/admin:', '    dependencies:', '      next:', '        specifier: 14.2.35', '        version: 14.2.35', '', '  apps/web:', '    dependencies:', '      next:', '        specifier: 15.5.29', '        version: 15.5.29', ''].join('\r\n');
    const root = app({ 'pnpm-lock.yaml': lock, 'apps/web/package.json': JSON.stringify({ dependencies: { next: '^15.0.0' } }) });
    expect(await detectNextVersion(path.join(root, 'apps/web'))).toBe('15.5.29');
    // A project above with its own lockfile, of which the app is no member: the app's package.json decides.
    const above = app({ 'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/next': { version: '15.5.29' } } }), 'far/away/app/package.json': JSON.stringify({ dependencies: { next: '14.2.35' } }), 'yarn.lock': 'next@^15.0.0:\n  version "15.5.29"\n' });
    expect(await detectNextVersion(path.join(above, 'far/away/app'))).toBe('14.2.35');
  });

  it("reads a pnpm catalog's version (catalog:, catalog:<name>) from the workspace file above the app", async () => {
    const workspace = ['packages:', '  - apps/*', '', 'catalog:', '  react: 18.2.0', "  next: '15.5.18' # pinned", '', 'catalogs:', '  legacy:', '    "next": ^14.2.3', '  other:', '    next: 13.5.0', ''].join('\n');
    const root = app({ 'pnpm-workspace.yaml': workspace, 'apps/web/package.json': JSON.stringify({ dependencies: { next: 'catalog:' } }), 'apps/old/package.json': JSON.stringify({ dependencies: { next: 'catalog:legacy' } }), 'apps/none/package.json': JSON.stringify({ dependencies: { next: 'catalog:missing' } }) });
    expect(await detectNextVersion(path.join(root, 'apps/web'))).toBe('15.5.18');
    expect(await detectNextVersion(path.join(root, 'apps/old'))).toBe('14.2.3');
    await expect(detectNextVersion(path.join(root, 'apps/none'))).rejects.toThrow('Cannot tell which Next.js version');
  });

  it('reads the formidable version, installed before the range package.json asks for (its callback differs before v3)', async () => {
    expect((await loadProject(app({ 'package.json': JSON.stringify({ dependencies: { formidable: '^2.1.1' } }) }))).formidableVersion).toBe('2.1.1');
    const installed = app({ 'package.json': JSON.stringify({ dependencies: { formidable: '^2.1.1' } }), 'node_modules/formidable/package.json': '{ "version": "3.5.4" }' });
    expect((await loadProject(installed)).formidableVersion).toBe('3.5.4');
    expect((await loadProject(app({ 'package.json': '{}' }))).formidableVersion).toBeUndefined();
  });
});
