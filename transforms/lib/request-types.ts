/**
 * `typeof req.query` in a type (`req.query as typeof req.query & { role: string }`): a query on the Pages request,
 * which the route no longer has (TypeScript: "Cannot find name 'req'"). It becomes the type it named,
 * `NextApiRequest['query']` (`typeof req` → `NextApiRequest`), from next's own types: the same type as before, which
 * the route's values (its query, the parsed body) were written to match.
 */
import type { JSCodeshift } from 'jscodeshift';
import { isIdent, walk, type Node } from './ast.js';

/** The member names of `typeof req.a.b` (`['a', 'b']`), or null when the query is not of `reqName`. */
function queriedPath(exprName: Node, reqName: string): string[] | null {
  const names: string[] = [];
  let n = exprName;
  while (n?.type === 'TSQualifiedName') {
    names.unshift(n.right.name);
    n = n.left;
  }
  return isIdent(n, reqName) ? names : null;
}

/**
 * Replaces each `typeof <reqName>…` type below `roots` (not in nested functions with a `req` of their own) by the type
 * it named, through `typeName` (the module's local name for next's NextApiRequest type). Returns how many.
 */
export function replaceRequestTypeQueries(j: JSCodeshift, roots: Node[], reqName: string, typeName: string): number {
  let replaced = 0;
  for (const root of roots)
    walk(root, (node, parent, key) => {
      if (node.type !== 'TSTypeQuery' || !parent) return undefined;
      const path = queriedPath(node.exprName, reqName);
      if (!path) return undefined;
      let type: Node = j.tsTypeReference(j.identifier(typeName));
      for (const name of path) type = j.tsIndexedAccessType(type, j.tsLiteralType(j.stringLiteral(name)));
      const slot = parent[key];
      if (Array.isArray(slot)) slot[slot.indexOf(node)] = type;
      else parent[key] = type;
      replaced++;
      return false;
    });
  return replaced;
}
