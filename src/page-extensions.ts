/**
 * Which files in pages/api Next.js serves: those whose name ends in `.` + one of the app's `pageExtensions` (next.config,
 * default `tsx ts jsx js`). Any other file there (a `.mjs` module, or `greet.ts` in an app whose pages end in
 * `.page.ts`) is no route, and must not become one. The App Router names its route files with the same extensions
 * (`route.page.ts`). Read from the config's text: the first `pageExtensions: [ '…', … ]` in it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@babel/parser';
import { walk, type Node } from '../transforms/lib/ast.js';
import { pluginsFor } from '../transforms/lib/parser-plugins.js';
import { UserError } from './errors.js';
import { DEFAULT_PAGE_EXTENSIONS } from './routes.js';

const CONFIG_FILES = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

/** The page extensions of the app at `root`, without their leading dot; fails with one sentence when unreadable. */
export function readPageExtensions(root: string): string[] {
  for (const name of CONFIG_FILES) {
    let text: string;
    try {
      text = readFileSync(path.join(root, name), 'utf8');
    } catch {
      continue;
    }
    if (!text.includes('pageExtensions')) return [...DEFAULT_PAGE_EXTENSIONS];
    let program: Node;
    try {
      program = parse(text, { sourceType: 'unambiguous', plugins: pluginsFor(name), errorRecovery: true }).program;
    } catch {
      throw new UserError(`${name} cannot be parsed, so the tool cannot tell its pageExtensions; fix it and run the tool again.`);
    }
    const found: Array<string[] | null> = [];
    walk(program, (node) => {
      if (node.type !== 'ObjectProperty' || node.computed) return;
      const key = node.key.type === 'Identifier' ? node.key.name : node.key.value;
      if (key !== 'pageExtensions') return;
      const value = node.value;
      const literal = value.type === 'ArrayExpression' && value.elements.every((e: Node) => e?.type === 'StringLiteral');
      found.push(literal ? value.elements.map((e: Node) => String(e.value).replace(/^\./, '')) : null);
    });
    if (found.length === 0) return [...DEFAULT_PAGE_EXTENSIONS];
    const [first] = found;
    if (!first || found.some((f) => !f || f.join() !== first.join())) {
      throw new UserError(`${name} sets pageExtensions to something other than one list of strings, so the tool cannot tell which files in pages/api are routes; write it as a literal array (pageExtensions: ['page.ts', 'page.tsx']) and run the tool again.`);
    }
    return first;
  }
  return [...DEFAULT_PAGE_EXTENSIONS];
}
