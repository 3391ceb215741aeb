/**
 * Names of a module that hide the web APIs rewritten code answers with: `import { Response } from 'express'` where a
 * route (or a twin) returns `new Response(…)` makes that call express's (TypeScript refuses it; at run time it is not
 * the global). A type of the same name is no value and hides nothing.
 */
import { declaredNames } from './free-names.js';
import { isIdent, walk, type Node } from './ast.js';

/** Whether `program` uses `name` as a value (`new Response(…)`, `x instanceof Response`, `Response.json(…)`). */
export function usesAsValue(program: Node, name: string): boolean {
  let found = false;
  walk(program, (node, parent, key) => {
    if (found || !isIdent(node, name) || !parent) return undefined;
    if ((parent.type === 'NewExpression' || parent.type === 'CallExpression') && key === 'callee') found = true;
    else if (parent.type === 'BinaryExpression' && parent.operator === 'instanceof' && key === 'right') found = true;
    else if (parent.type === 'MemberExpression' && key === 'object') found = true;
    return undefined;
  });
  return found;
}

/** The web APIs the rewritten code builds answers with. */
const ROUTE_GLOBALS = ['Response', 'Headers', 'ReadableStream', 'TextEncoder'];

/**
 * A top-level binding of the module (an import, a declaration) named like a web API the route's text uses
 * (`import { Response } from 'express'` where the route returns `new Response(…)`): the route would use it instead.
 */
export function shadowedGlobal(program: Node): { line?: number; detail: string } | null {
  for (const stmt of program.body) {
    // A type of the file's own (`type Response = …`) is no value: `new Response(…)` still calls the global. An import
    // is, even a type-only one (TypeScript then refuses the value use).
    const declaration = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (declaration?.type === 'TSTypeAliasDeclaration' || declaration?.type === 'TSInterfaceDeclaration') continue;
    const bound: Array<{ name: string; from?: string }> =
      stmt.type === 'ImportDeclaration'
        ? (stmt.specifiers ?? []).map((s: Node) => ({ name: s.local.name as string, from: stmt.source.value as string }))
        : declaredNames(stmt).map((name) => ({ name }));
    for (const { name, from } of bound) {
      if (!ROUTE_GLOBALS.includes(name) || !usesAsValue(program, name)) continue;
      return { line: stmt.loc?.start.line, detail: `${from ? `the file imports ${name} from '${from}'` : `the file declares ${name}`}, which hides the global ${name} the route uses` };
    }
  }
  return null;
}
