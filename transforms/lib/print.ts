import type { JSCodeshift } from 'jscodeshift';
import { loadBabelParser } from './cjs-deps.js';
import { pluginsFor, walk, type Node } from './ast.js';

/** The source's own style for the code the tool writes: quote kind and indentation. */
function styleOf(source: string): { quote: 'single' | 'double'; tabWidth: number; useTabs: boolean } {
  const singles = (source.match(/'/g) ?? []).length;
  const doubles = (source.match(/"/g) ?? []).length;
  const indents = source.match(/^[ \t]+(?=\S)/gm) ?? [];
  const useTabs = indents.filter((i) => i.startsWith('\t')).length > indents.length / 2;
  const spaceIndents = indents.filter((i) => !i.includes('\t')).map((i) => i.length);
  // With tabs, one level of the code the tool adds is 4 spaces, which indentWithTabs turns into one tab.
  const tabWidth = useTabs || (spaceIndents.length && Math.min(...spaceIndents) >= 4) ? 4 : 2;
  return { quote: doubles > singles ? 'double' : 'single', tabWidth, useTabs };
}

/**
 * An arrow written with one bare parameter (`req => …`) whose parameters the rewrite changed so that they need
 * parentheses (`request: NextRequest`, two of them): recast would write the new parameter where the old one stood,
 * without them, which does not parse. `original: null` has recast print the arrow anew (its body still as written).
 */
function parenthesizeArrows(program: Node): void {
  const bare = (params: Node[]) => params.length === 1 && params[0].type === 'Identifier' && !params[0].typeAnnotation;
  walk(program, (node) => {
    const before = node.type === 'ArrowFunctionExpression' ? node.original : null;
    if (before && bare(before.params) && !before.returnType && !before.typeParameters && !bare(node.params)) node.original = null;
  });
}

export function printProgram(j: JSCodeshift, program: Node, source: string, path: string): string {
  parenthesizeArrows(program);
  const style = styleOf(source);
  let code = j(program).toSource({ ...style, lineTerminator: '\n' });
  if (style.useTabs) code = indentWithTabs(j, code, style.tabWidth);
  return restoreTemplateText(separateImports(headerOnTop(code.endsWith('\n') ? code : `${code}\n`, source)), source, path);
}

/** Comment lines that open the file, before any code. */
const HEADER = /^\uFEFF?(?:[ \t]*(?:\/\/[^\n]*|\/\*[\s\S]*?\*\/)[ \t]*\n)+/;
/** Comments about the file as a whole: a blank line parts them from the code, or they say what a licence says. */
const ABOUT_FILE = /copyright|licen[cs]e|spdx|@file|@module/i;
/** Comments about the next line, which must stay right above it. */
const ABOUT_NEXT_LINE = /@ts-|eslint-disable|prettier-ignore|istanbul|c8 ignore|biome-ignore/;
/** Only import declarations (each on one line or several). */
const IMPORTS_ONLY = /^(?:\s*import\b[^;]*?\bfrom\s*(['"])[^'"\n]*\1;?[ \t]*|\s*import\s*(['"])[^'"\n]*\2;?[ \t]*)*\s*$/;

/**
 * The file's header comment stays on top. recast keeps it with the statement it was attached to, and the imports the
 * tool adds at the top of the file (next/server) then come above it.
 */
function headerOnTop(code: string, source: string): string {
  const match = HEADER.exec(source);
  const header = match?.[0].replace(/^\uFEFF/, '');
  if (!match || !header || code.startsWith(header) || ABOUT_NEXT_LINE.test(header)) return code;
  if (!/^[ \t]*\n/.test(source.slice(match[0].length)) && !ABOUT_FILE.test(header)) return code;
  const at = code.indexOf(header);
  if (at <= 0 || !IMPORTS_ONLY.test(code.slice(0, at))) return code;
  const rest = code.slice(at + header.length);
  const imports = code.slice(0, at).replace(/^\s+/, '').replace(/\s+$/, '\n');
  return header + imports + (/^import[\s{*'"]/.test(rest) ? '' : '\n') + rest;
}

type Chunk = { raw: string; start: number; end: number };

/** The text chunks of each template literal that has a line break in its text, in the order of the code. */
function multiLineTemplates(code: string, path: string): Chunk[][] {
  const templates: Chunk[][] = [];
  const visit = (node: Node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (node.type === 'TemplateLiteral' && node.quasis.some((q: Node) => q.value.raw.includes('\n'))) {
      templates.push(node.quasis.map((q: Node) => ({ raw: q.value.raw, start: q.start, end: q.end })));
    }
    for (const key of Object.keys(node)) if (key !== 'loc' && key !== 'extra') visit(node[key]);
  };
  visit(loadBabelParser().parse(code, { sourceType: 'module', plugins: pluginsFor(path), errorRecovery: true }).program);
  return templates;
}

/** A template's text with the indentation of its lines left out: what recast's re-indenting cannot change. */
const shape = (template: Chunk[]) => template.map((chunk) => chunk.raw.split('\n').map((line, i) => (i === 0 ? line : line.trimStart())).join('\n')).join('\u0000');

/** Templates grouped by their shape, each group in the order of the code. */
function byShape(templates: Chunk[][]): Map<string, Chunk[][]> {
  const groups = new Map<string, Chunk[][]>();
  for (const template of templates) {
    const key = shape(template);
    groups.set(key, [...(groups.get(key) ?? []), template]);
  }
  return groups;
}

/**
 * recast re-indents the text it reuses when code moves to another depth, and inside a multi-line template literal
 * that text is the string's value (also the spaces before a `${` that starts a line). Every such template in the
 * output gets back the source's text, byte for byte: the one of the same shape, or, where several of the source's
 * have that shape and differ, the one at the same place among them (when the output has as many: code the split by
 * method copied has no place of its own, and is left as printed).
 */
function restoreTemplateText(code: string, source: string, path: string): string {
  // A template chunk that spans lines has a line break between two backticks that follow each other in the text
  // (its own, or those of a template nested in it). Without one, the two parses below would find nothing.
  if (!/`[^`]*\n[^`]*`/.test(source)) return code;
  const originals = byShape(multiLineTemplates(source, path));
  if (!originals.size) return code;
  const printed = byShape(multiLineTemplates(code, path));
  const replacements: Array<{ chunk: Chunk; raw: string }> = [];
  for (const [key, outputs] of printed) {
    const sources = originals.get(key);
    if (!sources) continue;
    const same = sources.every((t) => t.every((chunk, i) => chunk.raw === sources[0][i].raw));
    if (!same && sources.length !== outputs.length) continue;
    outputs.forEach((template, k) => template.forEach((chunk, i) => replacements.push({ chunk, raw: (same ? sources[0] : sources[k])[i].raw })));
  }
  let out = code;
  for (const { chunk, raw } of replacements.sort((a, b) => b.chunk.start - a.chunk.start)) {
    if (raw !== chunk.raw) out = out.slice(0, chunk.start) + raw + out.slice(chunk.end);
  }
  return out;
}

/**
 * recast prints the code the tool adds with spaces even when told to use tabs (it keeps the indentation of the
 * snippets the transform builds from text). In a tab-indented source those lines get tabs here. A line that starts
 * inside a multi-line token (template literal, block comment, JSX text) is content, and stays as it is.
 */
function indentWithTabs(j: JSCodeshift, code: string, tabWidth: number): string {
  type Token = { loc?: { start: { line: number }; end: { line: number } } };
  let tokens: Token[];
  try {
    tokens = j(code).get().node.tokens ?? [];
  } catch {
    return code;
  }
  // Lines, not offsets: recast parses a copy of the text with tabs expanded, so token offsets do not match `code`.
  const content = new Set<number>();
  for (const { loc } of tokens) if (loc) for (let line = loc.start.line + 1; line <= loc.end.line; line++) content.add(line);
  return code
    .split('\n')
    .map((line, i) => {
      const spaces = /^ +/.exec(line)?.[0].length ?? 0;
      if (spaces === 0 || content.has(i + 1)) return line;
      return `${'\t'.repeat(Math.floor(spaces / tabWidth))}${' '.repeat(spaces % tabWidth)}${line.slice(spaces)}`;
    })
    .join('\n');
}

/** One blank line after the import block: imports the tool added are printed as new code, without one. */
function separateImports(code: string): string {
  const lines = code.split('\n');
  let end = -1;
  let inImport = false;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^\uFEFF/, '');
    // A block comment above the imports (a file header) may have lines that start with anything.
    if (!inImport && (inComment || /^\s*\/\*/.test(line))) {
      inComment = !line.includes('*/');
      continue;
    }
    if (!inImport && /^import[\s{*'"]/.test(line)) inImport = true;
    else if (!inImport && line.trim() !== '' && !/^\s*(\/\/|\/\*|\*)/.test(line)) break;
    if (inImport && (/from\s*['"][^'"]*['"]\s*;?\s*$/.test(line) || /^import\s*['"][^'"]*['"]\s*;?\s*$/.test(line))) {
      inImport = false;
      end = i;
    }
  }
  if (end >= 0 && end + 1 < lines.length && lines[end + 1].trim() !== '') lines.splice(end + 1, 0, '');
  // The compat import joins the block it follows.
  for (let i = 1; i < end; i++) if (lines[i].trim() === '' && /_migrate\/pages-compat['"]/.test(lines[i + 1] ?? '')) lines.splice(i, 1);
  return lines.join('\n');
}
