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
    loadBabelParser().parse(content, { sourceType: 'module', plugins: pluginsFor(file) });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
