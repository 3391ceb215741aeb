import type { ParserPlugin } from '@babel/parser';

// Apart from ast.ts: the output check needs the plugins without the transform's parser stack.

const COMMON_PLUGINS: ParserPlugin[] = [
  'decorators-legacy',
  'classProperties',
  'classPrivateProperties',
  'classPrivateMethods',
  'topLevelAwait',
  'importAttributes',
];

export type Language = 'ts' | 'tsx' | 'js';

export function languageOf(path: string): Language {
  return /\.(ts|mts|cts)$/.test(path) ? 'ts' : /\.tsx$/.test(path) ? 'tsx' : 'js';
}

export function pluginsOf(language: Language): ParserPlugin[] {
  const plugins: ParserPlugin[] = [...COMMON_PLUGINS];
  if (language === 'ts') plugins.push('typescript');
  else if (language === 'tsx') plugins.push('typescript', 'jsx');
  else plugins.push('jsx');
  return plugins;
}

/** The @babel/parser plugins for a file's language. */
export function pluginsFor(path: string): ParserPlugin[] {
  return pluginsOf(languageOf(path));
}

