/**
 * Calls in a pages/api file that may hand the handler's req and res to a function of another project module
 * (`return handleGet(req, res, id)`): an imported name called with two names first. Which of them are the handler's
 * own req and res, and where the calls stand, the route transform decides (transforms/lib/imported-sub-handlers.ts);
 * here only the imports worth a twin are found: project modules whose function takes `(req, res, …)`
 * (src/handler-modules.ts checks the function). Reads through the run's Resolver, never writes.
 */
import type { Node } from '../transforms/lib/ast.js';
import { nodeText, walk } from '../transforms/lib/ast.js';
import { isConfigExport } from '../transforms/lib/config.js';
import type { Resolver } from './resolver.js';

export interface SubHandlerCall {
  /** The import specifier as the pages file writes it. */
  specifier: string;
  /** The export name imported (`default` for a default import). */
  imported: string;
  /** The page's own `export const config = …`, which the twin reads the body by. */
  configStatement?: string;
  /** Some call's value is used (`const session = await requireSession(req, res)`): a guard's call, not an answer. */
  valueUsed: boolean;
  /** Some call may end the handler (see mayEnd). */
  mayEnd: boolean;
}

/** The statement a call is the whole of (`f(…)`, `await f(…)`, `return [await] f(…)`), or null. */
function statementOf(call: Node, parent: Node | null, grand: Node | null): Node | null {
  const top = parent?.type === 'AwaitExpression' ? parent : call;
  const holder = top === call ? parent : grand;
  return holder?.type === 'ExpressionStatement' || holder?.type === 'ReturnStatement' ? holder : null;
}

/**
 * Whether the statement may end the handler, as far as its own list tells: a return, or nothing after it but a
 * `break` or a bare `return` (the transform checks the whole path). A call with more code after it is a helper's
 * (`instrumentApiResponse(req, res)` first thing), not a sub-handler's, and keeps the reasons it had.
 */
function mayEnd(stmt: Node, holder: Node | null): boolean {
  if (stmt.type === 'ReturnStatement') return true;
  const list: Node[] | undefined = holder?.type === 'BlockStatement' || holder?.type === 'Program' ? holder.body : holder?.type === 'SwitchCase' ? holder.consequent : undefined;
  if (!list) return true;
  const rest = list.slice(list.indexOf(stmt) + 1);
  return rest.length === 0 || (rest.length === 1 && (rest[0].type === 'BreakStatement' || (rest[0].type === 'ReturnStatement' && !rest[0].argument)));
}

/** Cheap text test before parsing: a call whose first two arguments are names. */
const CALL_WITH_TWO_NAMES = /[\w$]\s*\(\s*[\w$]+\s*,\s*[\w$]+\s*[,)]/;

export function findSubHandlerCalls(resolver: Resolver, source: string, text: string): SubHandlerCall[] {
  if (!CALL_WITH_TWO_NAMES.test(text)) return [];
  const program = resolver.program(source, text);
  if (!program) return [];
  const imports = new Map<string, { specifier: string; imported: string }>();
  for (const stmt of program.body) {
    if (stmt.type !== 'ImportDeclaration' || stmt.importKind === 'type') continue;
    for (const s of stmt.specifiers ?? []) {
      if (s.importKind === 'type') continue;
      if (s.type === 'ImportDefaultSpecifier') imports.set(s.local.name, { specifier: stmt.source.value, imported: 'default' });
      else if (s.type === 'ImportSpecifier') imports.set(s.local.name, { specifier: stmt.source.value, imported: s.imported.name ?? s.imported.value });
    }
  }
  if (!imports.size) return [];
  const found = new Map<string, SubHandlerCall>();
  const config = program.body.find(isConfigExport);
  const configStatement = config ? nodeText(config, text.replace(/^\uFEFF/, '')) : undefined;
  const parents = new Map<Node, Node | null>();
  walk(program, (node: Node, parent: Node | null) => {
    parents.set(node, parent);
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier' || node.arguments.length < 2) return;
    const [a, b] = node.arguments;
    if (a.type !== 'Identifier' || b.type !== 'Identifier') return;
    const binding = imports.get(node.callee.name);
    if (!binding || !resolver.resolve(source, binding.specifier)) return;
    const grand = parent ? (parents.get(parent) ?? null) : null;
    const stmt = statementOf(node, parent, grand);
    const ends = !!stmt && mayEnd(stmt, parents.get(stmt) ?? null);
    const known = found.get(node.callee.name);
    if (known) {
      known.valueUsed ||= !stmt;
      known.mayEnd ||= ends;
    } else found.set(node.callee.name, { ...binding, ...(configStatement ? { configStatement } : {}), valueUsed: !stmt, mayEnd: ends });
  });
  return [...found.values()].filter((call) => call.mayEnd);
}
