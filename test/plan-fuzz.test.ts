/**
 * The whole tool on broken apps: mutated transform fixtures (tokens, statements, lines) and damaged bytes
 * (truncation, NUL, CRLF, BOM, Latin-1, empty), many per app, in real folders. The real plan and the real writer
 * run on each app. Nothing may throw; each file is either migrated (its route on disk parses, its source is gone)
 * or left byte for byte as it was; nothing else in the tree changes; and a second plan has nothing left to do.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { applyPlan } from '../src/apply.js';
import { parseProblem } from '../src/output-check.js';
import { isWritable } from '../src/plan-types.js';
import { buildPlan } from '../src/plan.js';
import { loadProject } from '../src/project.js';
import { damageBytes, mutate, seeded } from './mutate.js';

const APPS = 24;
const FILES_PER_APP = 50;

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'transform');
const inputs = readdirSync(fixtures)
  // Only fixtures the transform migrates on their own: a mutated copy of one it leaves is left too and tests no
  // writing, and one with a context (a module it re-exports) needs files this test does not write.
  .filter((f) => /\.input\.(ts|js)$/.test(f) && existsSync(path.join(fixtures, f.replace('.input.', '.output.'))) && !existsSync(path.join(fixtures, f.replace(/\.input\.(ts|js)$/, '.context.json'))))
  .map((f) => ({ ext: f.endsWith('.js') ? 'js' : 'ts', source: readFileSync(path.join(fixtures, f), 'utf8') }));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every file under `root` except `skip`, with its bytes. */
function snapshot(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(root, child)));
    }
  };
  walk('');
  return files;
}

it(`never throws, and leaves each of ${APPS * FILES_PER_APP} broken files migrated or byte-identical`, async () => {
  const pick = seeded(7_2026);
  const failures: string[] = [];
  let migrated = 0;
  for (let a = 0; a < APPS; a++) {
    const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'migrate-fuzz-')));
    dirs.push(root);
    writeFileSync(path.join(root, 'package.json'), '{}\n');
    if (a % 2) writeFileSync(path.join(root, 'tsconfig.json'), '{}\n');
    const how = new Map<string, string>();
    for (let i = 0; i < FILES_PER_APP; i++) {
      const { ext, source } = inputs[pick(inputs.length)];
      const { mutation, text } = mutate(source, ext === 'ts', pick);
      // One file in five is also damaged at the byte level.
      const damaged = pick(5) === 0 ? damageBytes(text, pick) : { damage: '', bytes: Buffer.from(text, 'utf8') };
      const file = `pages/api/c${i}/[id].${ext}`;
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), damaged.bytes);
      how.set(file, [mutation, damaged.damage].filter(Boolean).join(', '));
    }
    const before = snapshot(root);

    try {
      const project = await loadProject(root);
      const plan = await buildPlan({ project, nextVersion: a % 3 ? '15.5.29' : '14.2.35' });
      const result = await applyPlan(plan, { dry: false });
      const after = snapshot(root);
      const expected = new Map(before);
      for (const source of result.removed) expected.delete(source);
      for (const written of result.written) expected.set(written, Buffer.from(plan.creates.find((c) => c.path === written)!.content, 'utf8'));
      for (const updated of result.updated) expected.set(updated, Buffer.from(plan.updates.find((u) => u.path === updated)!.content, 'utf8'));

      for (const file of plan.files) {
        const what = `${file.source} (${how.get(file.source)}): ${file.status} ${file.diagnostics.map((d) => d.reason).join(' ')}`;
        if (file.diagnostics.some((d) => d.reason === 'INTERNAL_ERROR')) failures.push(`internal error on ${what}: ${file.diagnostics[0].detail}, on:\n${file.input}`);
        if (isWritable(file)) {
          migrated++;
          if (existsSync(path.join(root, file.source))) failures.push(`source still there: ${what}`);
          const problem = parseProblem(file.target, readFileSync(path.join(root, file.target), 'utf8'));
          if (problem) failures.push(`route does not parse (${problem}): ${what}`);
        } else if (!before.get(file.source)?.equals(readFileSync(path.join(root, file.source)))) {
          failures.push(`left but changed: ${what}`);
        }
      }
      for (const compat of plan.creates.filter((c) => c.path.includes('/_migrate/'))) {
        const problem = parseProblem(compat.path, compat.content);
        if (problem) failures.push(`compat module does not parse: ${problem}`);
      }
      // Nothing else in the tree changed: exactly the routes written, without the sources removed.
      expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [file, bytes] of expected) if (!after.get(file)!.equals(bytes)) failures.push(`${file} differs from what the plan said`);

      // Idempotence: the same tool on the result has nothing more to write or remove.
      const again = await buildPlan({ project: await loadProject(root), nextVersion: a % 3 ? '15.5.29' : '14.2.35' });
      if (again.creates.length || again.deletes.length) failures.push(`app ${a}: a second plan would write ${again.creates.map((c) => c.path).join(', ')}`);
    } catch (error) {
      failures.push(`threw on app ${a}: ${(error as Error).stack}`);
    }
  }
  expect(failures.slice(0, 5)).toEqual([]);
  // The mutations leave plenty of files the tool can migrate: the writing paths are exercised, not only refusals.
  expect(migrated).toBeGreaterThan(APPS * FILES_PER_APP * 0.3);
}, 300_000);
