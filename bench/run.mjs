/**
 * `npm run bench`: the figures in the README's Performance section.
 *
 * 1. `migrate run --yes --force` on a fresh copy of an app with 2,000 handlers, against jscodeshift's own runner
 *    applying a no-op rename (bench/noop-rename.cjs) to the same files, in pairs, the order alternating, so that
 *    a busy machine slows both sides of a pair alike.
 * 2. `migrate check` on a repository of 10,000 files.
 * 3. `migrate run` on 500 to 4,000 handlers: how time grows with the number of files.
 *
 * Options: --trials <n> (pairs, default 3), --handlers <n> (default 2000), --check-files <n> (default 10000),
 * --sizes <a,b,...> (default 500,1000,2000,4000), --keep (leave the generated files in the temp folder),
 * --parts <run,check,sizes> (the parts to run, default all three: to iterate on one faster; the README's figures
 * come from a full run).
 * Needs the build (`npm run bench` builds first). Everything generated goes to a temp folder.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApp, generateCheckRepo } from './generate-app.mjs';
import { hasGnuTime, hasProc, measure } from './measure.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MIGRATE = path.join(REPO, 'dist', 'bin', 'migrate.js');
const JSCODESHIFT = path.join(REPO, 'node_modules', 'jscodeshift', 'bin', 'jscodeshift.js');
const NOOP = path.join(REPO, 'bench', 'noop-rename.cjs');

const TARGETS = { ratio: 0.5, checkSeconds: 0.5, peakMb: 300, linearR2: 0.98 };

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const TRIALS = Number(option('trials', '3'));
const HANDLERS = Number(option('handlers', '2000'));
const CHECK_FILES = Number(option('check-files', '10000'));
const SIZES = option('sizes', '500,1000,2000,4000').split(',').map(Number);
const KEEP = process.argv.includes('--keep');
const PARTS = new Set(option('parts', 'run,check,sizes').split(','));

// Progress and colour would only add noise to the figures; CI=true also makes the tool as quiet as in CI.
const ENV = { ...process.env, CI: 'true', NO_COLOR: '1' };
const TMP = mkdtempSync(path.join(os.tmpdir(), 'migrate-bench-'));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (value, digits = 2) => (value === undefined ? 'n/a' : value.toFixed(digits));
const log = (line = '') => process.stdout.write(`${line}\n`);

function fail(what, result) {
  throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
}

let copies = 0;
/** `migrate run --yes --force` on a fresh copy of `app` (the copy is not timed). */
async function migrateRun(app, handlers) {
  const copy = path.join(TMP, `run-${copies++}`);
  cpSync(app, copy, { recursive: true });
  const result = await measure(process.execPath, [MIGRATE, 'run', '--yes', '--force'], { cwd: copy, env: ENV });
  rmSync(copy, { recursive: true, force: true });
  if (result.code !== 0 || !new RegExp(`^Migrated \\d+ of ${handlers} handlers`, 'm').test(result.stdout)) fail('migrate run', result);
  return result;
}

async function jscodeshiftRun(app, files) {
  const args = [JSCODESHIFT, '-t', NOOP, '--parser=tsx', ...files];
  const result = await measure(process.execPath, args, { cwd: app, env: ENV });
  if (result.code !== 0 || !/^0 errors$/m.test(result.stdout) || !new RegExp(`^${files.length} unmodified$`, 'm').test(result.stdout)) {
    fail('jscodeshift', result);
  }
  return result;
}

function row(label, results) {
  const pick = (key) => (results.every((r) => r[key] !== undefined) ? median(results.map((r) => r[key])) : undefined);
  const cpu = pick('cpu');
  const sampled = results.some((r) => r.cpuSampled) ? '≈' : ' ';
  return `  ${label.padEnd(34)} ${fmt(pick('wall')).padStart(7)} ${(sampled + fmt(cpu)).padStart(8)} ${fmt(pick('peakMb'), 0).padStart(9)} ${fmt(pick('treePeakMb'), 0).padStart(9)}`;
}
const HEADER = `  ${''.padEnd(34)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(8)} ${'peak MB'.padStart(9)} ${'all MB'.padStart(9)}`;

function verdict(ok) {
  return ok ? 'met' : 'NOT met';
}

/** Least-squares line through (x, y): intercept, slope, and R². */
function linearFit(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const syy = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main() {
  log(`Node ${process.version}, ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average ${load()}`);
  log(`CPU time and peak memory: ${hasGnuTime ? 'GNU time' : hasProc ? 'sampled from /proc (≈)' : 'not available here'}; all-processes peak: ${hasProc ? 'sampled from /proc every 20 ms' : 'n/a'}`);
  log(`Generated files go to ${TMP}${KEEP ? ' (kept)' : ''}`);
  if (os.loadavg()[0] > os.availableParallelism() / 2) {
    log(`Warning: the machine is busy (load ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores); wall times, and the two threads of migrate run most, will suffer.`);
  }
  log();

  if (PARTS.has('run')) await comparedRun();
  if (PARTS.has('check')) await check();
  if (PARTS.has('sizes')) await growth();
  log(`Load average at the end: ${load()}. On a busy machine the figures are noisy; the ratios, taken in pairs, less so.`);
}

/** Part 1: migrate run against jscodeshift's runner, in pairs. */
async function comparedRun() {
  const app = path.join(TMP, 'app');
  const files = generateApp(app, HANDLERS);
  // One untimed run of each warms the disk cache and Node's, as on a machine that has run them before.
  await migrateRun(app, HANDLERS);
  await jscodeshiftRun(app, files);

  const ours = [];
  const theirs = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    if (trial % 2 === 0) {
      ours.push(await migrateRun(app, HANDLERS));
      theirs.push(await jscodeshiftRun(app, files));
    } else {
      theirs.push(await jscodeshiftRun(app, files));
      ours.push(await migrateRun(app, HANDLERS));
    }
  }
  const ratios = ours.map((r, i) => r.wall / theirs[i].wall);
  const ratio = median(ratios);
  log(`1. ${HANDLERS} handlers: migrate run against jscodeshift's runner (no-op rename), ${TRIALS} paired trials, medians`);
  log(HEADER);
  log(row('migrate run --yes --force', ours));
  log(row('jscodeshift -t noop-rename.cjs', theirs));
  log(`  wall-time ratio per pair: ${ratios.map((r) => fmt(r)).join(', ')}; median ${fmt(ratio)} (target ≤ ${TARGETS.ratio}: ${verdict(ratio <= TARGETS.ratio)})`);
  const cpuRatio = ours.every((r) => r.cpu) && theirs.every((r) => r.cpu) ? median(ours.map((r, i) => r.cpu / theirs[i].cpu)) : undefined;
  log(`  CPU-time ratio (median): ${fmt(cpuRatio)}`);
  const oursPeak = Math.max(...ours.map((r) => Math.max(r.peakMb ?? 0, r.treePeakMb ?? 0)));
  log(`  migrate run peak memory, worst trial: ${fmt(oursPeak, 0)} MB (target < ${TARGETS.peakMb} MB: ${verdict(oursPeak < TARGETS.peakMb)})`);
  log();
}

/** Part 2: migrate check on a large repository. */
async function check() {
  const repo = path.join(TMP, 'check-repo');
  const written = generateCheckRepo(repo, CHECK_FILES);
  const checks = [];
  await measure(process.execPath, [MIGRATE, 'check', repo], { env: ENV }); // warm-up
  for (let trial = 0; trial < Math.max(5, TRIALS); trial++) {
    const result = await measure(process.execPath, [MIGRATE, 'check', repo], { env: ENV });
    // Exit 1: the repository is half-way, so handlers and markers remain and are listed.
    if (result.code !== 1 || !/handlers? and .* remain/.test(result.stdout)) fail('migrate check', result);
    checks.push(result);
  }
  const checkWall = median(checks.map((r) => r.wall));
  const checkPeak = Math.max(...checks.map((r) => r.peakMb ?? 0));
  log(`2. migrate check on a repository of ${written} files, ${checks.length} trials, medians`);
  log(HEADER);
  log(row('migrate check', checks));
  log(`  wall ${fmt(checkWall)} s (target < ${TARGETS.checkSeconds} s: ${verdict(checkWall < TARGETS.checkSeconds)}); slowest ${fmt(Math.max(...checks.map((r) => r.wall)))} s; peak ${fmt(checkPeak, 0)} MB`);
  log();
}

/** Part 3: how migrate run grows with the number of handlers. */
async function growth() {
  const sizeTrials = Math.max(2, TRIALS);
  log(`3. migrate run as the app grows, ${sizeTrials} trials per size, the fastest kept`);
  log(`  ${'handlers'.padEnd(10)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(7)} ${'ms/file'.padStart(8)} ${'peak MB'.padStart(8)}`);
  const points = [];
  const cpuPoints = [];
  let sizePeak = 0;
  for (const size of SIZES) {
    const sized = path.join(TMP, `app-${size}`);
    generateApp(sized, size);
    const runs = [];
    for (let trial = 0; trial < sizeTrials; trial++) runs.push(await migrateRun(sized, size));
    const best = runs.reduce((a, b) => (a.wall <= b.wall ? a : b));
    rmSync(sized, { recursive: true, force: true });
    points.push({ x: size, y: best.wall });
    if (best.cpu !== undefined) cpuPoints.push({ x: size, y: best.cpu });
    sizePeak = Math.max(sizePeak, ...runs.map((r) => Math.max(r.peakMb ?? 0, r.treePeakMb ?? 0)));
    log(`  ${String(size).padEnd(10)} ${fmt(best.wall).padStart(7)} ${fmt(best.cpu).padStart(7)} ${fmt((best.wall / size) * 1000).padStart(8)} ${fmt(best.peakMb, 0).padStart(8)}`);
  }
  const fit = linearFit(points);
  log(`  wall = ${fmt(fit.intercept)} s + ${fmt(fit.slope * 1000, 3)} ms × files, R² ${fmt(fit.r2, 4)} (linear: R² ≥ ${TARGETS.linearR2}: ${verdict(fit.r2 >= TARGETS.linearR2)})`);
  if (cpuPoints.length === points.length) {
    const cpuFit = linearFit(cpuPoints);
    log(`  CPU  = ${fmt(cpuFit.intercept)} s + ${fmt(cpuFit.slope * 1000, 3)} ms × files, R² ${fmt(cpuFit.r2, 4)} (CPU time is less disturbed by other work on the machine)`);
  }
  log(`  peak memory ${fmt(sizePeak, 0)} MB at ${SIZES.at(-1)} handlers`);
  log();
}

try {
  await main();
} finally {
  if (!KEEP) rmSync(TMP, { recursive: true, force: true });
}
