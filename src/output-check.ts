/**
 * The last check before a route (or a rewritten module) goes into the plan: it must parse, as TypeScript or
 * JavaScript by its extension, with Babel's scope checks (a name declared twice is an error there, and in
 * `next build`). A transform bug then leaves the file in place instead of writing code that does not build.
 */
import { pluginsFor } from '../transforms/lib/parser-plugins.js';
import { loadBabelParser } from '../transforms/lib/cjs-deps.js';
import { shadowedGlobal } from '../transforms/lib/shadowed-globals.js';
import type { Node } from '../transforms/lib/ast.js';

/** Why `content` would not parse as the file `file`; undefined when it parses. */
export function parseProblem(file: string, content: string): string | undefined {
  const parsed = parseChecked(file, content);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** `content` parsed as the file `file`, or why it does not parse (parseProblem): one parse for both checks. */
export function parseChecked(file: string, content: string): { program: Node } | { problem: string } {
  try {
    const { program } = loadBabelParser().parse(content, { sourceType: 'module', plugins: pluginsFor(file) });
    const duplicate = duplicateImport(program.body as unknown as ImportLike[]);
    return duplicate ? { problem: duplicate } : { program };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Why the twins added to a module would not reach the web APIs they answer with (`import { Response } from
 * 'express'` in a module whose twin returns `new Response(…)`), when the module's text before did not have that
 * clash already; undefined when they would.
 */
export function shadowedGlobalIn(file: string, program: Node, before: string): string | undefined {
  const found = shadowedGlobal(program);
  if (!found) return undefined;
  const earlier = parseChecked(file, before);
  return 'program' in earlier && shadowedGlobal(earlier.program) ? undefined : found.detail.replace('the route uses', 'its twins use');
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
