/** How one project file imports another: through a tsconfig `paths` alias when asked and one fits, else relatively. */
import path from 'node:path';
import type { PathAliases } from './resolver.js';

/** The specifier `fromFile` uses for `module` (both relative to the root, posix), without the extension. */
export function moduleSpecifier(aliases: PathAliases, fromFile: string, module: string, preferAlias: boolean): string {
  const bare = module.replace(/\.(tsx?|jsx?|mjs|cjs|mts|cts)$/, '').replace(/\/index$/, '');
  if (preferAlias) {
    for (const [pattern, targets] of Object.entries(aliases.paths)) {
      if (!pattern.endsWith('*')) continue;
      for (const target of targets) {
        const base = path.posix.join(aliases.baseUrl.replace(/\\/g, '/'), target.slice(0, target.indexOf('*'))).replace(/\/$/, '');
        const prefix = base === '.' || base === '' ? '' : `${base}/`;
        if (bare.startsWith(prefix)) return pattern.slice(0, -1) + bare.slice(prefix.length);
      }
    }
  }
  const relative = path.posix.relative(path.posix.dirname(fromFile), bare);
  return relative.startsWith('.') ? relative : `./${relative}`;
}
