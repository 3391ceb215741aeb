/** The tool's own version, read from its package.json (found upwards from this file, in src/ or dist/src/). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function toolVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'next-pages-api-migrate' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep going up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}
