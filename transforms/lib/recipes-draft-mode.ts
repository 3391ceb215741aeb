/**
 * Preview and draft mode set from an API route: `res.setDraftMode({ enable })`, `res.setPreviewData(data)` and
 * `res.clearPreviewData()` → `draftMode()` from next/headers (`(await draftMode()).enable()` on 15+, where it is
 * async; `draftMode().enable()` on 14). Both set or clear the same `__prerender_bypass` cookie. Preview data has
 * no App Router form: `setPreviewData` gets a marker, since pages reading `context.previewData` now get none.
 */
import { isIdent, memberName, statementLists, unwrap, walk, END, type Node, type Snippets } from './ast.js';
import { markerText, type Reason } from '../../src/diagnostics.js';
import type { RecipeResult } from './recipes.js';

const MEMBERS = ['setDraftMode', 'setPreviewData', 'clearPreviewData'];

/** The innermost object of `res.setDraftMode(…).status(200).end()`, and the member call that holds it. */
function chainRoot(expr: Node): { root: Node; holder: Node | null } {
  let holder: Node | null = null;
  let n = unwrap(expr);
  for (;;) {
    if (n?.type === 'AwaitExpression') n = unwrap(n.argument);
    else if (n?.type === 'CallExpression' && n.callee.type === 'MemberExpression' && unwrap(n.callee.object)?.type === 'CallExpression' && memberName(unwrap(n.callee.object).callee) && !MEMBERS.includes(memberName(n.callee) ?? '')) {
      holder = n.callee;
      n = unwrap(n.callee.object);
    } else return { root: n, holder };
  }
}

function enableValue(call: Node): boolean | null {
  const arg = unwrap(call.arguments[0]);
  if (call.arguments.length !== 1 || arg?.type !== 'ObjectExpression' || arg.properties.length !== 1) return null;
  const prop = arg.properties[0];
  if (prop.type !== 'ObjectProperty' || prop.computed || !isIdent(prop.key, 'enable') || prop.value.type !== 'BooleanLiteral') return null;
  return prop.value.value;
}

export function rewriteDraftMode(snip: Snippets, roots: Node[], resName: string, asyncDraftMode: boolean): Omit<RecipeResult, 'compat'> & { markers: Array<{ reason: Reason; detail: string }> } {
  const result = { imports: new Map<string, Set<string>>(), notes: [] as string[], markers: [] as Array<{ reason: Reason; detail: string }> };
  const draft = asyncDraftMode ? '(await draftMode())' : 'draftMode()';
  // Not inside nested functions: `await draftMode()` needs the async method function itself.
  for (const list of statementLists(roots, true)) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const expr = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
      if (!expr) continue;
      const { root, holder } = chainRoot(expr);
      const member = root?.type === 'CallExpression' ? memberName(root.callee) : null;
      if (!member || !MEMBERS.includes(member) || !isIdent(unwrap(root.callee.object), resName)) continue;
      let code: string;
      const comments: string[] = [];
      if (member === 'setDraftMode') {
        const enable = enableValue(root);
        if (enable === null) continue;
        code = `${draft}.${enable ? 'enable' : 'disable'}()`;
      } else if (member === 'clearPreviewData') {
        if (root.arguments.length) continue;
        code = `${draft}.disable()`;
        result.notes.push('res.clearPreviewData() became draftMode().disable(): it clears the __prerender_bypass cookie, which ends preview mode; the __next_preview_data cookie is no longer cleared');
      } else {
        code = `${draft}.enable()`;
        const detail = `res.setPreviewData(${root.arguments.map((a: Node) => snip.src(a)).join(', ')})`;
        result.markers.push({ reason: 'PREVIEW_DATA_DROPPED', detail });
        comments.push(`// ${markerText('PREVIEW_DATA_DROPPED', detail)}`);
      }
      if (!result.imports.has('next/headers')) result.imports.set('next/headers', new Set());
      result.imports.get('next/headers')!.add('draftMode');
      const replacement = snip.statements(`${code}${END}`, comments);
      if (holder) {
        // The chain goes on from `res`: `res.setDraftMode(…).redirect(…)` → the call, then `res.redirect(…)`.
        holder.object = { type: 'Identifier', name: resName };
        list.splice(i, 0, ...replacement);
      } else if (stmt.type === 'ReturnStatement') list.splice(i, 1, ...replacement, ...snip.statements('return'));
      else list.splice(i, 1, ...replacement);
      i += replacement.length;
    }
  }
  return result;
}
