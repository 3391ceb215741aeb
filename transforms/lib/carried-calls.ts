/**
 * Why a call of a guard or request helper that takes req (and res) in one object (`verifyUser({ req, res })`,
 * request-carrier.ts) was not given its twin: the route is left where the request or response rewrite stops at the
 * object, and the report says what about the call kept it (the generic "req is passed to verifyUser() in an object"
 * would not tell that the helper has a route-handler version).
 */
import { isIdent, walk, type Node } from './ast.js';
import { carriedArgs, type CarriedKey } from './request-carrier.js';
import type { ImportedHelper } from '../types.js';

export interface CarriedCallLeft {
  /** The call's first and last lines. */
  lines: [number, number];
  callee: string;
  detail: string;
}

/** The keys a call passes in the object: `{ req, res }` for a guard that takes the request, `{ req }` for a request helper. */
function keysOf(helper: ImportedHelper): CarriedKey[] {
  if (helper.kind === 'request') return ['req'];
  return helper.reqIndex !== undefined && helper.reqIndex >= 0 ? ['req', 'res'] : ['res'];
}

/** The calls of `helpers` (by the names the file imports them under) still in `body` after the twins' calls were made. */
export function carriedCallsLeft(body: Node[], helpers: Map<string, ImportedHelper>, names: { req: string; res: string }): CarriedCallLeft[] {
  const carried = new Map([...helpers].filter(([, h]) => h.carried && (h.kind === 'guard' || h.kind === 'request')));
  const out: CarriedCallLeft[] = [];
  if (!carried.size) return out;
  walk({ type: 'BlockStatement', body }, (node) => {
    const helper = node.type === 'CallExpression' && isIdent(node.callee) ? carried.get(node.callee.name) : undefined;
    if (!helper || !node.loc) return;
    const keys = keysOf(helper);
    const args = carriedArgs(node, helper.resIndex, keys);
    const own = args !== null && keys.every((key) => isIdent(args[key], names[key]));
    const object = `{ ${keys.join(', ')} }`;
    const why = !own
      ? `its route-handler version ${helper.twin}() takes the request where the object stood, and this call's object is not exactly ${object} of the handler's own`
      : `its route-handler version ${helper.twin}() is called only where the value is checked at once (\`const x = await ${node.callee.name}(${object}); if (!x) return;\` or \`if (!(await ${node.callee.name}(${object}))) return;\`, or such a return of a send whose arguments run nothing)`;
    out.push({ lines: [node.loc.start.line, node.loc.end.line], callee: node.callee.name, detail: why });
  });
  return out;
}

/** The report's detail for an escape at the req or res of such a call, or undefined. */
export function carriedCallReason(escape: { line?: number; detail: string }, left: CarriedCallLeft[]): string | undefined {
  const callee = /^(?:req|res) is passed to ([\w$]+)\(\)(?: in an object)?$/.exec(escape.detail)?.[1];
  if (!callee || escape.line === undefined) return undefined;
  const call = left.find((c) => c.callee === callee && c.lines[0] <= escape.line! && escape.line! <= c.lines[1]);
  return call ? `${escape.detail}: ${call.detail}` : undefined;
}
