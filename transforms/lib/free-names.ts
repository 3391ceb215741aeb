/**
 * The top-level names a statement reads and assigns: identifiers not bound inside it. Errs on the side of "free"
 * (a binding it does not recognise counts as a reference), which only makes the callers more careful.
 */
import { isIdent, walk, type Node } from './ast.js';

const SKIP_KEYS = new Set(['loc', 'original', 'tokens', 'comments', 'leadingComments', 'trailingComments', 'extra', 'start', 'end']);

/** Names a binding pattern declares (`{ a, b: [c] }`, `...d`, `e = 1`). */
export function patternNames(pattern: Node, out: string[] = []): string[] {
  if (!pattern) return out;
  if (pattern.type === 'Identifier') out.push(pattern.name);
  else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties) patternNames(p.type === 'RestElement' ? p.argument : p.value, out);
  else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements) patternNames(e, out);
  else if (pattern.type === 'RestElement') patternNames(pattern.argument, out);
  else if (pattern.type === 'AssignmentPattern') patternNames(pattern.left, out);
  else if (pattern.type === 'TSParameterProperty') patternNames(pattern.parameter, out);
  return out;
}

/** Names a statement declares in the scope it sits in. */
export function declaredNames(stmt: Node): string[] {
  const decl = (stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration') && stmt.declaration ? stmt.declaration : stmt;
  if (decl.type === 'VariableDeclaration') return decl.declarations.flatMap((d: Node) => patternNames(d.id));
  if (
    ['FunctionDeclaration', 'ClassDeclaration', 'TSDeclareFunction', 'TSEnumDeclaration', 'TSTypeAliasDeclaration', 'TSInterfaceDeclaration', 'TSModuleDeclaration'].includes(decl.type) &&
    decl.id?.type === 'Identifier'
  ) {
    return [decl.id.name];
  }
  return [];
}

/** The one name a top-level statement declares (a function, a single `const`), or null. */
export function declaredName(stmt: Node): string | null {
  const names = declaredNames(stmt);
  return names.length === 1 ? names[0] : null;
}

function blockNames(body: Node[]): string[] {
  return body.flatMap((s: Node) => (s.type === 'VariableDeclaration' || s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration' ? declaredNames(s) : []));
}

/**
 * Whether the identifier `node` at `parent[key]` only names something (a property, a member, a label, an export's
 * outside name) rather than reading a binding. The key of a shorthand property whose value is that same node (as built
 * by code, where the parser gives the value a copy) reads it.
 */
export function isNonReference(node: Node, parent: Node | null, key: string): boolean {
  switch (parent?.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
    case 'JSXMemberExpression':
      return key === 'property' && !parent.computed;
    case 'ObjectProperty':
      return key === 'key' && !parent.computed && !(parent.shorthand && parent.value === node);
    case 'ObjectMethod':
    case 'ClassProperty':
    case 'ClassMethod':
    case 'ClassPrivateProperty':
    case 'ClassAccessorProperty':
    case 'TSPropertySignature':
    case 'TSMethodSignature':
      return key === 'key' && !parent.computed;
    case 'TSQualifiedName':
      return key === 'right';
    case 'JSXAttribute':
      return key === 'name';
    case 'TSEnumMember':
      return key === 'id';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return key === 'label';
    case 'MetaProperty':
      return true;
    case 'ExportSpecifier':
      return key === 'exported';
    default:
      return false;
  }
}

export interface FreeNames {
  reads: Set<string>;
  writes: Set<string>;
}

/** The free names of `root`: read anywhere in it (types included), or assigned (`x = …`, `x++`). */
export function freeNames(root: Node): FreeNames {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const bound = (scopes: Set<string>[], name: string) => scopes.some((s) => s.has(name));

  const visitPattern = (pattern: Node, scopes: Set<string>[]) => {
    // Only defaults and computed keys of a binding pattern read anything.
    if (!pattern) return;
    if (pattern.type === 'AssignmentPattern') {
      visitPattern(pattern.left, scopes);
      visit(pattern.right, null, '', scopes);
    } else if (pattern.type === 'ObjectPattern') {
      for (const p of pattern.properties) {
        if (p.type === 'RestElement') visitPattern(p.argument, scopes);
        else {
          if (p.computed) visit(p.key, null, '', scopes);
          visitPattern(p.value, scopes);
        }
      }
    } else if (pattern.type === 'ArrayPattern') pattern.elements.forEach((e: Node) => visitPattern(e, scopes));
    else if (pattern.type === 'RestElement') visitPattern(pattern.argument, scopes);
    else if (pattern.type === 'TSParameterProperty') visitPattern(pattern.parameter, scopes);
    if (pattern.typeAnnotation) visit(pattern.typeAnnotation, null, '', scopes);
  };

  const visitChildren = (node: Node, scopes: Set<string>[]) => {
    for (const k of Object.keys(node)) {
      if (SKIP_KEYS.has(k)) continue;
      const child = node[k];
      if (Array.isArray(child)) child.forEach((c) => c && typeof c.type === 'string' && visit(c, node, k, scopes));
      else if (child && typeof child.type === 'string') visit(child, node, k, scopes);
    }
  };

  const visit = (node: Node, parent: Node | null, key: string, scopes: Set<string>[]): void => {
    if (!node || typeof node.type !== 'string') return;
    switch (node.type) {
      case 'Identifier':
      case 'JSXIdentifier':
        if (!isNonReference(node, parent, key) && !bound(scopes, node.name)) reads.add(node.name);
        if (node.typeAnnotation) visit(node.typeAnnotation, node, 'typeAnnotation', scopes);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ObjectMethod':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'TSDeclareFunction':
      case 'TSDeclareMethod': {
        const own = new Set<string>(node.params.flatMap((p: Node) => patternNames(p)));
        if (node.type === 'FunctionExpression' && node.id) own.add(node.id.name);
        if (node.body?.type === 'BlockStatement') blockNames(node.body.body).forEach((n) => own.add(n));
        const inner = [...scopes, own];
        if ((node.type === 'ObjectMethod' || node.type === 'ClassMethod') && node.computed) visit(node.key, node, 'key', scopes);
        node.params.forEach((p: Node) => visitPattern(p, inner));
        for (const k of ['returnType', 'typeParameters']) if (node[k]) visit(node[k], node, k, inner);
        if (node.body) visit(node.body, node, 'body', inner);
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const inner = node.type === 'ClassExpression' && node.id ? [...scopes, new Set([node.id.name])] : scopes;
        for (const k of ['superClass', 'superTypeParameters', 'implements', 'typeParameters', 'decorators', 'body']) {
          const child = node[k];
          if (Array.isArray(child)) child.forEach((c) => visit(c, node, k, inner));
          else if (child) visit(child, node, k, inner);
        }
        return;
      }
      case 'BlockStatement':
      case 'StaticBlock':
        visitChildren(node, [...scopes, new Set(blockNames(node.body))]);
        return;
      case 'CatchClause': {
        const inner = [...scopes, new Set(patternNames(node.param))];
        visitPattern(node.param, inner);
        visit(node.body, node, 'body', inner);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const decl = node.type === 'ForStatement' ? node.init : node.left;
        const inner = decl?.type === 'VariableDeclaration' ? [...scopes, new Set(declaredNames(decl))] : scopes;
        visitChildren(node, inner);
        return;
      }
      case 'VariableDeclarator':
        visitPattern(node.id, scopes);
        visit(node.init, node, 'init', scopes);
        return;
      case 'AssignmentExpression':
        for (const name of patternNames(node.left.type === 'MemberExpression' ? null : node.left)) if (!bound(scopes, name)) writes.add(name);
        visitChildren(node, scopes);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier' && !bound(scopes, node.argument.name)) writes.add(node.argument.name);
        visitChildren(node, scopes);
        return;
      default:
        visitChildren(node, scopes);
    }
  };
  visit(root, null, '', []);
  return { reads, writes };
}

/**
 * Whether anything in `root` assigns a variable called `name`: `=` and compound assignments, `++`/`--`, and the head of
 * a for-in/of that is not a declaration. Any binding of that name counts: a conservative answer.
 */
export function isAssignedIn(root: Node, name: string): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (node.type === 'AssignmentExpression' && patternNames(node.left).includes(name)) found = true;
    else if (node.type === 'UpdateExpression' && isIdent(node.argument, name)) found = true;
    else if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type !== 'VariableDeclaration' && patternNames(node.left).includes(name)) found = true;
    return undefined;
  });
  return found;
}

/**
 * Every name a binding inside `root` declares, at any depth: variables, functions and classes (named function
 * expressions too), catch parameters and function parameters. A superset of the names in scope at any point of it.
 */
export function namesDeclaredWithin(root: Node): Set<string> {
  const names = new Set<string>();
  const add = (pattern: Node) => patternNames(pattern).forEach((n) => names.add(n));
  walk(root, (n) => {
    if (n.type === 'VariableDeclarator') add(n.id);
    else if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ClassDeclaration' || n.type === 'ClassExpression') && n.id) names.add(n.id.name);
    else if (n.type === 'CatchClause' && n.param) add(n.param);
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'ObjectMethod' || n.type === 'ClassMethod') n.params.forEach(add);
  });
  return names;
}

/**
 * Whether reading `name` at `at` (a node inside the function `fn` of `program`) finds a binding that is already
 * initialised, so that the read cannot throw a ReferenceError: a parameter of `fn`; a `var` or function declared in it
 * (hoisted); a `const`, `let` or class declared in a block that holds `at`, before it; or a binding of the module,
 * initialised before any request. Not when a block that holds `at` declares the name with `const`, `let` or `class`
 * after it: that binding, not yet initialised there, is the one read.
 */
export function boundWhereRead(program: Node, fn: Node, name: string, at: Node): boolean {
  const holds = (outer: Node | null) => !!outer && outer.start <= at.start && at.end <= outer.end;
  let found = false;
  let uninitialised = false;
  const lexical = (n: Node, parent: Node | null) => {
    if (!holds(parent)) return;
    if (n.end <= at.start) found = true;
    else uninitialised = true;
  };
  walk(
    fn.body,
    (n, parent) => {
      if (n.type === 'VariableDeclaration' && n.declarations.some((d: Node) => patternNames(d.id).includes(name))) {
        if (n.kind === 'var') found = true;
        else lexical(n, parent);
      } else if (n.type === 'FunctionDeclaration' && n.id?.name === name) found = true;
      else if (n.type === 'ClassDeclaration' && n.id?.name === name) lexical(n, parent);
    },
    true,
  );
  if (uninitialised) return false;
  if (found || fn.params.some((p: Node) => patternNames(p).includes(name))) return true;
  return program.body.some((stmt: Node) => declaredNames(stmt).includes(name) || (stmt.type === 'ImportDeclaration' && stmt.importKind !== 'type' && stmt.specifiers?.some((s: Node) => s.local.name === name && s.importKind !== 'type')));
}
