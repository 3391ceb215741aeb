/**
 * Twins an earlier run of the tool wrote into a module: top-level declarations under a
 * `// Route-handler version of …(next-pages-api-migrate).` comment. A later run (after `--only`, or once more
 * handlers can be migrated) needs some of the same twins. Writing them again under a fresh name (`sendErrorResponse2`)
 * would leave two copies of one function, so a twin that comes out as the same code as the one already there is
 * reused: the module keeps it, and routes import it.
 */
import { walk, type Node } from './ast.js';
import { structureKey } from './structure-key.js';
import { declaredName } from './free-names.js';
import type { JSCodeshift } from 'jscodeshift';

const TWIN_COMMENT = /^ Route-handler version of [^\n]*\(next-pages-api-migrate\)\.$/;

function isTwinComment(comment: Node): boolean {
  return comment.type === 'CommentLine' && TWIN_COMMENT.test(comment.value) && comment.leading !== false;
}

/** Whether `node` (a statement, an object's property) carries the comment the tool puts above a twin. */
export function hasTwinComment(node: Node): boolean {
  return ((node.comments ?? node.leadingComments ?? []) as Node[]).some(isTwinComment);
}

/** The twins of an earlier run, by the name they declare. */
export function priorTwins(program: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const statement of program.body) {
    const comments: Node[] = statement.comments ?? statement.leadingComments ?? [];
    const name = declaredName(statement);
    if (name && comments.some(isTwinComment)) out.set(name, statement);
  }
  return out;
}

/** The functions the earlier run's twins were made from (`sendError` for `sendErrorResponse`), by their comments. */
export function priorOriginals(program: Node): string[] {
  const out = new Set<string>();
  for (const statement of priorTwins(program).values()) {
    for (const comment of statement.comments ?? statement.leadingComments ?? []) {
      const original = isTwinComment(comment) ? /^ Route-handler version of ([\w$]+)[:,]/.exec(comment.value)?.[1] : undefined;
      if (original) out.add(original);
    }
  }
  return [...out];
}

/** The code of a statement, comments and layout left out, parsed afresh so that built and parsed trees compare. */
function codeKey(j: JSCodeshift, text: string): string | null {
  let program: Node;
  try {
    program = j(text).get().node.program;
  } catch {
    return null;
  }
  walk(program, (node) => {
    delete node.leadingComments;
    delete node.trailingComments;
    delete node.innerComments;
  });
  return structureKey(program.body);
}

/** Whether a twin about to be written is, as code, the one an earlier run wrote. */
export function sameTwin(j: JSCodeshift, twin: Node, prior: Node): boolean {
  // Printed, not sliced from the source: recast's offsets are those of a copy with tabs expanded.
  const key = codeKey(j, j(twin).toSource());
  return key !== null && key === codeKey(j, j(prior).toSource());
}

/** Whether a twin method about to be added to an object is, as code, the property an earlier run added. */
export function sameTwinProperty(j: JSCodeshift, twin: Node, prior: Node): boolean {
  // In an object literal of its own: a property alone is no statement.
  const key = codeKey(j, `({\n${j(twin).toSource()}\n})`);
  return key !== null && key === codeKey(j, `({\n${j(prior).toSource()}\n})`);
}
