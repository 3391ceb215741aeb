/**
 * Casts of the Pages request that a rewrite may drop: `(req as AuthedRequest).auth` is read as `req.auth`, and
 * `const { auth } = req as unknown as AuthedRequest` as `const { auth } = req`.
 */
import { isIdent, replaceChild, unwrap, type Node } from './ast.js';
import { referencesTo } from './scope.js';

/**
 * `(req as AuthedRequest).auth` → `req.auth` below `root`: a cast (or `!`, or parentheses) on the variable `name` (not
 * another of that name in a callback) as the object of a member. It only retyped the Pages value; the rewritten code's
 * value has a type of its own. Only a cast that cannot narrow what the rewrite reads (`as any`, a named type not
 * declared in `program` or declared without `query`, `body`, `headers` or `cookies`): one that does
 * (`as { query: { id: string } }`) stays, and the request is then left where it escapes.
 */
export function uncastMemberObjects(root: Node, name: string, program: Node): void {
  const found: Array<[Node, Node]> = [];
  for (const ref of referencesTo([root], name)) {
    let child = ref.node;
    let at = ref.ancestors.length - 1;
    while (at >= 0 && ref.ancestors[at] !== unwrap(ref.ancestors[at]) && ref.ancestors[at].expression === child && castKeepsReads(ref.ancestors[at], program)) child = ref.ancestors[at--];
    const member = ref.ancestors[at];
    if (child !== ref.node && at > 0 && (member.type === 'MemberExpression' || member.type === 'OptionalMemberExpression') && member.object === child) found.push([ref.ancestors[at - 1], member]);
    // Destructured: the request rewrite then reads each property as it reads `const { … } = req`. Not the parts a
    // cast may narrow (`query`, …), whose reads would no longer type-check as the cast typed them.
    const narrows = (p: Node) => p.type !== 'ObjectProperty' || p.computed || NARROWED.has(p.key.name ?? p.key.value);
    if (child !== ref.node && member?.type === 'VariableDeclarator' && member.init === child && member.id.type === 'ObjectPattern' && !member.id.properties.some(narrows)) member.init = ref.node;
  }
  // A new member, printed anew: patching only its object would keep the parentheses, `(req).auth`.
  for (const [parent, member] of found) replaceChild(parent, member, { ...member, object: unwrap(member.object), original: undefined, start: undefined, end: undefined });
}

const NARROWED = new Set(['query', 'body', 'headers', 'cookies']);

/** Whether the cast `node` leaves the types of what a request rewrite reads as the rewrite gives them (see above). */
function castKeepsReads(node: Node, program: Node): boolean {
  if (node.type !== 'TSAsExpression' && node.type !== 'TSTypeAssertion' && node.type !== 'TSSatisfiesExpression') return true;
  const type = node.typeAnnotation;
  // `req as unknown as AuthedRequest`: the outer cast says what is read.
  if (type?.type === 'TSAnyKeyword' || type?.type === 'TSUnknownKeyword') return true;
  if (type?.type !== 'TSTypeReference' || !isIdent(type.typeName)) return false;
  const typeName = type.typeName.name;
  for (const raw of program.body) {
    const stmt = raw.type === 'ExportNamedDeclaration' ? raw.declaration : raw;
    const members = stmt?.type === 'TSInterfaceDeclaration' && isIdent(stmt.id, typeName) ? stmt.body.body : stmt?.type === 'TSTypeAliasDeclaration' && isIdent(stmt.id, typeName) ? null : undefined;
    if (members === null) return false;
    if (members?.some((m: Node) => m.key && NARROWED.has(m.key.name ?? m.key.value))) return false;
  }
  return true;
}
