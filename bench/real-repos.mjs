/**
 * `node bench/real-repos.mjs [list.tsv] [--repos <dir>] [--out <dir>]`: the dry-run figures of issue #4 on real
 * repositories.
 *
 * Each line of the list (default bench/real-repos.tsv, the ones measured so far) is `owner/name<TAB>the app's folder
 * inside the repository` (`.` for its root; `#` starts a comment), optionally followed by `<TAB>options` for the run
 * (`--next 14.2.35` for an app on a Next.js that serves no route handlers, where the run stops otherwise). The
 * repositories themselves are fetched and extracted by hand into temporary folders, never into this repository: each
 * as `<repos>/<owner>+<name>` (default /tmp/repos).
 * For each app root it runs `migrate run --dry --force --report <out>/<slug>.json` (writing nothing into the app),
 * then prints, per repository, handlers, clean (migrated with no marker), with markers, left, and the commonest
 * reasons for the files left, and the totals. Needs the build (`npm run build`); MIGRATE_BIN=<path to bin/migrate.js>
 * measures another build instead (one compiled elsewhere, to compare with the current one).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIGRATE = process.env.MIGRATE_BIN ?? fileURLToPath(new URL('../dist/bin/migrate.js', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const listFile = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? fileURLToPath(new URL('real-repos.tsv', import.meta.url));
const repos = option('--repos', path.join(os.tmpdir(), 'repos'));
const out = option('--out', path.join(os.tmpdir(), 'real-repos-reports'));
mkdirSync(out, { recursive: true });

const apps = readFileSync(listFile, 'utf8')
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim())
  .filter(Boolean)
  .map((line) => {
    const [repo, folder = '.', options = ''] = line.split('\t');
    return { repo, root: path.join(repos, repo.replace('/', '+'), folder), options: options.split(' ').filter(Boolean) };
  });

const byRepo = new Map();
for (const { repo, root, options } of apps) {
  if (!existsSync(root)) {
    console.error(`skipped ${repo}: ${root} does not exist`);
    continue;
  }
  const report = path.join(out, `${root.replace(/[^\w.-]+/g, '_')}.json`);
  const started = Date.now();
  let crashed = false;
  try {
    execFileSync(process.execPath, [MIGRATE, 'run', root, '--dry', '--force', '--quiet', '--report', report, ...options], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  } catch (error) {
    // Files left in place exit 0 too: any other exit is a failure, said on stderr.
    crashed = true;
    console.error(`${repo} (${root}): ${String(error.stderr ?? error.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const entry = byRepo.get(repo) ?? { handlers: 0, clean: 0, markers: 0, left: 0, crashed: 0, seconds: 0, reasons: new Map() };
  entry.seconds += seconds;
  if (crashed) entry.crashed++;
  else {
    const { files } = JSON.parse(readFileSync(report, 'utf8'));
    for (const file of files) {
      if (file.status === 'not-handler') continue;
      entry.handlers++;
      if (file.status === 'migrated') entry.clean++;
      else if (file.status === 'review') entry.markers++;
      else {
        entry.left++;
        const reason = file.reasons?.[0]?.code ?? file.status;
        entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
      }
    }
  }
  byRepo.set(repo, entry);
}

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(0)}%` : '-');
const rows = [...byRepo].sort((a, b) => b[1].handlers - a[1].handlers);
console.log('| repository | handlers | clean | markers | left | left for | seconds |');
console.log('|---|---|---|---|---|---|---|');
const total = { handlers: 0, clean: 0, markers: 0, left: 0, crashed: 0 };
for (const [repo, e] of rows) {
  for (const k of Object.keys(total)) total[k] += e[k];
  const reasons = [...e.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([r, n]) => `${r} ${n}`).join(', ');
  console.log(`| ${repo} | ${e.handlers} | ${e.clean} (${pct(e.clean, e.handlers)}) | ${e.markers} | ${e.left} | ${reasons}${e.crashed ? `; ${e.crashed} crashed` : ''} | ${e.seconds.toFixed(1)} |`);
}
console.log(`| **total** | ${total.handlers} | ${total.clean} (${pct(total.clean, total.handlers)}) | ${total.markers} | ${total.left} | ${total.crashed ? `${total.crashed} crashed` : 'no crash'} | |`);
