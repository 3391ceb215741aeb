/**
 * The parser stack (@babel/parser, and jscodeshift, which brings recast) loaded with require. An ES `import` of a
 * CommonJS package makes Node scan its source for named exports first; for these packages that scan cost more
 * than loading them, in every worker thread of the pool.
 */
import { createRequire } from 'node:module';
import type { JSCodeshift } from 'jscodeshift';

const require = createRequire(import.meta.url);

export const babelParser: typeof import('@babel/parser') = require('@babel/parser');

/** jscodeshift on first use: the output check needs only the parser. */
export function loadJscodeshift(): JSCodeshift {
  return require('jscodeshift');
}
