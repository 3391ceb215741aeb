/**
 * Barrel modules: `import { defaultHandler } from '@lib/api'`, where lib/api/index.ts only passes the name on
 * (`export { defaultHandler } from './default'`, `export * from './default'`). A helper's twin is written where the
 * helper is defined, and each barrel on the way passes the twin on as well, so that the route imports the twin the way
 * it imported the original. Text scans only, as the import prefilter: a barrel is a list of export lines.
 */
import type { Resolver } from './imported-helpers.js';

/** A barrel on the way to the module that defines a helper. */
export interface BarrelHop {
  barrel: string;
  /** The specifier the barrel re-exports the helper from. */
  from: string;
  /** `export * from` passes every name on: the twin needs no line of its own. */
  star: boolean;
}

export interface Definition {
  module: string;
  /** The helper's name there (`export { handle as defaultHandler } from …` renames it). */
  name: string;
  hops: BarrelHop[];
  /** The twin's name, once the module has one. */
  twin?: string;
}

const escape = (name: string) => name.replace(/\$/g, '\\$');

/** The module declares `name` itself (a function, class or variable), or is the default export's home. */
function declares(text: string, name: string): boolean {
  if (name === 'default') return /\bexport\s+default\b/.test(text);
  return new RegExp(`\\b(?:function\\*?|class|const|let|var)\\s+${escape(name)}\\b`).test(text);
}

/** `export { a as name } from 'spec'` → { from: 'spec', name: 'a' }. */
function namedReExport(text: string, name: string): { from: string; name: string } | null {
  for (const [, list, from] of text.matchAll(/\bexport\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    for (const part of list.split(',')) {
      const m = /^\s*([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (m && (m[2] ?? m[1]) === name) return { from, name: m[1] };
    }
  }
  return null;
}

/**
 * The module that defines `name`, imported from `module`, and the barrels passed on the way (none when `module`
 * defines it). Null when the chain leaves the project, or runs longer than a barrel would.
 */
export function definitionOf(resolver: Resolver, readText: (file: string) => string | null, module: string, name: string): Definition | null {
  const hops: BarrelHop[] = [];
  let at = module;
  let wanted = name;
  for (let depth = 0; depth < 5; depth++) {
    const text = readText(at);
    if (text === null) return null;
    if (declares(text, wanted)) return { module: at, name: wanted, hops };
    const named = namedReExport(text, wanted);
    if (named) {
      const next = resolver.resolve(at, named.from);
      if (!next) return null;
      hops.push({ barrel: at, from: named.from, star: false });
      [at, wanted] = [next, named.name];
      continue;
    }
    if (wanted === 'default') return null;
    // `export * from` passes every name but the default on: the first target that mentions the name.
    const mention = new RegExp(`\\b${escape(wanted)}\\b`);
    const star = [...text.matchAll(/\bexport\s*\*\s*from\s*['"]([^'"]+)['"]/g)]
      .map(([, from]) => ({ from, next: resolver.resolve(at, from) }))
      .find(({ next }) => next !== null && mention.test(readText(next) ?? ''));
    if (!star) return null;
    hops.push({ barrel: at, from: star.from, star: true });
    at = star.next!;
  }
  return null;
}

/** The barrel's text with `export { twin } from 'from'` lines added for the twins that pass through it. */
export function withTwinReExports(text: string, lines: Array<{ from: string; twin: string }>): string {
  const semi = /;\s*$/m.test(text) ? ';' : '';
  const quote = /from\s*"/.test(text) ? '"' : "'";
  const byFrom = new Map<string, string[]>();
  for (const { from, twin } of lines) byFrom.set(from, [...new Set([...(byFrom.get(from) ?? []), twin])].sort());
  const added = [...byFrom].map(([from, twins]) => `export { ${twins.join(', ')} } from ${quote}${from}${quote}${semi}`);
  return `${text.replace(/\s*$/, '')}\n${added.join('\n')}\n`;
}
