export interface RouteParam {
  name: string;
  catchAll: boolean;
  optional: boolean;
}

/** Dynamic segments of a route path: `app/api/[id]/[...rest]/route.ts` → id, rest (catch-all). */
export function routeParamsOf(targetPath: string): RouteParam[] {
  const params: RouteParam[] = [];
  for (const segment of targetPath.split('/')) {
    const m = /^\[(\[)?(\.\.\.)?([^\]]+)\]?\]$/.exec(segment);
    if (m) params.push({ name: m[3], catchAll: !!m[2], optional: !!m[1] });
  }
  return params;
}

/**
 * `{ id: string; slug: string[]; rest?: string[] }` for the route's params; a segment name that is not an identifier
 * (`[poll-id]`) as a string key, written by `str` in the file's quotes.
 */
export function paramsTypeCode(params: RouteParam[], str: (value: string) => string): string {
  const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : str(name));
  return `{ ${params.map((p) => `${key(p.name)}${p.optional ? '?' : ''}: ${p.catchAll ? 'string[]' : 'string'}`).join('; ')} }`;
}
