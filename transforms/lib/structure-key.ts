/**
 * A text that is equal for two trees exactly when their code is: the JSON of the tree without positions, tokens,
 * comments and parser extras. It gives the same text as `JSON.stringify(node, replacer)` with a replacer dropping
 * those keys, but a replacer function is called for every value of the tree, and this runs once per method of
 * every handler.
 */
const IGNORED = new Set(['loc', 'original', 'tokens', 'start', 'end', 'extra', 'comments']);

function valueKey(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // As JSON.stringify does.
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayKey(value) : objectKey(value as Record<string, unknown>);
    default:
      // undefined, functions and symbols: left out of objects, null in arrays.
      return undefined;
  }
}

function arrayKey(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += `${i ? ',' : ''}${valueKey(items[i]) ?? 'null'}`;
  return `${out}]`;
}

function objectKey(node: Record<string, unknown>): string {
  let out = '{';
  let first = true;
  for (const key of Object.keys(node)) {
    if (IGNORED.has(key)) continue;
    const text = valueKey(node[key]);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

export function structureKey(node: unknown): string {
  return valueKey(node) ?? '';
}
