/**
 * Module-scope code that a migrated route now runs at `next build`. Next never loaded a Pages API route at build, but
 * it loads every App Router route module to collect its config ("Collecting page data"; checked with next build of
 * 16.4.6: a route whose module throws fails the build, the same throw in pages/api does not). So a client made at
 * module scope from the environment (`new OpenAI()`, `createClient(process.env.URL!, …)`) now needs that environment
 * at build too, which a Docker build without the runtime's secrets does not have. The answers stay the same; the report
 * says where, so that the build can be given what the code needs or the code moved into the function.
 */
import { isFunction, isIdent, nodeText, walk, type Node } from './ast.js';

/** Constructors of the language and the platform that read nothing from outside. */
const SELF_CONTAINED = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Array', 'Object', 'Error', 'TypeError', 'TextEncoder', 'TextDecoder', 'Headers', 'AbortController', 'Intl', 'URL', 'Promise']);

function readsEnv(node: Node): boolean {
  if (isFunction(node)) return false;
  let found = false;
  walk(
    node,
    (n) => {
      if (n.type === 'MemberExpression' && isIdent(n.object, 'process') && !n.computed && isIdent(n.property, 'env')) found = true;
    },
    true,
  );
  return found;
}

function constructorName(callee: Node): string | null {
  if (callee?.type === 'Identifier') return callee.name;
  if (callee?.type === 'MemberExpression' && callee.object?.type === 'Identifier') return callee.object.name;
  return null;
}

/**
 * The first line of module-scope code in `program` (as parsed, before any rewrite; `source` its text) that builds
 * something from outside (`new OpenAI()`), calls with the environment or throws.
 */
export function buildTimeCodeLine(program: Node, source: string): { line: number; code: string } | null {
  for (const stmt of program.body) {
    // The handler, its config and declarations of functions and classes run nothing of their own when loaded.
    if (stmt.type === 'ExportDefaultDeclaration' || stmt.type === 'ImportDeclaration' || stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') continue;
    const decl = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (!decl || decl.type === 'FunctionDeclaration' || decl.type === 'ClassDeclaration' || decl.type.startsWith('TS')) continue;
    if (decl.type === 'VariableDeclaration' && decl.declarations.some((d: Node) => d.id?.name === 'config')) continue;
    let found: Node | null = null;
    // Not into functions: their code runs when called, not when the module is loaded.
    walk(
      decl,
      (n) => {
        if (found || isFunction(n)) return false;
        // A throw at load (`if (!process.env.KEY) throw new Error(…)`) fails the build where the variable is missing.
        if (n.type === 'ThrowStatement') found = n;
        else if (n.type === 'NewExpression' && !(SELF_CONTAINED.has(constructorName(n.callee) ?? '') && !readsEnv(n))) found = n;
        else if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && n.arguments.some(readsEnv)) found = n;
      },
      true,
    );
    if (found) {
      const node = found as Node;
      const code = nodeText(node, source).replace(/\s+/g, ' ').replace(/([([{]) /g, '$1').replace(/ ([)\]}])/g, '$1');
      return { line: node.loc.start.line, code: code.length > 48 ? `${code.slice(0, 47)}…` : code };
    }
  }
  return null;
}

export function buildTimeNote(found: { line: number; code: string }): string {
  return `line ${found.line}: module-scope code (${found.code}) now also runs at next build, which loads every route module (never a Pages API route's): the build needs what it needs (environment variables)`;
}
