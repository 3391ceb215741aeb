/**
 * Barrel modules: `import { defaultHandler } from '@lib/api'`, where lib/api/index.ts only passes the name on
 * (`export { defaultHandler } from './default'`, `export * from './default'`). A helper's twin is written where the
 * helper is defined, and each barrel on the way passes the twin on as well, so that the route imports the twin the way
 * it imported the original. Text scans only, as the import prefilter: a barrel is a list of export lines.
 */
import { escapeName, wholeName } from './name-pattern.js';
import type { Resolver } from './resolver.js';

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

/**
 * The module exports `name` from a declaration of its own (`export function name`, `export const name`, or a
 * declaration and `export { name }`), or is the default export's home.
 */
function declares(text: string, name: string): boolean {
  if (name === 'default') return /\bexport\s+default\b/.test(text);
  const n = escapeName(name);
  if (new RegExp(`\\bexport\\s+(?:declare\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|var)\\s+${n}(?![\\w$])`).test(text)) return true;
  const localList = [...text.matchAll(/\bexport\s*\{([^}]*)\}(?!\s*from)/g)].some(([, list]) => list.split(',').some((part) => new RegExp(`(?:^|\\bas\\s+)\\s*${n}\\s*$`).test(part.trim())));
  return localList && new RegExp(`\\b(?:function\\*?|class|const|let|var)\\s+[\\w$]*\\b`).test(text);
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
export function definitionOf(resolver: Resolver, module: string, name: string, budget = 5): Definition | null {
  const hops: BarrelHop[] = [];
  let at = module;
  let wanted = name;
  for (let depth = 0; depth < budget; depth++) {
    const text = resolver.text(at);
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
    // `export * from` passes every name but the default on: the target whose chain defines it.
    for (const from of starTargets(text)) {
      const next = resolver.resolve(at, from);
      // The hops left are shared with the chain below: a loop of star re-exports ends.
      const rest = next ? definitionOf(resolver, next, wanted, budget - depth - 1) : null;
      if (rest) return { module: rest.module, name: rest.name, hops: [...hops, { barrel: at, from, star: true }, ...rest.hops] };
    }
    return null;
  }
  return null;
}

/**
 * The barrels (as `barrel\0twin` keys) through which a twin cannot be passed on under its name: the barrel already
 * uses the name, another star target of it exports the name (the star re-export would be ambiguous), or twins of two
 * modules with that name would both pass through it. Their callers stay in place.
 */
export function barrelClashes(passing: Array<{ definition: Definition; twin: string }>, resolver: Resolver): Set<string> {
  const clashes = new Set<string>();
  const modulesOf = new Map<string, Set<string>>();
  for (const { definition, twin } of passing) {
    const mention = new RegExp(wholeName(twin));
    for (const hop of definition.hops) {
      const key = `${hop.barrel}\0${twin}`;
      modulesOf.set(key, new Set([...(modulesOf.get(key) ?? []), definition.module]));
      const text = resolver.text(hop.barrel) ?? '';
      if (mention.test(text) && !passesOn(text, hop.from, twin)) clashes.add(key);
      const otherStars = starTargets(text).filter((from) => from !== hop.from).map((from) => resolver.resolve(hop.barrel, from));
      if (otherStars.some((target) => target !== null && mention.test(resolver.text(target) ?? ''))) clashes.add(key);
    }
  }
  for (const [key, modules] of modulesOf) if (modules.size > 1) clashes.add(key);
  return clashes;
}

/** The specifiers a barrel re-exports everything from (`export * from './x'`; not `export * as ns`). */
function starTargets(text: string): string[] {
  return [...text.matchAll(/\bexport\s*\*\s*from\s*['"]([^'"]+)['"]/g)].map(([, from]) => from);
}

/** The barrel passes `twin` on from `from` already: an earlier run wrote the line. */
function passesOn(text: string, from: string, twin: string): boolean {
  const named = namedReExport(text, twin);
  return named !== null && named.from === from && named.name === twin;
}

/**
 * The barrel's text with `export { twin } from 'from'` lines added for the twins that pass through it (not for those
 * an earlier run passed on already: the text is unchanged when none is left).
 */
export function withTwinReExports(text: string, lines: Array<{ from: string; twin: string }>): string {
  const semi = /;\s*$/m.test(text) ? ';' : '';
  const quote = /from\s*"/.test(text) ? '"' : "'";
  const byFrom = new Map<string, string[]>();
  for (const { from, twin } of lines.filter((line) => !passesOn(text, line.from, line.twin))) byFrom.set(from, [...new Set([...(byFrom.get(from) ?? []), twin])].sort());
  if (!byFrom.size) return text;
  const added = [...byFrom].map(([from, twins]) => `export { ${twins.join(', ')} } from ${quote}${from}${quote}${semi}`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${text.replace(/\s*$/, '')}${eol}${added.join(eol)}${eol}`;
}
