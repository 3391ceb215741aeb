/** Import fixes for a file that moves from pages/api to app/: relative paths, Next types, next/server, compat. */
import { posix } from 'node:path';
import { walk, isIdent, memberName, stringValue, unwrap, END, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';

/** `./x` seen from `fromDir` → the same file seen from `toDir`. */
export function moveSpecifier(specifier: string, fromDir: string, toDir: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const absolute = posix.normalize(posix.join(fromDir, specifier));
  let moved = posix.relative(toDir, absolute);
  if (!moved.startsWith('.')) moved = `./${moved}`;
  if (specifier.endsWith('/') && !moved.endsWith('/')) moved += '/';
  return moved;
}

/**
 * Whether an import specifier names a package (`next-axiom`, `@sentry/nextjs`, `node:crypto`) rather than a project
 * file: not relative or absolute, and not in the shapes path aliases take (`@/lib`, `~/server`, `#utils`). A guess
 * from the text alone, for reasons: an alias of another shape reads as a package.
 */
export function isPackageSpecifier(specifier: string): boolean {
  return !/^(\.|\/|~|#|@\/)/.test(specifier);
}

/** Where the module imports the value `local` from (type imports aside), or undefined. */
export function importSourceOf(program: Node, local: string): string | undefined {
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.importKind === 'type') continue;
    if (stmt.specifiers?.some((s: Node) => s.importKind !== 'type' && s.local?.name === local)) return stmt.source.value;
  }
  return undefined;
}

function setLiteral(node: Node, value: string): void {
  if (node.value === value) return;
  node.value = value;
  // recast reprints a literal from `extra.raw` when present: keep the source's quote style.
  if (node.extra?.raw) {
    const quote = node.extra.raw[0];
    node.extra = { ...node.extra, raw: `${quote}${value}${quote}`, rawValue: value };
  }
}

/** Fixes static imports, re-exports, dynamic `import()`, `require()` and `jest.mock`-style string arguments. */
export function fixRelativeImports(program: Node, sourcePath: string, targetPath: string): void {
  const fromDir = posix.dirname(sourcePath);
  const toDir = posix.dirname(targetPath);
  const fix = (literal: Node) => {
    const value = stringValue(literal);
    if (value !== null && value.startsWith('.') && literal.type !== 'TemplateLiteral') setLiteral(literal, moveSpecifier(value, fromDir, toDir));
  };
  walk(program, (n) => {
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ExportNamedDeclaration') && n.source) fix(n.source);
    if (n.type === 'ImportExpression' && n.source) fix(n.source);
    if (n.type === 'CallExpression' && n.arguments.length >= 1 && (n.callee.type === 'Import' || isIdent(n.callee, 'require'))) fix(n.arguments[0]);
    if (n.type === 'TSImportType' && n.argument) fix(n.argument.type === 'TSLiteralType' ? n.argument.literal : n.argument);
    // `new URL('../../public/font.ttf', import.meta.url)`: a file beside the module, which the bundler finds from it.
    if (n.type === 'NewExpression' && isIdent(n.callee, 'URL') && n.arguments.length === 2 && isImportMetaUrl(n.arguments[1])) fix(n.arguments[0]);
  });
}

function isImportMetaUrl(node: Node): boolean {
  const n = unwrap(node);
  return n.type === 'MemberExpression' && !n.computed && isIdent(n.property, 'url') && n.object.type === 'MetaProperty' && isIdent(n.object.meta, 'import') && isIdent(n.object.property, 'meta');
}

/** Identifier names referenced anywhere outside import declarations. */
function referencedNames(program: Node): Set<string> {
  const used = new Set<string>();
  for (const stmt of program.body) {
    if (stmt.type === 'ImportDeclaration') continue;
    walk(stmt, (n) => {
      if (n.type === 'Identifier' || n.type === 'JSXIdentifier') used.add(n.name);
    });
  }
  return used;
}

/** Drops import specifiers that nothing references any more: the Pages types, body readers replaced by the tool. */
export function removeUnusedImports(snip: Snippets, program: Node, fromSources: (source: string) => boolean): void {
  const used = referencedNames(program);
  // Comments above an import that goes (a licence header, say) stay, above the statement that comes next.
  // (Rebuilt from text by withCommentsOf: a node given more comments would be reprinted in recast's own style.)
  let orphaned: Node | null = null;
  const adopt = (stmt: Node): Node => {
    if (!orphaned) return stmt;
    const from = orphaned;
    orphaned = null;
    return snip.withCommentsOf(from, stmt);
  };
  program.body = program.body.flatMap((stmt: Node) => {
    if (stmt.type !== 'ImportDeclaration' || !fromSources(stmt.source.value) || !stmt.specifiers?.length) return [adopt(stmt)];
    const kept = stmt.specifiers.filter((s: Node) => used.has(s.local.name));
    if (kept.length === stmt.specifiers.length) return [adopt(stmt)];
    if (kept.length === 0) {
      if ((stmt.comments ?? []).some((c: Node) => c.leading)) orphaned = orphaned ? snip.withCommentsOf(orphaned, stmt) : stmt;
      return [];
    }
    return [adopt(snip.withCommentsOf(stmt, importWith(snip, stmt, kept)))];
  });
}

/**
 * Drops `name` from the import at `importIndex` when nothing else in the program refers to it (a wrapper the
 * rewrite unwrapped), and the import itself when it has no specifier left. Returns whether the import went.
 */
export function dropImportOf(program: Node, importIndex: number, name: string): boolean {
  const others = program.body.filter((_: Node, i: number) => i !== importIndex);
  if (referencesTo(others, name).length > 0) return false;
  const imp = program.body[importIndex];
  imp.specifiers = imp.specifiers.filter((sp: Node) => sp.local.name !== name);
  if (imp.specifiers.length) return false;
  program.body.splice(importIndex, 1);
  return true;
}

/** How `fromFile` imports the compat module at `compatPath` (both relative to the app root). */
export function compatSpecifier(fromFile: string, compatPath: string): string {
  const specifier = posix.relative(posix.dirname(fromFile), compatPath.replace(/\.(ts|js)$/, ''));
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}

/** The import `stmt` with only the `kept` specifiers. Rebuilt from text: recast would reprint it in its own style. */
export function importWith(snip: Snippets, stmt: Node, kept: Node[]): Node {
  const named = kept.filter((s: Node) => s.type === 'ImportSpecifier').map((s: Node) => snip.src(s));
  const others = kept.filter((s: Node) => s.type !== 'ImportSpecifier').map((s: Node) => snip.src(s));
  const clause = [...others, ...(named.length ? [`{ ${named.join(', ')} }`] : [])].join(', ');
  return snip.statements(`import ${stmt.importKind === 'type' ? 'type ' : ''}${clause} from ${snip.src(stmt.source)}${END}`)[0];
}

export interface ImportNeeds {
  values: string[];
  types: string[];
}

/** Adds one import of `names` from `source`: next/ imports first, others after the existing imports. */
export function addImport(snip: Snippets, program: Node, source: string, needs: ImportNeeds, typescript: boolean): void {
  // Names the file imports from `source` already (a Pages edge handler's NextResponse, a module an earlier run
  // changed): a second import of one would not parse.
  const asValue = new Set(valueImports(program, source).map((i) => i.local));
  const asAny = new Set(program.body.filter((s: Node) => s.type === 'ImportDeclaration' && s.source.value === source).flatMap((s: Node) => (s.specifiers ?? []).map((x: Node) => x.local.name)));
  const values = needs.values.filter((v) => !asValue.has(v));
  const types = typescript ? needs.types.filter((t) => !asAny.has(t) && !values.includes(t)) : [];
  if (!values.length && !types.length) return;
  const names = [...values, ...types.map((t) => (values.length ? `type ${t}` : t))];
  const keyword = values.length ? 'import' : 'import type';
  const [declaration] = snip.statements(`${keyword} { ${names.join(', ')} } from ${snip.str(source)}${END}`);
  const first = program.body.findIndex((s: Node) => s.type === 'ImportDeclaration');
  let at = first < 0 ? 0 : first;
  if (!source.startsWith('next/')) while (program.body[at]?.type === 'ImportDeclaration') at++;
  program.body.splice(at, 0, declaration);
}

/**
 * Adds value `names` to the file's own import of `source` (`import a, { b } from …`), rebuilt from text so that it keeps
 * the file's style; false when the file has no such import to add to (none, a type-only one, or a namespace import).
 */
export function addToImport(snip: Snippets, program: Node, source: string, names: string[]): boolean {
  const index = program.body.findIndex(
    (s: Node) => s.type === 'ImportDeclaration' && s.source.value === source && s.importKind !== 'type' && !s.specifiers?.some((x: Node) => x.type === 'ImportNamespaceSpecifier'),
  );
  if (index < 0) return false;
  const stmt = program.body[index];
  const named: Node[] = stmt.specifiers.filter((x: Node) => x.type === 'ImportSpecifier');
  const added = names.filter((name) => !named.some((x) => x.local.name === name));
  if (!added.length) return true;
  const others = stmt.specifiers.filter((x: Node) => x.type !== 'ImportSpecifier').map((x: Node) => snip.src(x));
  const text = `import ${[...others, `{ ${[...named.map((x) => snip.src(x)), ...added].join(', ')} }`].join(', ')} from ${snip.src(stmt.source)}${END}`;
  program.body[index] = snip.withCommentsOf(stmt, snip.statements(text)[0]);
  return true;
}

/**
 * What a file imports from `sources` as values, in order: each specifier's local name and what it names (`default`,
 * `*` for a namespace, or the export's name). `import type` declarations and `{ type X }` specifiers are left out.
 */
export function valueImports(program: Node, sources: string | readonly string[]): Array<{ local: string; imported: string }> {
  const wanted = typeof sources === 'string' ? [sources] : sources;
  const out: Array<{ local: string; imported: string }> = [];
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || !wanted.includes(stmt.source.value) || stmt.importKind === 'type') continue;
    for (const s of stmt.specifiers ?? []) {
      if (s.importKind === 'type') continue;
      const imported = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : (s.imported.name ?? s.imported.value);
      out.push({ local: s.local.name, imported });
    }
  }
  return out;
}


/** The local names (and namespaces) through which `name` of one of `sources` is called. */
export function callees(program: Node, sources: readonly string[], name: string): { direct: Set<string>; namespaces: Set<string> } {
  const direct = new Set<string>();
  const namespaces = new Set<string>();
  for (const { local, imported } of valueImports(program, sources)) {
    if (imported === name) direct.add(local);
    if (imported === '*') namespaces.add(local);
  }
  return { direct, namespaces };
}

/** Whether `callee` calls `name` through one of those local names or namespaces (`blob.handleUpload`). */
export function calls(callee: Node, names: { direct: Set<string>; namespaces: Set<string> }, name: string): boolean {
  if (isIdent(callee)) return names.direct.has(callee.name);
  return memberName(callee) === name && isIdent(unwrap(callee.object)) && names.namespaces.has(unwrap(callee.object).name);
}

/**
 * A name two imports of the file bind. Babel's TypeScript mode accepts a second `import { x }` after other
 * statements (tsc does not: "Duplicate identifier"); the route, which gathers imports, would then not parse.
 */
export function importedTwice(program: Node): string | null {
  const seen = new Set<string>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration') continue;
    for (const s of stmt.specifiers ?? []) {
      if (seen.has(s.local.name)) return s.local.name;
      seen.add(s.local.name);
    }
  }
  return null;
}
