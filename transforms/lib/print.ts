import type { JSCodeshift } from 'jscodeshift';
import type { Node } from './ast.js';

/** The source's own style for the code the tool writes: quote kind and indentation. */
function styleOf(source: string): { quote: 'single' | 'double'; tabWidth: number; useTabs: boolean } {
  const singles = (source.match(/'/g) ?? []).length;
  const doubles = (source.match(/"/g) ?? []).length;
  const indents = source.match(/^[ \t]+(?=\S)/gm) ?? [];
  const useTabs = indents.filter((i) => i.startsWith('\t')).length > indents.length / 2;
  const spaceIndents = indents.filter((i) => !i.includes('\t')).map((i) => i.length);
  const tabWidth = spaceIndents.length && Math.min(...spaceIndents) >= 4 ? 4 : 2;
  return { quote: doubles > singles ? 'double' : 'single', tabWidth, useTabs };
}

export function printProgram(j: JSCodeshift, program: Node, source: string): string {
  const code = j(program).toSource({ ...styleOf(source), lineTerminator: '\n' });
  return separateImports(code.endsWith('\n') ? code : `${code}\n`);
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
