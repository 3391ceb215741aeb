#!/usr/bin/env node
// Regenerates the pinned lockfile of each Next.js version the end-to-end test installs.
//
//   node test/e2e/versions/lock.mjs            all versions
//   node test/e2e/versions/lock.mjs 16.4.6     one version
//
// The lockfiles are committed; the test installs them with `npm ci`, so every run gets the same transitive tree.
//
// One repair: a registry mirror that serves only the Linux builds of @next/swc-* makes
// `npm install --package-lock-only` drop the other platforms' entries silently, and `npm ci` then refuses the lock
// ("Missing: @next/swc-darwin-arm64@ from lock file"). Such entries are added back with the version, os and cpu
// that next's own package.json declares. rollup (installed with @sentry/nextjs) does the same with its
// @rollup/rollup-<os>-<cpu>[-<abi>] builds, pinned to its own version: they get the same repair. npm never fetches them on a platform they do not match; on a matching
// platform it fetches that exact version.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const versions = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && (wanted.length === 0 || wanted.includes(entry.name)))
  .map((entry) => entry.name);

/** `@next/swc-darwin-arm64` → os darwin, cpu arm64; `-gnu`/`-musl` (`-gnueabihf`, `-musleabihf`) → libc. */
function platformOf(name) {
  const match =
    /^@next\/swc-(darwin|linux|win32|freebsd)-(x64|arm64|ia32)(?:-(gnu|musl|msvc))?$/.exec(name) ??
    /^@rollup\/rollup-(android|darwin|freebsd|linux|openbsd|openharmony|win32)-(arm|arm64|ia32|x64|loong64|ppc64|riscv64|s390x)(?:-(gnu|musl|msvc|eabi|gnueabihf|musleabihf))?$/.exec(name);
  if (!match) return undefined;
  const [, os, cpu, abi] = match;
  const libc = abi?.startsWith('gnu') ? ['glibc'] : abi?.startsWith('musl') ? ['musl'] : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

for (const version of versions) {
  const dir = join(here, version);
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  const lockPath = join(dir, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const added = [];
  for (const owner of ['node_modules/next', 'node_modules/rollup']) {
    for (const [name, range] of Object.entries(lock.packages[owner]?.optionalDependencies ?? {})) {
      const key = `node_modules/${name}`;
      const platform = platformOf(name);
      if (lock.packages[key] || !platform) continue;
      lock.packages[key] = { version: range, ...platform, license: 'MIT', optional: true, engines: { node: '>= 10' } };
      added.push(name);
    }
  }
  if (added.length > 0) {
    lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
    writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
  }
  console.log(`${version}: lock written${added.length ? `; added platform entries: ${added.join(', ')}` : ''}`);
}
