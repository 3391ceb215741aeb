import type { JSCodeshift } from 'jscodeshift';
import type { Node } from './ast.js';

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

export function printProgram(j: JSCodeshift, program: Node, source: string): string {
  const style = styleOf(source);
  let code = j(program).toSource({ ...style, lineTerminator: '\n' });
  if (style.useTabs) code = indentWithTabs(j, code, style.tabWidth);
  return separateImports(code.endsWith('\n') ? code : `${code}\n`);
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
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^\uFEFF/, '');
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
