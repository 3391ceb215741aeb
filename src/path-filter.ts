/**
 * `--only <glob>`: the subset of files a run or a check looks at, so that a team can migrate one area per pull
 * request. Patterns are matched against posix paths relative to the app root, e.g. `pages/api/admin/**`.
 *
 * Next.js file names have brackets (`[id].ts`), which a glob reads as a character class; so a pattern also matches
 * the path it spells out literally, and a folder matches everything under it (`--only pages/api/users/[id]`).
 */
import picomatch from 'picomatch';

export type PathFilter = (relPath: string) => boolean;

function normalize(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Throws on a pattern that cannot be used (empty, or one picomatch rejects); the CLI turns that into exit 2. */
export function pathFilter(patterns: string[]): PathFilter {
  const literals = patterns.map(normalize);
  if (literals.some((p) => p === '')) throw new Error('an empty pattern would select nothing');
  const globs = literals.map((p) => picomatch(p, { dot: true }));
  return (relPath) => literals.some((p, i) => relPath === p || relPath.startsWith(`${p}/`) || globs[i](relPath));
}
