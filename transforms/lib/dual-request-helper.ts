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
 * request's method anywhere, and its headers, cookies or URL only inside one branch or the other of the test (read
 * outside, `req.headers.authorization` or `req.url` would not be what Pages gave: a Headers object, an absolute URL),
 * never its body (which the handler reads after it), and it passes the request to nothing else. The test must be
 * `instanceof Request`: a route handler's request is not `instanceof NextRequest` on Next 14 or 16 (another copy of
 * the class), and such a helper would run its Pages branch.
 */
import { isIdent, isMember, memberName, pastWrappers, unwrap, walk, type Node } from './ast.js';
import { isResponseParam } from './res-helpers.js';
import { referencesTo } from './scope.js';

const FETCH_REQUESTS = new Set(['Request', 'NextRequest']);
/** What the helper may read of the request inside either branch of its test; `method` is the same anywhere. */
const BRANCH_READS = new Set(['headers', 'cookies', 'url', 'nextUrl']);

function typeNames(type: Node | undefined): string[] {
  if (!type) return [];
  if (type.type === 'TSParenthesizedType') return typeNames(type.typeAnnotation);
  if (type.type === 'TSUnionType') return type.types.flatMap(typeNames);
  return type.type === 'TSTypeReference' && type.typeName?.type === 'Identifier' ? [type.typeName.name] : [];
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
  let nextRequestTested = false;
  walk(fn.body, (node) => {
    if (!tests(node)) return;
    tested = true;
    if (node.right.name === 'NextRequest') nextRequestTested = true;
  });
  if (!tested) return null;
  if (nextRequestTested) return { why: `it tells the requests apart by \`${param.name} instanceof NextRequest\`, which a route handler's request is not on every Next.js version (14, 16)` };
  for (const ref of referencesTo([fn.body], param.name)) {
    // Up through casts (`(req as NextApiRequest).headers`) to what uses the request.
    const { node: child, at: holder } = pastWrappers(ref.node, ref.ancestors);
    const parent: Node | null = ref.ancestors[holder] ?? null;
    if (parent && tests(parent) && unwrap(parent.left) === ref.node) continue;
    const read = isMember(parent) && parent.object === child ? memberName(parent) : null;
    if (read === 'method') continue;
    if (!read || !BRANCH_READS.has(read)) {
      const what = read ? `${param.name}.${read}` : `${param.name} used in a ${parent?.type ?? 'statement'}`;
      return { why: `it takes a Request as well, but uses more of it than its headers, cookies, method or URL (${what})` };
    }
    if (!insideBranch(ref.ancestors, ref.node, tests)) return { why: `it reads ${param.name}.${read} outside the branches of its \`instanceof Request\` test, where the two requests differ` };
  }
  return { at };
}

/** Whether a node sits in the consequent or the alternate of an `if` or `?:` whose test is the instanceof test. */
function insideBranch(ancestors: Node[], node: Node, tests: (n: Node) => boolean): boolean {
  const chain = [...ancestors, node];
  return chain.some((a, i) => {
    if ((a.type !== 'IfStatement' && a.type !== 'ConditionalExpression') || !tests(unwrap(a.test))) return false;
    const below = chain[i + 1];
    return below === a.consequent || (!!a.alternate && below === a.alternate);
  });
}
