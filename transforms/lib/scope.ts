import { walk, isFunction, type Node } from './ast.js';
import { isNonReference } from './free-names.js';

function bindsName(pattern: Node, name: string): boolean {
  let found = false;
  walk(pattern, (n, parent, key) => {
    if (n.type === 'Identifier' && n.name === name && !(parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) found = true;
    if (n.type === 'AssignmentPattern') {
      if (bindsName(n.left, name)) found = true;
      return false;
    }
  });
  return found;
}

function declaresInList(stmts: Node[], name: string): boolean {
  return stmts.some(
    (s) =>
      (s.type === 'VariableDeclaration' && s.declarations.some((d: Node) => bindsName(d.id, name))) ||
      ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id?.name === name),
  );
}

/** A node below which `name` means something else (a callback's own `res`, a block's own `const res`). */
function shadows(node: Node, name: string): boolean {
  if (isFunction(node)) {
    if (node.params.some((p: Node) => bindsName(p, name))) return true;
    // A named function expression's name is bound inside it (`function res() { … }` as a value).
    if (node.type === 'FunctionExpression' && node.id?.name === name) return true;
    return node.body?.type === 'BlockStatement' && declaresInList(node.body.body, name);
  }
  if (node.type === 'BlockStatement' || node.type === 'Program') return declaresInList(node.body, name);
  if (node.type === 'CatchClause' && node.param) return bindsName(node.param, name);
  if ((node.type === 'ForStatement' && node.init?.type === 'VariableDeclaration') || ((node.type === 'ForOfStatement' || node.type === 'ForInStatement') && node.left.type === 'VariableDeclaration')) {
    const decl = node.type === 'ForStatement' ? node.init : node.left;
    return decl.declarations.some((d: Node) => bindsName(d.id, name));
  }
  return false;
}

export interface Reference {
  node: Node;
  parent: Node;
  key: string;
  /** The ancestors from the root down to the parent. */
  ancestors: Node[];
}

/** Every read of the variable `name` in `roots`, skipping scopes that declare their own `name`. */
export function referencesTo(roots: Node[], name: string): Reference[] {
  const refs: Reference[] = [];
  // One stack of ancestors, copied only for a reference found: a copy per node visited cost more than the visit.
  const ancestors: Node[] = [];
  const visit = (node: Node, parent: Node | null, key: string) => {
    if (!node || typeof node.type !== 'string') return;
    if (parent && shadows(node, name)) return;
    if (node.type === 'Identifier' && node.name === name && parent && !isNonReference(node, parent, key) && !isTypePosition(parent)) {
      refs.push({ node, parent, key, ancestors: ancestors.slice() });
      return;
    }
    ancestors.push(node);
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'original' || k === 'tokens' || k === 'comments' || k === 'typeAnnotation' || k === 'returnType' || k === 'typeParameters') continue;
      const child = node[k];
      if (Array.isArray(child)) child.forEach((c) => visit(c, node, k));
      else if (child && typeof child.type === 'string') visit(child, node, k);
    }
    ancestors.pop();
  };
  for (const root of roots) visit(root, { type: 'Root' }, 'body');
  return refs;
}

/**
 * Renames the variable `name` to `to` in `roots` wherever it refers to the same binding. A shorthand property keeps
 * its key: `{ name }` becomes `{ name: to }`.
 */
export function renameReferences(roots: Node[], name: string, to: string): void {
  if (name === to) return;
  for (const ref of referencesTo(roots, name)) {
    if (ref.parent.type === 'ObjectProperty' && ref.parent.shorthand) {
      ref.parent.shorthand = false;
      ref.parent.key = { type: 'Identifier', name };
    }
    ref.node.name = to;
  }
}

/** Type-level positions (a type's name, an interface member, an enum member): they read no value. */
function isTypePosition(parent: Node): boolean {
  return parent.type.startsWith('TS') && parent.type !== 'TSAsExpression' && parent.type !== 'TSNonNullExpression' && parent.type !== 'TSSatisfiesExpression' && parent.type !== 'TSTypeAssertion';
}
