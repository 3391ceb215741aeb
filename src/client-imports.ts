/**
 * A route handler is compiled for React's server layer, where Next.js refuses a module that imports a client-only
 * React API (`useState`, `useEffect`, `createContext`, …) without a "use client" directive: `next build` fails with
 * "You're importing a component that needs useEffect. This React hook only works in a client component". A Pages API
 * handler had no such rule, so a handler that reaches a UI module through its imports (a helper module that also
 * imports from a component library's barrel) built before and does not after. This pass follows each route's imports
 * through the project's own modules (packages are not read) and names the first such module. Reads the disk, never
 * writes it.
 */
import { walk, type Node } from '../transforms/lib/ast.js';
import type { Resolver } from './resolver.js';
import { SPECIFIER } from './moved-exports.js';

/** What Next.js's server-layer check refuses from `react` and `react-dom` (as of Next 14 to 16). */
const CLIENT_ONLY: Record<string, Set<string>> = {
  react: new Set([
    'Component',
    'createContext',
    'createFactory',
    'PureComponent',
    'useActionState',
    'useDeferredValue',
    'useEffect',
    'useImperativeHandle',
    'useInsertionEffect',
    'useLayoutEffect',
    'useOptimistic',
    'experimental_useOptimistic',
    'useReducer',
    'useRef',
    'useState',
    'useSyncExternalStore',
    'useTransition',
  ]),
  'react-dom': new Set(['flushSync', 'unstable_batchedUpdates', 'useFormState', 'useFormStatus']),
};
/** `import { a, b as c } from 'react'` (also `import React, { a } from …`): the named imports. */
const NAMED_IMPORT = /\bimport\s+(?:[\w$]+\s*,\s*)?\{([^{}]*)\}\s*from\s*['"](react|react-dom)['"]/g;
/** A "use client" (or "use server") directive at the top: the module is not compiled as server code of the route. */
const DIRECTIVE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*['"]use (?:client|server)['"]/;

/** The client-only API `text` imports, if any. */
function clientOnlyImport(text: string): string | null {
  if (DIRECTIVE.test(text)) return null;
  for (const match of text.matchAll(NAMED_IMPORT)) {
    for (const part of match[1].split(',')) {
      const name = /^\s*(?:type\s+)?([\w$]+)/.exec(part)?.[1];
      if (name && !/^\s*type\s/.test(part) && CLIENT_ONLY[match[2]].has(name)) return `${name} from ${match[2]}`;
    }
  }
  return null;
}

/** Children that hold only types: the compiler removes them, and what they name is not bundled. */
const TYPE_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'superTypeParameters', 'implements', 'typeArguments']);
const TYPE_ONLY = /^TS(?!Enum|Module|AsExpression|SatisfiesExpression|NonNullExpression|TypeAssertion|ParameterProperty|InstantiationExpression|ExportAssignment|ImportEqualsDeclaration)/;

/**
 * The specifiers of the modules the bundler takes in with this program: imports, re-exports, dynamic imports and
 * requires, without those the compiler removes (`import type`, only `type` specifiers, or bindings used only as types:
 * TypeScript and SWC drop such an import).
 */
function bundledSpecifiers(program: Node | null): string[] {
  if (!program) return [];
  const valueNames = new Set<string>();
  walk(program, (node, _parent, key) => {
    if (TYPE_KEYS.has(key) || TYPE_ONLY.test(node.type) || node.type === 'ImportDeclaration' || node.declare) return false;
    if (node.type === 'Identifier' || node.type === 'JSXIdentifier') valueNames.add(node.name);
  });
  const found: string[] = [];
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') {
      if (statement.importKind === 'type') continue;
      const specifiers: Node[] = statement.specifiers ?? [];
      if (specifiers.length && !specifiers.some((x) => x.importKind !== 'type' && valueNames.has(x.local.name))) continue;
      found.push(statement.source.value);
    } else if ((statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportAllDeclaration') && statement.source) {
      if (statement.exportKind === 'type' || (statement.specifiers?.length && statement.specifiers.every((x: Node) => x.exportKind === 'type'))) continue;
      found.push(statement.source.value);
    }
  }
  walk(program, (node) => {
    const call = node.type === 'ImportExpression' || (node.type === 'CallExpression' && (node.callee.type === 'Import' || (node.callee.type === 'Identifier' && node.callee.name === 'require')));
    const argument = node.type === 'ImportExpression' ? node.source : node.arguments?.[0];
    if (call && argument?.type === 'StringLiteral') found.push(argument.value);
  });
  return found;
}

export interface ClientImportFinder {
  /**
   * Why the route `file` (its text `text`) would not build, following its imports: the chain of project modules to
   * the first that imports a client-only React API; null when there is none.
   */
  why(file: string, text: string): string | null;
}

export function clientImportFinder(resolver: Resolver): ClientImportFinder {
  /** Per module looked at: null when nothing it reaches imports a client-only API, else the chain from it. */
  const known = new Map<string, string[] | null>();
  const importsOf = (file: string, text: string): string[] => {
    const modules = new Set<string>();
    for (const specifier of bundledSpecifiers(resolver.program(file, text))) {
      const module = resolver.resolve(file, specifier);
      // Project modules only: a package's own build marks its client code.
      if (module && !module.includes('node_modules/') && /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(module)) modules.add(module);
    }
    return [...modules];
  };
  /** A search from one route: each module once. Its answers are kept only when certain (see why). */
  const search = (module: string, seen: Set<string>): string[] | null => {
    if (known.has(module)) return known.get(module)!;
    if (seen.has(module)) return null;
    seen.add(module);
    const text = resolver.text(module);
    if (text === null || DIRECTIVE.test(text)) return null;
    const direct = clientOnlyImport(text);
    if (direct) return [`${module} (${direct})`];
    for (const next of importsOf(module, text)) {
      const below = search(next, seen);
      if (below) return [module, ...below];
    }
    return null;
  };
  /** The project modules `text`'s import specifiers may name, read from its text: a superset of importsOf's. */
  const mayImport = (file: string, text: string): string[] =>
    [...text.matchAll(SPECIFIER)].map((m) => resolver.resolve(file, m[3])).filter((module): module is string => !!module && !module.includes('node_modules/') && /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/.test(module));
  return {
    why(file, text) {
      const direct = clientOnlyImport(text);
      if (direct) return `it imports ${direct}`;
      // Routes mostly import the same few modules: once each is known to reach nothing client-only, a route that
      // may import only those needs no parse (thousands of routes in one run).
      if (mayImport(file, text).every((module) => known.get(module) === null)) return null;
      const seen = new Set<string>();
      for (const module of importsOf(file, text)) {
        const chain = search(module, seen);
        if (chain) {
          // Each module of the chain reaches the last one.
          chain.forEach((m, i) => i < chain.length - 1 && known.set(m, chain.slice(i)));
          return `it imports ${chain.join(' → ')}`;
        }
      }
      // Nothing found: every module this search reached reaches nothing either.
      for (const module of seen) known.set(module, null);
      return null;
    },
  };
}
