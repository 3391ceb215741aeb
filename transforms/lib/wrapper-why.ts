/**
 * Why a project wrapper has no route-handler version, as the reason of a route it wraps says it: route-wrapper.ts's
 * first blocker, followed where that is cheap. A wrapper that returns another one's result
 * (`return withApiMetrics(async (req, res) => …)`) gets that one's blocker too when it is a function of the same
 * module, or the package or module it is imported from; the `(req, res)` function it hands over is checked as if it
 * were returned itself, so that its own blocker shows as well (`req is passed to instrumentApiResponse()`).
 */
import { calleeLabel, cloneNode, isFunction, unwrap, type Node } from './ast.js';
import type { RouteWrapper, WrapperDeclined } from './route-wrapper.js';
import { importSourceOf, isPackageSpecifier } from './imports.js';

/** How far a chain of wrappers returning each other's results is followed. */
const MAX_LINKS = 4;

export interface WrapperLookup {
  /** A top-level function of the module by name (exported or not), or null. */
  functionNamed: (name: string) => Node | null;
  /** route-wrapper.ts on a copy of a function of the module. */
  tryWrapper: (fn: Node) => RouteWrapper | WrapperDeclined;
}

/** `fn` with its returned call replaced by the `(req, res)` function handed to it, or null when it hands none. */
function withHandedFunction(fn: Node, call: Node): Node | null {
  const index = call.arguments.findIndex((a: Node) => isFunction(unwrap(a)) && unwrap(a).params.length === 2);
  if (index < 0) return null;
  const copy = cloneNode(fn);
  const handed = cloneNode(unwrap(call.arguments[index]));
  if (copy.body.type !== 'BlockStatement') copy.body = handed;
  else copy.body.body = [{ type: 'ReturnStatement', argument: handed }];
  return copy;
}

/** A clause about the function a wrapper hands over: `the (req, res) function it passes reads req.query`. */
function handedClause(why: string): string {
  return why.startsWith('it ') ? `the (req, res) function it passes ${why.slice(3)}` : `in the (req, res) function it passes, ${why}`;
}

/** One link: what the wrapper returns, where that comes from, and what blocks the function it hands over. */
function returnsLink(program: Node, fn: Node, call: Node, lookup: WrapperLookup, first: boolean): string {
  const label = calleeLabel(call.callee);
  const source = label ? importSourceOf(program, label) : undefined;
  const origin = source === undefined ? '' : isPackageSpecifier(source) ? ` from the package '${source}'` : ` from '${source}'`;
  const handed = withHandedFunction(fn, call);
  const inner = handed ? lookup.tryWrapper(handed) : null;
  const handedWhy = inner && 'why' in inner ? `, and ${handedClause(inner.why)}` : '';
  // `…, not a (req, res) function` is said once, where no function it passes is described after it.
  const not = first && !handedWhy ? ', not a (req, res) function' : '';
  return `it returns the result of ${label ? `${label}(…)` : 'a call'}${origin}${not}${handedWhy}`;
}

/** The reason's clause for the wrapper `name` (`fn`, of `program`), which route-wrapper.ts declined with `declined`. */
export function explainDeclinedWrapper(program: Node, name: string, fn: Node, declined: WrapperDeclined, lookup: WrapperLookup): string {
  const links: string[] = [];
  const seen = new Set([name]);
  let current = { name, fn, declined };
  for (let link = 0; link < MAX_LINKS; link++) {
    const { why, returned } = current.declined;
    const text = returned ? returnsLink(program, current.fn, returned, lookup, link === 0) : why;
    // After the first, each link names its wrapper: `TokenSecuredEndpoint returns …`.
    links.push(link === 0 ? text : text.startsWith('it ') ? `${current.name} ${text.slice(3)}` : `${current.name}: ${text}`);
    const next = returned ? calleeLabel(returned.callee) : null;
    const nextFn = next && !seen.has(next) ? lookup.functionNamed(next) : null;
    if (!next || !nextFn) break;
    const result = lookup.tryWrapper(cloneNode(nextFn));
    // The wrapper it returns has a route-handler version: the first link is the whole blocker.
    if (!('why' in result)) break;
    seen.add(next);
    current = { name: next, fn: nextFn, declined: result };
  }
  return links.join('; ');
}
