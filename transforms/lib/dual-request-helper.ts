/**
 * A project helper already written for both routers: its request parameter is typed with the Pages request and the
 * Fetch one, and it tells them apart itself.
 *
 *   export async function authenticate(req: NextApiRequest | Request) {
 *     const header = req instanceof Request ? req.headers.get('authorization') : req.headers.authorization;
 *     …
 *   }
 *
 * The route calls it as it is, with the App Router request (a NextRequest is a Request): no twin is written, and the
 * report says which branch of the helper now runs. The tool does not prove the two branches alike (they are the
 * project's own code, made for this move); it checks what it can: the helper does not take res, it reads only the
 * request's headers, cookies, method or URL (a body read would leave none for the handler, which reads it after),
 * and it passes the request to nothing else.
 */
import { isIdent, memberName, unwrap, walk, type Node } from './ast.js';
import { referencesTo } from './scope.js';

const FETCH_REQUESTS = new Set(['Request', 'NextRequest']);
/** What the helper may read of the request, in either branch. */
const READS = new Set(['headers', 'cookies', 'method', 'url', 'nextUrl']);
const TYPE_WRAPPERS = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'ParenthesizedExpression']);

function typeNames(type: Node | undefined): string[] {
  if (!type) return [];
  if (type.type === 'TSParenthesizedType') return typeNames(type.typeAnnotation);
  if (type.type === 'TSUnionType') return type.types.flatMap(typeNames);
  return type.type === 'TSTypeReference' && type.typeName?.type === 'Identifier' ? [type.typeName.name] : [];
}

function isResponseParam(param: Node): boolean {
  return isIdent(param, 'res') || typeNames(param.typeAnnotation?.typeAnnotation).includes('NextApiResponse');
}

/**
 * The position of the request parameter of such a helper; why not, for one typed and tested for both routers that
 * uses the request otherwise (a report names it); null for any other function.
 */
export function dualRequestHelper(fn: Node): { at: number } | { why: string } | null {
  const at = fn.params.findIndex((p: Node) => typeNames(p.typeAnnotation?.typeAnnotation).includes('NextApiRequest'));
  const param = fn.params[at];
  if (!param || param.type !== 'Identifier' || fn.params.some(isResponseParam)) return null;
  if (!typeNames(param.typeAnnotation.typeAnnotation).some((n) => FETCH_REQUESTS.has(n))) return null;
  const tests = (node: Node) => node.type === 'BinaryExpression' && node.operator === 'instanceof' && isIdent(unwrap(node.left), param.name) && isIdent(node.right) && FETCH_REQUESTS.has(node.right.name);
  let tested = false;
  walk(fn.body, (node) => {
    if (tests(node)) tested = true;
  });
  if (!tested) return null;
  for (const ref of referencesTo([fn.body], param.name)) {
    // Up through casts (`(req as NextApiRequest).headers`) to what uses the request.
    let child = ref.node;
    let parent = ref.parent;
    for (let i = ref.ancestors.length - 1; parent && TYPE_WRAPPERS.has(parent.type) && i >= 0; i--) {
      child = parent;
      parent = ref.ancestors[i - 1] ?? null;
    }
    if (parent && tests(parent) && unwrap(parent.left) === ref.node) continue;
    const read = parent && (parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.object === child ? memberName(parent) : null;
    if (!read || !READS.has(read)) {
      const what = read ? `${param.name}.${read}` : `${param.name} used in a ${parent?.type ?? 'statement'}`;
      return { why: `it takes a Request as well, but uses more of it than its headers, cookies, method or URL (${what})` };
    }
  }
  return { at };
}
