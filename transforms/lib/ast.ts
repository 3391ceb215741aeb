import type { JSCodeshift } from 'jscodeshift';
import { loadBabelParser, loadJscodeshift } from './cjs-deps.js';
import { languageOf, pluginsOf, type Language } from './parser-plugins.js';

export { pluginsFor } from './parser-plugins.js';

export type Node = any; // ast-types' unions are too wide to be useful here; shapes are checked with j.X.check().

/** Built once per language and mode: building one (`withParser`) costs more than parsing a small file. */
const apis = new Map<string, JSCodeshift>();

/** A jscodeshift API bound to @babel/parser with the plugins for the file's language. */
export function apiFor(path: string, snippet = false): JSCodeshift {
  const language = languageOf(path);
  const key = `${language}${snippet ? ' snippet' : ''}`;
  let api = apis.get(key);
  if (!api) apis.set(key, (api = buildApi(language, snippet)));
  return api;
}

function buildApi(language: Language, snippet: boolean): JSCodeshift {
  const plugins = pluginsOf(language);
  const babel = loadBabelParser();
  const parser = {
    parse(source: string) {
      return babel.parse(source, {
        sourceType: 'module',
        allowImportExportEverywhere: false,
        allowReturnOutsideFunction: snippet,
        allowAwaitOutsideFunction: snippet,
        startLine: 1,
        tokens: true,
        plugins,
      });
    },
  };
  return loadJscodeshift().withParser(parser);
}

/**
 * The source text of a node as the file writes it. recast parses a copy of the text whose indenting tabs are spaces,
 * so the start and end of a node it parsed do not index the file's text once a line before it is indented with tabs;
 * its loc holds the file's own lines. A node parsed by @babel/parser alone is sliced out of `text`.
 */
export function nodeText(node: Node, text: string): string {
  const lines = node.loc?.lines;
  return lines ? lines.slice(node.loc.start, node.loc.end).toString() : text.slice(node.start, node.end);
}

export function isTypeScriptPath(path: string): boolean {
  return /\.(ts|tsx|mts|cts)$/.test(path);
}

/**
 * recast links each parsed node to the node it was copied from through a non-enumerable `original`; without the
 * link a copy is reprinted from scratch. Copies made here keep the link in a symbol, read through `original` on
 * their prototype: defining a non-enumerable own property on every copy (Object.defineProperty) took half the
 * time of copying. Either way `original` is left out of Object.keys, for…in and JSON.
 */
const ORIGINAL = Symbol('original');
const LINKED_COPY = Object.create(Object.prototype, {
  original: {
    get(this: Record<symbol, unknown>) {
      return this[ORIGINAL];
    },
    set(this: Record<symbol, unknown>, value: unknown) {
      this[ORIGINAL] = value;
    },
    enumerable: false,
    configurable: true,
  },
});

/**
 * Deep copy of a subtree. `original`, `loc` and `tokens` stay shared so that recast still reprints the untouched
 * parts of a copy from the source text, keeping the user's formatting and comments.
 */
export function cloneNode<T>(node: T): T {
  if (node === null || typeof node !== 'object') return node;
  // Plain loops: this runs for every node of every snippet and method copy, and entries()/map() allocate.
  if (Array.isArray(node)) {
    const items = new Array(node.length);
    for (let i = 0; i < node.length; i++) items[i] = cloneNode(node[i]);
    return items as T;
  }
  const source = node as Record<string, unknown>;
  const original = (node as { original?: unknown }).original;
  const copy: Record<string | symbol, unknown> = original ? Object.create(LINKED_COPY) : {};
  for (const key of Object.keys(source)) {
    const value = source[key];
    copy[key] = key === 'loc' || key === 'tokens' || value === null || typeof value !== 'object' ? value : cloneNode(value);
  }
  if (original) copy[ORIGINAL] = original;
  return copy as T;
}

/** Code style of the source, so that written code matches it. */
export interface Style {
  quote: "'" | '"';
  semi: boolean;
}

export function styleOf(source: string): Style {
  const singles = (source.match(/'/g) ?? []).length;
  const doubles = (source.match(/"/g) ?? []).length;
  // Only lines that can end a statement count: those ending in `{`, `,` or an operator say nothing about semicolons.
  const ends = source
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^\s*(\/\/|\*|\/\*)/.test(l) && /[;\w)\]'"`]$/.test(l));
  const withSemi = ends.filter((l) => l.endsWith(';')).length;
  return { quote: doubles > singles ? '"' : "'", semi: withSemi * 2 >= ends.length && withSemi > 0 };
}

/** Marks the end of a statement in snippet code: a semicolon when the source uses them, nothing otherwise. */
export const END = '\uE000';

/** Source text of a node's leading comments, one per line. */
export function leadingCommentText(node: Node): string {
  return (node.comments ?? [])
    .filter((c: Node) => c.leading)
    .map((c: Node) => (c.type === 'CommentLine' ? `//${c.value}` : `/*${c.value}*/`))
    .join('\n');
}

/**
 * Parsed snippets, by parser and text. Most snippets are boilerplate that every route repeats (`const params = await
 * context.params`, the next/server import), and parsing them was a fifth of the transform's time. Callers get a deep
 * copy (cloneNode keeps recast's link to the parsed text), so the cached trees are never changed. Bounded: the
 * least recently used text goes first.
 */
const SNIPPET_CACHE_SIZE = 1000;
const parsedSnippets = new Map<string, Node[]>();

function parseSnippet(j: JSCodeshift, language: string, text: string): Node[] {
  const key = `${language}\0${text}`;
  let body = parsedSnippets.get(key);
  if (body) parsedSnippets.delete(key);
  else body = j(text).get().node.program.body as Node[];
  parsedSnippets.set(key, body);
  if (parsedSnippets.size > SNIPPET_CACHE_SIZE) parsedSnippets.delete(parsedSnippets.keys().next().value as string);
  return cloneNode(body);
}

/**
 * Builds code from text so that recast prints it exactly as written here (its own builders put every object
 * literal on several lines). Nodes interpolated into the template are printed from the source as they were.
 */
export class Snippets {
  private readonly j: JSCodeshift;
  private readonly language: string;

  constructor(
    path: string,
    readonly style: Style,
  ) {
    this.j = apiFor(path, true);
    this.language = languageOf(path);
  }

  src(node: Node): string {
    return this.j(node).toSource({ quote: this.style.quote === "'" ? 'single' : 'double' });
  }

  str(value: string): string {
    const q = this.style.quote;
    // Line breaks too: a string literal may not span lines (a header name with `\n`, found by the fuzz test).
    return q + value.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r') + q;
  }

  /** A template whose `${}` parts are nodes (printed from source) or plain strings (inserted as they are). */
  text(parts: TemplateStringsArray, ...values: Array<Node | string>): string {
    let out = parts[0];
    values.forEach((v, i) => {
      out += (typeof v === 'string' ? v : this.src(v)) + parts[i + 1];
    });
    return out;
  }

  statements(code: string, leadingComments: string[] = []): Node[] {
    const text = [...leadingComments, code.replaceAll(END, this.style.semi ? ';' : '')].join('\n');
    const body = parseSnippet(this.j, this.language, text);
    // Positions in the snippet's own text mean nothing in the file it joins; recast then spaces it as new code.
    for (const stmt of body) stmt.loc = null;
    return body;
  }

  expression(code: string): Node {
    const node = parseSnippet(this.j, this.language, `(${code})`)[0].expression;
    // Not part of the expression: recast would print the wrapping parentheses wherever it goes.
    if (node.extra) delete node.extra.parenthesized;
    return node;
  }

  /**
   * `to` with the leading comments of `from` placed before it. Rebuilt from text: a node given comments of
   * another is reprinted in recast's own style (semicolons, line breaks) instead of the source's.
   */
  withCommentsOf(from: Node, to: Node, extra: string[] = []): Node {
    const comments = [...extra, ...(from && from !== to ? [leadingCommentText(from)].filter(Boolean) : [])];
    if (!comments.length) return to;
    return this.statements(this.src(to), comments)[0];
  }

}

/** Where in the source the code a rewrite made stands (its own loc is its snippet's): for reports only. */
const madeAt = new WeakMap<Node, number>();

/** Records that the nodes of `made` stand for the source's line `line`. */
export function markMadeAt(made: Node, line: number | undefined): void {
  if (line !== undefined) walk(made, (node) => void madeAt.set(node, line));
}

/** The source line of a node of `program`: its own, or the one a rewrite that made it recorded (markMadeAt). */
export function sourceLine(node: Node, program: Node): number | undefined {
  return node.loc && node.loc.lines === program.loc?.lines ? node.loc.start.line : madeAt.get(node);
}

/** Calls `visit` on every node below `root` (not entering nested functions when `skipFunctions`). */
export function walk(root: Node, visit: (node: Node, parent: Node | null, key: string) => void | false, skipFunctions = false): void {
  // Three stacks side by side rather than one of [node, parent, key] tuples: walks run over every node of a file
  // many times, and a tuple per node was most of their cost.
  const nodes: Node[] = [root];
  const parents: Array<Node | null> = [null];
  const keys: string[] = [''];
  while (nodes.length) {
    const node = nodes.pop();
    const parent = parents.pop() as Node | null;
    const key = keys.pop() as string;
    if (!node || typeof node.type !== 'string') continue;
    if (visit(node, parent, key) === false) continue;
    if (skipFunctions && node !== root && isFunction(node)) continue;
    for (const k of Object.keys(node)) {
      if (k === 'loc' || k === 'original' || k === 'tokens' || k === 'comments' || k === 'leadingComments' || k === 'trailingComments') continue;
      const child = node[k];
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i--) {
          if (child[i] && typeof child[i].type === 'string') {
            nodes.push(child[i]);
            parents.push(node);
            keys.push(k);
          }
        }
      } else if (child && typeof child.type === 'string') {
        nodes.push(child);
        parents.push(node);
        keys.push(k);
      }
    }
  }
}

/**
 * Every statement list of `roots`: `roots` itself, nested blocks and switch cases; with `skipFunctions`, not those
 * inside nested functions.
 */
export function statementLists(roots: Node[], skipFunctions = false): Node[][] {
  const lists: Node[][] = [roots];
  for (const root of roots)
    walk(
      root,
      (node) => {
        if (node.type === 'BlockStatement' || node.type === 'Program') lists.push(node.body);
        if (node.type === 'SwitchCase') lists.push(node.consequent);
      },
      skipFunctions,
    );
  return lists;
}

/** Puts `replacement` wherever `parent` holds `child`: in a property, or as an item of a list (changed in place). */
export function replaceChild(parent: Node, child: Node, replacement: Node): void {
  for (const key of Object.keys(parent)) {
    const slot = parent[key];
    if (slot === child) parent[key] = replacement;
    else if (Array.isArray(slot)) for (let i = 0; i < slot.length; i++) if (slot[i] === child) slot[i] = replacement;
  }
}

/** How many identifiers called `name` stand in `root` (declarations and property names included), outside `skip`. */
export function countIdentifiers(root: Node, name: string, skip?: Node): number {
  let count = 0;
  walk(root, (node) => {
    if (node === skip) return false;
    if (node.type === 'Identifier' && node.name === name) count++;
    return undefined;
  });
  return count;
}

export function isFunction(node: Node): boolean {
  return (
    node?.type === 'FunctionDeclaration' ||
    node?.type === 'FunctionExpression' ||
    node?.type === 'ArrowFunctionExpression' ||
    node?.type === 'ObjectMethod' ||
    node?.type === 'ClassMethod' ||
    node?.type === 'ClassPrivateMethod'
  );
}

/**
 * Whether function `fn` reads its own `arguments`, or its own `this` (a function expression's: an arrow's is the
 * enclosing one's): code moved out of it would read another's. An arrow inside sees fn's; another function has its own.
 */
export function usesOwnThisOrArguments(fn: Node): boolean {
  let found = false;
  walk(fn.body, (node) => {
    if (node.type === 'Identifier' && node.name === 'arguments') found = true;
    if (node.type === 'ThisExpression' && fn.type === 'FunctionExpression') found = true;
    if (node !== fn.body && isFunction(node) && node.type !== 'ArrowFunctionExpression') return false;
  });
  return found;
}

/** Every variable name bound or referenced below `root` (not property names): fresh names avoid all of them. */
export function namesIn(root: Node): Set<string> {
  const names = new Set<string>();
  walk(root, (n, parent, key) => {
    if (n.type !== 'Identifier' && n.type !== 'JSXIdentifier') return;
    const isProperty =
      ((parent?.type === 'MemberExpression' || parent?.type === 'OptionalMemberExpression') && key === 'property' && !parent.computed) ||
      ((parent?.type === 'ObjectProperty' || parent?.type === 'ObjectMethod') && key === 'key' && !parent.computed && !parent.shorthand);
    if (!isProperty) names.add(n.name);
  });
  return names;
}

/** `x-signature` → `xSignature`: a readable local name for a header or cookie. */
export function camelName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z_$]+/, '');
  return name || 'value';
}

export function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/**
 * Gives out names for code written into `fn` (a twin's body): fresh in the module (`taken`) and in `fn`, except
 * `replaced`, the parameter the first of them takes the place of (`req` → `request`).
 */
export function freshNamerFor(fn: Node, taken: Iterable<string>, replaced: string): (base: string) => string {
  const names = new Set([...taken, ...namesIn(fn)]);
  names.delete(replaced);
  return (base) => freshName(base, names);
}

/** Parentheses and TypeScript-only wrappers: `(x)`, `x as T`, `x!`, `<T>x`, `x satisfies T`. */
const WRAPPER_TYPES = new Set(['TSAsExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TSSatisfiesExpression', 'ParenthesizedExpression']);

/** Strips parentheses and TypeScript-only wrappers (`x as T`, `x!`, `<T>x`, `x satisfies T`). */
export function unwrap(node: Node): Node {
  let n = node;
  while (n && WRAPPER_TYPES.has(n.type)) n = n.expression;
  return n;
}

/**
 * unwrap going up: `node`, or the outermost wrapper around it, and the index in `ancestors` (root down to the node's
 * parent) of what holds that (`(ctx as any).req` → the member).
 */
export function pastWrappers(node: Node, ancestors: Node[]): { node: Node; at: number } {
  let at = ancestors.length - 1;
  let n = node;
  while (at >= 0 && WRAPPER_TYPES.has(ancestors[at].type) && ancestors[at].expression === n) n = ancestors[at--];
  return { node: n, at };
}

/** `a.b` or `a?.b`. */
export const isMember = (node: Node | undefined | null): boolean => node?.type === 'MemberExpression' || node?.type === 'OptionalMemberExpression';

/** Whether `node` is one of the wrappers `unwrap` strips (parentheses, `as`, `!`, `<T>`, `satisfies`). */
export function isWrapper(node: Node): boolean {
  return unwrap(node) !== node;
}

/** The static name of a member access: `a.b` and `a['b']` give 'b'; computed non-literal keys give null. */
export function memberName(node: Node): string | null {
  if (node?.type !== 'MemberExpression' && node?.type !== 'OptionalMemberExpression') return null;
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  if (node.computed && (node.property.type === 'StringLiteral' || node.property.type === 'Literal') && typeof node.property.value === 'string') {
    return node.property.value;
  }
  return null;
}

/** The function `node` is (parentheses and casts aside): an arrow, a function expression or a declaration; or null. */
export function functionOf(node: Node): Node | null {
  const n = node && unwrap(node);
  return n && (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration') ? n : null;
}

/** A callee as a reader would name it in a report (`getSession`, `stripe.webhooks.constructEvent`), or null. */
export function calleeLabel(node: Node): string | null {
  const callee = unwrap(node);
  if (callee?.type === 'Identifier') return callee.name;
  const name = memberName(callee);
  if (name === null) return null;
  const object = calleeLabel(callee.object);
  return object ? `${object}.${name}` : name;
}

/** What a report says of a value passed on: `req is passed to getSession()`, or `… to a function` when unnamed. */
export function passedTo(what: string, call: Node): string {
  const label = calleeLabel(call.callee);
  return `${what} is passed to ${label ? `${label}()` : 'a function'}`;
}

export function isIdent(node: Node, name?: string): boolean {
  return node?.type === 'Identifier' && (name === undefined || node.name === name);
}

export function stringValue(node: Node): string | null {
  const n = unwrap(node);
  if (n?.type === 'StringLiteral' || (n?.type === 'Literal' && typeof n.value === 'string')) return n.value;
  if (n?.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked;
  return null;
}

/** An expression that is a string whatever the values: literals, templates, `'a' + x`, String(x), JSON.stringify(x). */
export function isStringLike(node: Node): boolean {
  const n = unwrap(node);
  if (stringValue(n) !== null || n.type === 'TemplateLiteral') return true;
  if (n.type === 'CallExpression' && (isIdent(n.callee, 'String') || (n.callee.type === 'MemberExpression' && isIdent(n.callee.object, 'JSON') && isIdent(n.callee.property, 'stringify')))) return true;
  return n.type === 'BinaryExpression' && n.operator === '+' && (isStringLike(n.left) || isStringLike(n.right));
}
