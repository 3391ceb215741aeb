import type { JSCodeshift } from 'jscodeshift';
import { apiFor, styleOf, Snippets, type Node } from './ast.js';

/** A BOM and CRLF line endings are taken off for the transform and put back on its output, as the source had them. */
export interface SourceText {
  text: string;
  restore: (output: string) => string;
}

export function normalizeSource(raw: string): SourceText {
  const bom = raw.startsWith('\uFEFF');
  const crlf = raw.includes('\r\n');
  const text = (bom ? raw.slice(1) : raw).replace(/\r\n/g, '\n');
  return {
    text,
    restore: (output) => {
      const lines = crlf ? output.replace(/\n/g, '\r\n') : output;
      return bom ? `\uFEFF${lines}` : lines;
    },
  };
}

/** A file ready for a transform: its text normalized, the parser API for its language, snippets in its style. */
export interface OpenedSource {
  source: SourceText;
  j: JSCodeshift;
  snip: Snippets;
}

export interface ParsedSource extends OpenedSource {
  program: Node;
}

/** What every transform starts with, before it parses (`path` decides the language: the module's, or the route's). */
export function openSource(raw: string, path: string): OpenedSource {
  const source = normalizeSource(raw);
  return { source, j: apiFor(path), snip: new Snippets(path, styleOf(source.text)) };
}

const programOf = ({ j, source }: OpenedSource): Node => j(source.text).get().node.program;

/** openSource and the program of the normalized text. Throws what the parser throws on a syntax error. */
export function parseSource(raw: string, path: string): ParsedSource {
  const opened = openSource(raw, path);
  return { ...opened, program: programOf(opened) };
}

/** parseSource, or null for a text that does not parse (then the file is not what the caller looks for). */
export function parseSourceOrNull(raw: string, path: string): ParsedSource | null {
  const opened = openSource(raw, path);
  try {
    return { ...opened, program: programOf(opened) };
  } catch {
    return null;
  }
}
