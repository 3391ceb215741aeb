import type { JSCodeshift } from 'jscodeshift';
import * as babel from '@babel/parser';
import { pluginsFor, type Node } from './ast.js';

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

export function printProgram(j: JSCodeshift, program: Node, source: string, path: string): string {
  const code = j(program).toSource({ ...styleOf(source), lineTerminator: '\n' });
  return restoreTemplateText(separateImports(code.endsWith('\n') ? code : `${code}\n`), source, path);
}

/** Each text chunk of a multi-line template literal, by its content with the indentation of its lines left out. */
function templateChunks(code: string, path: string): Array<{ raw: string; start: number; end: number }> {
  const chunks: Array<{ raw: string; start: number; end: number }> = [];
  const visit = (node: Node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if (node.type === 'TemplateElement' && node.value.raw.includes('\n')) chunks.push({ raw: node.value.raw, start: node.start, end: node.end });
    for (const key of Object.keys(node)) if (key !== 'loc' && key !== 'extra') visit(node[key]);
  };
  visit(babel.parse(code, { sourceType: 'module', plugins: pluginsFor(path), errorRecovery: true }).program);
  return chunks;
}

const shape = (raw: string) => raw.split('\n').map((line, i) => (i === 0 ? line : line.trimStart())).join('\n');

/**
 * recast re-indents the text it reuses when code moves to another depth, and inside a multi-line template literal
 * that text is the string's value. Every such chunk in the output gets back the source's text, byte for byte.
 */
function restoreTemplateText(code: string, source: string, path: string): string {
  if (!source.includes('`')) return code;
  const originals = new Map<string, string>();
  for (const chunk of templateChunks(source, path)) if (!originals.has(shape(chunk.raw))) originals.set(shape(chunk.raw), chunk.raw);
  if (!originals.size) return code;
  let out = code;
  for (const chunk of templateChunks(code, path).sort((a, b) => b.start - a.start)) {
    const original = originals.get(shape(chunk.raw));
    if (original !== undefined && original !== chunk.raw) out = out.slice(0, chunk.start) + original + out.slice(chunk.end);
  }
  return out;
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
