/**
 * The last check before a route (or a rewritten module) goes into the plan: it must parse, as TypeScript or
 * JavaScript by its extension, with Babel's scope checks (a name declared twice is an error there, and in
 * `next build`). A transform bug then leaves the file in place instead of writing code that does not build.
 */
import { pluginsFor } from '../transforms/lib/parser-plugins.js';
import { loadBabelParser } from '../transforms/lib/cjs-deps.js';

/** Why `content` would not parse as the file `file`; undefined when it parses. */
export function parseProblem(file: string, content: string): string | undefined {
  try {
    const { program } = loadBabelParser().parse(content, { sourceType: 'module', plugins: pluginsFor(file) });
    return duplicateImport(program.body as unknown as ImportLike[]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * A name two import declarations bind: an error for JavaScript engines and for tsc, which Babel's TypeScript mode lets
 * pass when other code comes between the two.
 */
type ImportLike = { type: string; specifiers?: Array<{ local: { name: string } }> };

function duplicateImport(body: ImportLike[]): string | undefined {
  const names = new Set<string>();
  for (const stmt of body) {
    if (stmt.type !== 'ImportDeclaration') continue;
    for (const { local } of stmt.specifiers ?? []) {
      if (names.has(local.name)) return `Identifier '${local.name}' has already been declared.`;
      names.add(local.name);
    }
  }
  return undefined;
}
