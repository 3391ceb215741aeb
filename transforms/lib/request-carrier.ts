/**
 * Project functions that take the Pages req and res inside one object parameter instead of one parameter each:
 *
 *     export default async function verifyUser({ req, res }: Props) { … }   // verifyUser({ req, res })
 *     export async function verifyToken(ctx: { req: NextApiRequest }) { … ctx.req.headers … }   // verifyToken({ req })
 *
 * The twins of guards and request helpers are written for positional parameters (guard-helpers.ts,
 * request-helper.ts). flattenCarrier turns such a parameter of a copy into those positional parameters (`req, res`
 * where the object stood, or `req` alone), so that the twin is made exactly as for `verifyUser(req, res)`: it takes
 * the App Router request where the object stood. A call passes the object `{ req, res }` with exactly those keys,
 * holding the handler's own req and res (carriedArgs); the route's call of the twin passes the request there.
 */
import { freshName, isIdent, memberName, namesIn, replaceChild, unwrap, type Node } from './ast.js';
import { referencesTo } from './scope.js';

export type CarriedKey = 'req' | 'res';

export interface Carrier {
  /** The object parameter's position, where the positional parameters now stand (req first). */
  at: number;
  /** The keys the object carries, in the order of the positional parameters. */
  keys: CarriedKey[];
}

/** `{ req, res }` (also `{ req: request }`): the keys of an object pattern whose values are plain names, or null. */
function patternKeys(pattern: Node): Map<CarriedKey, string> | null {
  const out = new Map<CarriedKey, string>();
  for (const p of pattern.properties) {
    if (p.type !== 'ObjectProperty' || p.computed || !isIdent(p.key) || (p.key.name !== 'req' && p.key.name !== 'res') || p.value.type !== 'Identifier') return null;
    out.set(p.key.name, p.value.name);
  }
  return out;
}

/** Whether `above` assigns or deletes `member`. */
function writes(above: Node | undefined, member: Node): boolean {
  if (above?.type === 'AssignmentExpression') return above.left === member;
  return above?.type === 'UpdateExpression' || (above?.type === 'UnaryExpression' && above.operator === 'delete');
}

/**
 * Rewrites the object parameter of `fn` (a copy: changed in place) that carries `wanted` (and maybe the other of req
 * and res) into positional parameters; null, with `fn` unchanged, when it has none. A named parameter (`ctx`) counts
 * when every use of it is `ctx.req` or `ctx.res`: those reads become the positional names. Only one such parameter,
 * and not when another parameter is already the request or response itself (`isReq`/`isRes`): which one a call
 * passes would be a guess.
 */
export function flattenCarrier(fn: Node, wanted: CarriedKey, isPositional: (param: Node) => boolean): Carrier | null {
  if (fn.params.some(isPositional) || fn.body?.type !== 'BlockStatement') return null;
  const found: Array<{ at: number; names: Map<CarriedKey, string>; ctx?: string }> = [];
  fn.params.forEach((param: Node, at: number) => {
    if (param.type === 'ObjectPattern') {
      const names = patternKeys(param);
      if (names?.has(wanted)) found.push({ at, names });
      return;
    }
    if (param.type !== 'Identifier') return;
    const refs = referencesTo([fn.body], param.name);
    const parts = refs.map((ref) => (ref.key === 'object' && !ref.parent.computed ? memberName(ref.parent) : null));
    if (!refs.length || !parts.every((part) => part === 'req' || part === 'res') || !parts.includes(wanted)) return;
    // `ctx.req = …` would set the caller's object, which the twin no longer has.
    if (refs.some((ref) => writes(ref.ancestors[ref.ancestors.length - 2], ref.parent))) return;
    const taken = namesIn(fn);
    const names = new Map<CarriedKey, string>();
    for (const key of ['req', 'res'] as const) {
      if (!parts.includes(key)) continue;
      const name = freshName(key, taken);
      taken.add(name);
      names.set(key, name);
    }
    found.push({ at, names, ctx: param.name });
  });
  if (found.length !== 1) return null;
  const [{ at, names, ctx }] = found;
  if (ctx) {
    for (const ref of referencesTo([fn.body], ctx)) {
      const key = memberName(ref.parent) as CarriedKey;
      replaceChild(ref.ancestors[ref.ancestors.length - 2], ref.parent, { type: 'Identifier', name: names.get(key)! });
    }
  }
  const keys = (['req', 'res'] as const).filter((key) => names.has(key));
  fn.params.splice(at, 1, ...keys.map((key) => ({ type: 'Identifier', name: names.get(key)! })));
  return { at, keys };
}

/**
 * The handler's own req and res as the call passes them in the object at `at` (`verifyUser({ req, res })`), or null
 * when the argument is not an object of exactly `keys` with plain names as values (`{ req, res, id }`, `{ ...ctx }`).
 * The caller checks that the names are the handler's bindings.
 */
export function carriedArgs(call: Node, at: number, keys: CarriedKey[]): Partial<Record<CarriedKey, Node>> | null {
  if (call.arguments.some((a: Node) => a.type === 'SpreadElement')) return null;
  const object = call.arguments[at] && unwrap(call.arguments[at]);
  if (object?.type !== 'ObjectExpression' || object.properties.length !== keys.length) return null;
  const out: Partial<Record<CarriedKey, Node>> = {};
  for (const key of keys) {
    const prop = object.properties.find((p: Node) => p.type === 'ObjectProperty' && !p.computed && isIdent(p.key, key));
    if (!prop || !isIdent(unwrap(prop.value))) return null;
    out[key] = unwrap(prop.value);
  }
  return out;
}

/**
 * A cheap look before flattenCarrier's copy: a parameter `{ req, … }`, or a named one whose `name.req` (or `name.res`)
 * the body reads.
 */
export function mayCarry(fn: Node, key: CarriedKey, bodyText: string): boolean {
  return fn.params.some((p: Node) => (p.type === 'ObjectPattern' && p.properties.some((prop: Node) => prop.type === 'ObjectProperty' && isIdent(prop.key, key))) || (p.type === 'Identifier' && bodyText.includes(`${p.name}.${key}`)));
}
