/**
 * Which files in pages/api Next.js serves: those whose name ends in `.` + one of the app's `pageExtensions` (next.config,
 * default `tsx ts jsx js`). Any other file there (a `.mjs` module, or `greet.ts` in an app whose pages end in
 * `.page.ts`) is no route, and must not become one. The App Router names its route files with the same extensions
 * (`route.page.ts`). Read from the config's text: the first `pageExtensions: [ '…', … ]` in it, or the list a const
 * of the config's names (`const pageExtensions = ['page.tsx', 'ts']`), with what the config pushes onto it:
 * unconditionally (a statement of the module's own), or under a condition (`if (process.env.X === 'true')
 * pageExtensions.push('governance.tsx')`), which makes those extensions conditional (the environment of the build
 * decides whether Next.js serves such files).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@babel/parser';
import { isIdent, memberName, walk, type Node } from '../transforms/lib/ast.js';
import { referencesTo } from '../transforms/lib/scope.js';
import { pluginsFor } from '../transforms/lib/parser-plugins.js';
import { UserError } from './errors.js';
import { DEFAULT_PAGE_EXTENSIONS } from './routes.js';

const CONFIG_FILES = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts', 'next.config.mts'];

export interface PageExtensions {
  /** Served in every build. */
  always: string[];
  /** Added by the config under a condition: served in some builds only. */
  conditional: string[];
}

const literalList = (node: Node | null | undefined): string[] | null =>
  node?.type === 'ArrayExpression' && node.elements.every((e: Node) => e?.type === 'StringLiteral') ? node.elements.map((e: Node) => String(e.value).replace(/^\./, '')) : null;

/** `const name = [ '…' ]` of the module, and the `name.push('…')` statements on it; null for any other use of it. */
function constList(program: Node, name: string, property: Node): PageExtensions | null {
  const declaration = program.body.find((s: Node) => s.type === 'VariableDeclaration' && s.kind === 'const' && s.declarations.some((d: Node) => isIdent(d.id, name)));
  const always = literalList(declaration?.declarations.find((d: Node) => isIdent(d.id, name)).init);
  if (!always) return null;
  const conditional: string[] = [];
  const refs = referencesTo(program.body, name);
  // The property must read this const, not another of the name in a function of the config.
  if (!refs.some((ref) => ref.node === property)) return null;
  for (const ref of refs) {
    if (ref.node === property || (ref.parent.type === 'VariableDeclarator' && ref.key === 'id')) continue;
    const [call, statement] = [ref.ancestors.at(-2), ref.ancestors.at(-3)];
    const pushed = ref.key === 'object' && memberName(ref.parent) === 'push' && call?.type === 'CallExpression' && call.callee === ref.parent && statement?.type === 'ExpressionStatement' ? literalList({ type: 'ArrayExpression', elements: call.arguments }) : null;
    if (!pushed) return null;
    // A statement of the module's own (the roots are its statements) runs in every build.
    (ref.ancestors.length === 3 ? always : conditional).push(...pushed);
  }
  return { always, conditional: conditional.filter((e) => !always.includes(e)) };
}

/**
 * The page extensions of the app at `root`, without their leading dot (see above); fails with one sentence when
 * unreadable.
 */
export function readPageExtensions(root: string): PageExtensions {
  for (const name of CONFIG_FILES) {
    let text: string;
    try {
      text = readFileSync(path.join(root, name), 'utf8');
    } catch {
      continue;
    }
    if (!text.includes('pageExtensions')) return { always: [...DEFAULT_PAGE_EXTENSIONS], conditional: [] };
    let program: Node;
    try {
      program = parse(text, { sourceType: 'unambiguous', plugins: pluginsFor(name), errorRecovery: true }).program;
    } catch {
      throw new UserError(`${name} cannot be parsed, so the tool cannot tell its pageExtensions; fix it and run the tool again.`);
    }
    const found: Array<PageExtensions | null> = [];
    walk(program, (node) => {
      if (node.type !== 'ObjectProperty' || node.computed) return;
      const key = node.key.type === 'Identifier' ? node.key.name : node.key.value;
      if (key !== 'pageExtensions') return;
      const literal = literalList(node.value);
      found.push(literal ? { always: literal, conditional: [] } : node.value.type === 'Identifier' ? constList(program, node.value.name, node.value) : null);
    });
    if (found.length === 0) return { always: [...DEFAULT_PAGE_EXTENSIONS], conditional: [] };
    const [first] = found;
    const same = (f: PageExtensions | null) => f && f.always.join() === first!.always.join() && f.conditional.join() === first!.conditional.join();
    if (!first || !found.every(same)) {
      throw new UserError(`${name} sets pageExtensions to something other than one list of strings, so the tool cannot tell which files in pages/api are routes; write it as a literal array (pageExtensions: ['page.ts', 'page.tsx']), or a const list the config only pushes strings onto, and run the tool again.`);
    }
    return first;
  }
  return { always: [...DEFAULT_PAGE_EXTENSIONS], conditional: [] };
}
