/**
 * next-auth's `pages/api/auth/[...nextauth].ts` often exports `authOptions` (and helpers) that other files import:
 * `import { authOptions } from '@/pages/api/auth/[...nextauth]'`. A route file may not export them, and the file goes
 * away, so its other code moves to a new module (`lib/auth-options.ts`, see transforms/next-auth.ts) and every
 * project file that imports the old path is pointed at the new one: routes migrated in the same run (their text),
 * other files (module updates, written only while they hold what the plan read, as helper twins are), pages/api files
 * left in place included. Reads the disk, never writes it.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { apiFor, type Node } from '../transforms/lib/ast.js';
import { nextAuthModulePath, nextAuthOptionsModule, nextAuthShapeOf, otherExportsOf } from '../transforms/next-auth.js';
import { readPathAliases, resolveSpecifier } from './imported-helpers.js';
import { moduleSpecifier } from './specifiers.js';
import { routeFileFor } from './routes.js';

const SKIP_FOLDERS = new Set(['node_modules', '.git', '.next', 'out', 'build', 'dist', 'coverage']);
const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;
/** Import specifiers in code: `from '…'`, `import '…'`, `import('…')`, `require('…')`. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\2/g;

export interface AuthOptionsMove {
  /** The `[...nextauth]` source. */
  source: string;
  /** The new module, relative to the root. */
  modulePath: string;
  content: string;
  /** How the route imports it. */
  routeSpecifier: string;
  /** Project files outside the migrated sources that import the old path, with their text. */
  importers: Array<{ path: string; text: string }>;
  /** `text` of the file at `file` with its imports of the old path pointed at the new module (unchanged if none). */
  rewrite(text: string, file: string): string;
}

/** Every source file of the project whose text mentions `needle` (a cheap filter before resolving imports). */
function filesMentioning(root: string, needle: string): string[] {
  const found: string[] = [];
  const visit = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !SKIP_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) visit(child);
      else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        try {
          if (statSync(path.join(root, child)).size > 512 * 1024) continue;
          if (readFileSync(path.join(root, child), 'utf8').includes(needle)) found.push(child);
        } catch {
          // Unreadable: it cannot be rewritten either.
        }
      }
    }
  };
  visit('');
  return found.sort();
}

export function findAuthOptionsMoves(root: string, sources: Array<{ source: string; text: string }>): AuthOptionsMove[] {
  const aliases = readPathAliases(root);
  const moves: AuthOptionsMove[] = [];
  const taken = new Set<string>();
  for (const { source, text } of sources) {
    // Cheap test first: many handlers import next-auth (getServerSession); few call its default export.
    const local = /import\s+([\w$]+)\s*(?:,\s*\{[^}]*\}\s*)?from\s*['"]next-auth(?:\/next)?['"]/.exec(text)?.[1];
    if (!local || !text.includes(`${local}(`)) continue;
    let program: Node;
    try {
      program = apiFor(source)(text.replace(/^\uFEFF/, '')).get().node.program;
    } catch {
      continue;
    }
    if (!nextAuthShapeOf(program) || !otherExportsOf(program).length) continue;
    const hasConfig = program.body.some((s: Node) => s.type === 'ExportNamedDeclaration' && s.declaration?.declarations?.some((d: Node) => d.id?.name === 'config'));
    if (hasConfig) continue;
    const modulePath = nextAuthModulePath(source, (base) => taken.has(base) || ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'].some((ext) => existsSync(path.join(root, base + ext))));
    taken.add(modulePath.replace(/\.\w+$/, ''));
    const content = nextAuthOptionsModule(text, source, modulePath);
    if (content === null) continue;
    const needle = path.posix.basename(source).replace(/\.\w+$/, '');
    const rewrite = (fileText: string, file: string) =>
      fileText.replace(SPECIFIER, (match, lead: string, quote: string, specifier: string) => {
        // Only a specifier naming the file (`…/[...nextauth]`, with or without extension) can resolve to it.
        if (!specifier.includes(needle) || resolveSpecifier(root, file, specifier, aliases) !== source) return match;
        return `${lead}${quote}${moduleSpecifier(aliases, file, modulePath, !specifier.startsWith('.'))}${quote}`;
      });
    const importers = filesMentioning(root, needle)
      .filter((file) => file !== source)
      .map((file) => ({ path: file, text: readFileSync(path.join(root, file), 'utf8') }))
      .filter((file) => rewrite(file.text, file.path) !== file.text);
    const target = routeFileFor(source);
    moves.push({ source, modulePath, content, routeSpecifier: moduleSpecifier(aliases, target, modulePath, true), importers, rewrite });
  }
  return moves;
}
