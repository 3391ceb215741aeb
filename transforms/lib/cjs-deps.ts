/**
 * The parser stack (@babel/parser, and jscodeshift, which brings recast), loaded with require on first use.
 * - require, not an ES `import`: importing a CommonJS package makes Node scan its source for named exports first,
 *   and for these packages that scan cost more than loading them, in every worker thread of the pool.
 * - On first use: the main thread imports modules that need a parser only for some apps (a re-export to follow,
 *   an export to move), and should not pay for it otherwise.
 */
import { createRequire } from 'node:module';
import type { JSCodeshift } from 'jscodeshift';

const require = createRequire(import.meta.url);

type BabelParser = typeof import('@babel/parser');
let babelParser: BabelParser | undefined;
let jscodeshift: JSCodeshift | undefined;

export function loadBabelParser(): BabelParser {
  return (babelParser ??= require('@babel/parser') as BabelParser);
}

export function loadJscodeshift(): JSCodeshift {
  return (jscodeshift ??= require('jscodeshift') as JSCodeshift);
}
