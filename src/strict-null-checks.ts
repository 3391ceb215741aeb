/**
 * Next.js 14, 15 and 16 edit tsconfig.json on their first build or dev run once app/ sits beside pages/: where the
 * config sets neither `strict` nor `strictNullChecks`, they set `strictNullChecks: true`. An app that type-checked
 * without it can then fail `next build` on code the migration never touched (`'adminDb' is possibly 'null'` in a
 * page). So the run writes the value in effect, `strictNullChecks: false`: the compiler options stay what they were,
 * the report says why, and turning the check on stays the app's own step. Reads the disk, never writes it.
 */
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { blankJsoncComments, parseJsonc } from './resolver.js';

interface CompilerOptions {
  strict?: unknown;
  strictNullChecks?: unknown;
}
interface TsConfig {
  extends?: unknown;
  compilerOptions?: CompilerOptions;
}

export const STRICT_NULL_CHECKS_NOTE =
  'strictNullChecks: false, the value in effect, is now written: Next.js sets it to true on its first build once app/ sits beside pages/, and code that type-checked without it could fail the build';

function parseConfig(text: string): TsConfig | null {
  try {
    const config = parseJsonc(text);
    return config && typeof config === 'object' ? (config as TsConfig) : null;
  } catch {
    return null;
  }
}

function readConfig(file: string): TsConfig | null {
  try {
    return parseConfig(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The options `file` gets from the configs it extends, nearest last; null when one of them cannot be read (a package
 * the tool does not look into), since then what is in effect is not known.
 */
function inherited(file: string, config: TsConfig, depth = 0): CompilerOptions[] | null {
  if (config.extends === undefined) return [];
  const bases = Array.isArray(config.extends) ? config.extends : [config.extends];
  const options: CompilerOptions[] = [];
  for (const base of bases) {
    if (typeof base !== 'string' || !base.startsWith('.') || depth > 8) return null;
    const baseFile = path.resolve(path.dirname(file), base.endsWith('.json') ? base : `${base}.json`);
    const baseConfig = readConfig(baseFile);
    const above = baseConfig && inherited(baseFile, baseConfig, depth + 1);
    if (!baseConfig || !above) return null;
    options.push(...above, baseConfig.compilerOptions ?? {});
  }
  return options;
}

/** `text` with `"strictNullChecks": false` added first in compilerOptions (which it adds when there is none). */
function withStrictNullChecksOff(text: string): string | null {
  const masked = blankJsoncComments(text);
  const options = /"compilerOptions"\s*:\s*\{/.exec(masked);
  const open = options ? options.index + options[0].length : masked.indexOf('{') + 1;
  if (open <= 0) return null;
  const entry = options ? '"strictNullChecks": false' : '"compilerOptions": { "strictNullChecks": false }';
  const after = masked.slice(open);
  const empty = /^\s*\}/.test(after);
  // The indent of the next line that holds something (a comment's line is blank in `masked`).
  const line = /^[ \t]*\n(?:[ \t]*\n)*([ \t]*)\S/.exec(after);
  if (line) return `${text.slice(0, open)}\n${line[1]}${entry}${empty ? '' : ','}${text.slice(open)}`;
  return `${text.slice(0, open)} ${entry}${empty ? (after.startsWith('}') ? ' ' : '') : ','}${text.slice(open)}`;
}

/** The change to tsconfig.json that keeps `strictNullChecks` as it is in effect, or null when none is needed. */
export function strictNullChecksUpdate(root: string): { path: string; before: string; content: string } | null {
  const file = path.join(root, 'tsconfig.json');
  let before: string;
  try {
    // The tool never writes through a link (a config shared by several apps would change for all of them).
    if (lstatSync(file).isSymbolicLink()) return null;
    before = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const config = parseConfig(before);
  if (!config) return null;
  const own = config.compilerOptions ?? {};
  if ('strictNullChecks' in own) return null;
  const bases = inherited(file, config);
  if (!bases) return null;
  const chain = [...bases, own];
  const last = (key: keyof CompilerOptions) => chain.reduce<unknown>((value, options) => (key in options ? options[key] : value), undefined);
  // In effect: strictNullChecks as the chain sets it, else what strict says.
  if (last('strictNullChecks') ?? last('strict')) return null;
  const content = withStrictNullChecksOff(before);
  if (content === null) return null;
  // Written only when the result still reads, and says exactly this.
  return parseConfig(content)?.compilerOptions?.strictNullChecks === false ? { path: 'tsconfig.json', before, content } : null;
}
