/**
 * A parameter that carries the Pages req and res in one object, used only as `context.req` and `context.res`
 * (supabase-helper.ts's factories that take `GetServerSidePropsContext | { req; res }`), and the small reads of syntax
 * that finding it needs: past casts, and through a const that is the same value (`const anyCtx = context as any`).
 * Pure: syntax trees in, names and copies out.
 */
import { cloneNode, freshName, isIdent, isMember, memberName, namesIn, pastWrappers, replaceChild, type Node } from './ast.js';
import { referencesTo, type Reference } from './scope.js';

/**
 * A const declarator whose value is `node` (`const anyCtx = ctx as any`; `at`: the index of its parent): its name, and
 * the statements of the block that declares it, where every read of it lies (referencesTo skips a root that declares
 * the name it looks for).
 */
export function constAliasOf(node: Node, ancestors: Node[], at: number): { name: string; scope: Node[] } | null {
  const [declarator, declaration, block] = [ancestors[at], ancestors[at - 1], ancestors[at - 2]];
  const isConst = declarator?.type === 'VariableDeclarator' && declarator.init === node && isIdent(declarator.id) && declaration?.type === 'VariableDeclaration' && declaration.kind === 'const';
  // A switch is one block: a case reached by falling through, or any later one, reads a const of another case.
  const scope = block?.type === 'SwitchCase' ? ancestors[at - 3]?.cases.flatMap((c: Node) => c.consequent) : Array.isArray(block?.body) ? block.body : null;
  return isConst && scope ? { name: declarator.id.name, scope } : null;
}

/** The reads of an alias in its block (not its own declaration's name, which a walk from the statements meets). */
export function aliasReads(alias: { name: string; scope: Node[] }): Reference[] {
  return referencesTo(alias.scope, alias.name).filter((ref) => !(ref.parent.type === 'VariableDeclarator' && ref.key === 'id'));
}

/**
 * At `refs` (the reads of a name in a copy), `name.req` and `name.res` (also `name?.req`, through a cast) become the
 * plain names `req` and `res`; a const that is `name` itself (`const anyCtx = ctx as any`) is followed the same way.
 * False when `name` is used in any other way.
 */
function rewriteCarried(refs: Reference[], req: string, res: string, aliases = 1): boolean {
  for (const ref of refs) {
    const { node, at } = pastWrappers(ref.node, ref.ancestors);
    const holder = ref.ancestors[at];
    const part = isMember(holder) && holder.object === node && !holder.computed ? memberName(holder) : null;
    if (part === 'req' || part === 'res') {
      replaceChild(ref.ancestors[at - 1], holder, { type: 'Identifier', name: part === 'req' ? req : res });
      continue;
    }
    const alias = aliases > 0 ? constAliasOf(node, ref.ancestors, at) : null;
    if (alias === null || !rewriteCarried(aliasReads(alias), req, res, aliases - 1)) return false;
  }
  return true;
}

/**
 * `(context) => … context.req … context.res …`: the one parameter used only as `context.req` and `context.res` (see
 * rewriteCarried), reading `.req` at least once; its position, and a copy of the body where those are plain names.
 */
export function carrierParam(fn: Node): { index: number; body: Node; req: string; res: string } | null {
  let found: { index: number; body: Node; req: string; res: string } | null = null;
  for (const [index, param] of fn.params.entries()) {
    if (!isIdent(param)) continue;
    const body = cloneNode(fn.body);
    const taken = namesIn(fn);
    const [req, res] = [freshName('req', taken), freshName('res', taken)];
    if (!rewriteCarried(referencesTo([body], param.name), req, res) || !referencesTo([body], req).length) continue;
    if (found) return null;
    found = { index, body, req, res };
  }
  return found;
}
