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

/** The comments above `node` that the tool puts above a twin. */
function twinComments(node: Node): Node[] {
  return ((node.comments ?? node.leadingComments ?? []) as Node[]).filter(isTwinComment);
}

/** Whether `node` (a statement, an object's property) carries the comment the tool puts above a twin. */
export function hasTwinComment(node: Node): boolean {
  return twinComments(node).length > 0;
}

/** Whether a module's text may hold twins of an earlier run: a check before any parse, on every module the plan twins. */
export function mayHoldTwins(text: string): boolean {
  return text.includes('(next-pages-api-migrate).');
}

/** The twins of an earlier run, by the name they declare. */
export function priorTwins(program: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const statement of program.body) {
    const name = declaredName(statement);
    if (name && hasTwinComment(statement)) out.set(name, statement);
  }
  return out;
}

/** The functions the earlier run's twins were made from (`sendError` for `sendErrorResponse`), by their comments. */
export function priorOriginals(program: Node): string[] {
  const out = new Set<string>();
  for (const statement of priorTwins(program).values()) {
    for (const comment of twinComments(statement)) {
      const original = /^ Route-handler version of ([\w$]+)[:,]/.exec(comment.value)?.[1];
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

/** Whether two nodes are the same code, each printed in `wrap` (where a node alone is no statement) and parsed again. */
function sameCode(j: JSCodeshift, a: Node, b: Node, wrap = (code: string) => code): boolean {
  // Printed, not sliced from the source: recast's offsets are those of a copy with tabs expanded.
  const key = codeKey(j, wrap(j(a).toSource()));
  return key !== null && key === codeKey(j, wrap(j(b).toSource()));
}

/** Whether a twin about to be written is, as code, the one an earlier run wrote. */
export function sameTwin(j: JSCodeshift, twin: Node, prior: Node): boolean {
  return sameCode(j, twin, prior);
}

/** Whether a twin method about to be added to an object is, as code, the property an earlier run added. */
export function sameTwinProperty(j: JSCodeshift, twin: Node, prior: Node): boolean {
  return sameCode(j, twin, prior, (code) => `({\n${code}\n})`);
}
