/**
 * A JavaScript name inside a regular expression built from text: `$` is a name character there, and a special one in
 * a pattern.
 */

/** `name` with its `$` escaped, to match itself. */
export const escapeName = (name: string): string => name.replace(/\$/g, '\\$');

/**
 * `name` escaped, after a start-of-name boundary: `\b` for a name that starts with a word character, and for one that
 * starts with `$` (`$rateLimit`, where `\b` between a space and `$` never holds) no name character before it.
 */
export const nameAtStart = (name: string): string => `${name.startsWith('$') ? '(?<![\\w$])' : '\\b'}${escapeName(name)}`;

/** `name` as a whole name: no name character before it (see nameAtStart) or after it (`\b` fails after a `$`). */
export const wholeName = (name: string): string => `${nameAtStart(name)}(?![\\w$])`;
