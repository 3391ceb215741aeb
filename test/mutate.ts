/**
 * Mutations for the fuzz tests: drop, duplicate and swap tokens and statements (found by Babel, so that the damage
 * looks like real editing mistakes), lines, and for whole files the bytes (truncation, NUL, CRLF, BOM, Latin-1).
 * Deterministic: the same seed gives the same cases.
 */
import * as babel from '@babel/parser';

/** A number in [0, n). */
export type Random = (n: number) => number;

/** Mulberry32: small and well mixed in every bit (the low bits of a plain LCG repeat after a few draws). */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A piece of the source by offsets; `kind` is Babel's token type (name, string, num, …) for tokens. */
type Span = { start: number; end: number; kind?: string };

interface Pieces {
  tokens: Span[];
  statements: Span[];
}

const piecesCache = new Map<string, Pieces>();

/** Tokens and statements of `source`, by their offsets; parsed once per source. */
function piecesOf(source: string, typescript: boolean): Pieces {
  const cached = piecesCache.get(source);
  if (cached) return cached;
  let ast: ReturnType<typeof babel.parse>;
  try {
    ast = babel.parse(source, { sourceType: 'module', tokens: true, errorRecovery: true, plugins: typescript ? ['typescript'] : ['jsx'] });
  } catch {
    // A source Babel cannot parse at all (a fixture of a syntax error): words and symbols as tokens, no statements.
    const words = [...source.matchAll(/[A-Za-z_$][\w$]*|\d+|\S/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    piecesCache.set(source, { tokens: words, statements: [] });
    return { tokens: words, statements: [] };
  }
  const tokens = (ast.tokens ?? []).filter((t) => t.end > t.start).map((t) => ({ start: t.start, end: t.end, kind: String(t.type?.label ?? t.type) }));
  const statements: Span[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; start?: number; end?: number } & Record<string, unknown>;
    if (typeof n.type === 'string' && /(Statement|Declaration)$/.test(n.type) && typeof n.start === 'number' && typeof n.end === 'number') {
      statements.push({ start: n.start, end: n.end });
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'leadingComments' && key !== 'trailingComments') visit(value);
  };
  visit(ast.program);
  const pieces = { tokens, statements };
  piecesCache.set(source, pieces);
  return pieces;
}

const cut = (s: string, span: Span) => s.slice(0, span.start) + s.slice(span.end);
const text = (s: string, span: Span) => s.slice(span.start, span.end);

/** Two spans that do not overlap, in order; undefined when the list has none. */
function twoApart(spans: Span[], pick: Random): [Span, Span] | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const [a, b] = [spans[pick(spans.length)], spans[pick(spans.length)]].sort((x, y) => x.start - y.start);
    if (a && b && a.end <= b.start) return [a, b];
  }
  return undefined;
}

function swap(s: string, pair: [Span, Span] | undefined): string {
  if (!pair) return s;
  const [a, b] = pair;
  return s.slice(0, a.start) + text(s, b) + s.slice(a.end, b.start) + text(s, a) + s.slice(b.end);
}

export const MUTATIONS = ['drop token', 'duplicate token', 'swap tokens', 'drop statement', 'duplicate statement', 'swap statements', 'drop line', 'duplicate line'] as const;

/** One mutation of `source`, chosen by `pick`; returns its name and the mutated text. */
export function mutate(source: string, typescript: boolean, pick: Random): { mutation: string; text: string } {
  const { tokens, statements } = piecesOf(source, typescript);
  const mutation = MUTATIONS[pick(MUTATIONS.length)];
  const token = tokens[pick(tokens.length)];
  const statement = statements[pick(statements.length)];
  const lines = source.split('\n');
  switch (mutation) {
    case 'drop token':
      return { mutation, text: token ? cut(source, token) : source };
    case 'duplicate token':
      return { mutation, text: token ? `${source.slice(0, token.end)} ${text(source, token)}${source.slice(token.end)}` : source };
    case 'swap tokens':
      // Two tokens of one kind ('GET' and 'POST', req and res, 200 and 405): the result often still parses, and
      // then means something else, which reaches deeper into the transform than a syntax error does.
      return { mutation, text: swap(source, token ? twoApart(tokens.filter((t) => t.kind === token.kind), pick) : undefined) };
    case 'drop statement':
      return { mutation, text: statement ? cut(source, statement) : source };
    case 'duplicate statement':
      return { mutation, text: statement ? `${source.slice(0, statement.end)}\n${text(source, statement)}${source.slice(statement.end)}` : source };
    case 'swap statements':
      return { mutation, text: swap(source, twoApart(statements, pick)) };
    case 'drop line':
      lines.splice(pick(lines.length), 1);
      return { mutation, text: lines.join('\n') };
    default:
      lines.splice(pick(lines.length), 0, lines[pick(lines.length)]);
      return { mutation, text: lines.join('\n') };
  }
}

export const BYTE_DAMAGE = ['truncate', 'NUL byte', 'CRLF', 'BOM', 'CRLF and BOM', 'Latin-1 byte', 'empty'] as const;

/** Damage to a whole file's bytes, as disks, editors and bad merges do it. */
export function damageBytes(content: string, pick: Random): { damage: string; bytes: Buffer } {
  const bytes = Buffer.from(content, 'utf8');
  const at = pick(bytes.length + 1);
  const damage = BYTE_DAMAGE[pick(BYTE_DAMAGE.length)];
  switch (damage) {
    case 'truncate':
      return { damage, bytes: bytes.subarray(0, at) };
    case 'NUL byte':
      return { damage, bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]) };
    case 'CRLF':
      return { damage, bytes: Buffer.from(content.replace(/\n/g, '\r\n'), 'utf8') };
    case 'BOM':
      return { damage, bytes: Buffer.from(`\uFEFF${content}`, 'utf8') };
    case 'CRLF and BOM':
      return { damage, bytes: Buffer.from(`\uFEFF${content.replace(/\n/g, '\r\n')}`, 'utf8') };
    case 'Latin-1 byte':
      return { damage, bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at)]) };
    default:
      return { damage, bytes: Buffer.alloc(0) };
  }
}
