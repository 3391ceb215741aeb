/**
 * Functions that read a whole request stream into one Buffer, as Stripe's webhook examples write them: `async function
 * buffer(readable) { const chunks = []; for await (const chunk of readable) chunks.push(…); return Buffer.concat(chunks)
 * }`, the stream also cast (`for await (const chunk of req as any)`). Its parameter serves only the `for await`, so a
 * call on the request of a handler with `bodyParser: false` reads the same bytes as `request.arrayBuffer()`.
 * Pure: syntax trees in, names out.
 */
import { countIdentifiers, isIdent, memberName, unwrap, type Node } from './ast.js';

function functionValue(node: Node): Node | null {
  const fn = unwrap(node);
  return fn && (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') ? fn : null;
}

/** `chunk`, `Buffer.from(chunk)`, or a choice between them on whether it is a string or a Buffer: the chunk's bytes. */
function isChunkBytes(node: Node, chunk: string): boolean {
  const n = unwrap(node);
  if (isIdent(n, chunk)) return true;
  if (n?.type === 'CallExpression' && n.arguments.length === 1 && isIdent(unwrap(n.arguments[0]), chunk) && memberName(n.callee) === 'from' && isIdent(n.callee.object, 'Buffer')) return true;
  return n?.type === 'ConditionalExpression' && isChunkTest(n.test, chunk) && isChunkBytes(n.consequent, chunk) && isChunkBytes(n.alternate, chunk);
}

/** A test of what the chunk is, with no effect: `typeof chunk === 'string'`, `Buffer.isBuffer(chunk)`, `chunk instanceof Buffer`. */
function isChunkTest(node: Node, chunk: string): boolean {
  const n = unwrap(node);
  if (n?.type === 'UnaryExpression') return (n.operator === 'typeof' || n.operator === '!') && isChunkTest(n.argument, chunk);
  if (n?.type === 'BinaryExpression') return ['===', '!==', '==', '!=', 'instanceof'].includes(n.operator) && isChunkTest(n.left, chunk) && isChunkTest(n.right, chunk);
  if (n?.type === 'CallExpression') return memberName(n.callee) === 'isBuffer' && isIdent(n.callee.object, 'Buffer') && n.arguments.length === 1 && isIdent(unwrap(n.arguments[0]), chunk);
  return isIdent(n, chunk) || isIdent(n, 'Buffer') || n?.type === 'StringLiteral';
}

/**
 * Whether `fn` is such a reader, statement by statement: `const chunks = []`, the loop whose only statement pushes
 * each chunk's bytes (`chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)`), `return
 * Buffer.concat(chunks)`. Anything more (a size limit, a count) is the function's own behaviour, and it is not one.
 */
function isBufferReader(fn: Node | null): boolean {
  if (!fn?.async || fn.params.length !== 1 || !isIdent(fn.params[0]) || fn.body.type !== 'BlockStatement' || fn.body.body.length !== 3) return false;
  const param = fn.params[0].name;
  const [declared, loop, returned] = fn.body.body;
  const array = declared.type === 'VariableDeclaration' && declared.declarations.length === 1 ? declared.declarations[0] : null;
  if (!isIdent(array?.id) || unwrap(array.init)?.type !== 'ArrayExpression' || unwrap(array.init).elements.length) return false;
  const chunks = array.id.name;
  if (loop.type !== 'ForOfStatement' || !loop.await || !isIdent(unwrap(loop.right), param) || loop.left.type !== 'VariableDeclaration') return false;
  const chunk = loop.left.declarations[0]?.id;
  const step = loop.body.type === 'BlockStatement' ? (loop.body.body.length === 1 ? loop.body.body[0] : null) : loop.body;
  const push = step?.type === 'ExpressionStatement' ? unwrap(step.expression) : null;
  if (!isIdent(chunk) || push?.type !== 'CallExpression' || memberName(push.callee) !== 'push' || !isIdent(push.callee.object, chunks) || push.arguments.length !== 1 || !isChunkBytes(push.arguments[0], chunk.name)) return false;
  const concat = returned.type === 'ReturnStatement' ? unwrap(returned.argument) : null;
  const concatsChunks = concat?.type === 'CallExpression' && memberName(concat.callee) === 'concat' && isIdent(concat.callee.object, 'Buffer') && concat.arguments.length === 1 && isIdent(concat.arguments[0], chunks);
  return concatsChunks && countIdentifiers(fn.body, param) === 1;
}

/** The name a top-level statement declares a reader under (`function buffer(…)`, `const buffer = async (…) =>`), or null. */
export function bufferReaderName(stmt: Node): string | null {
  if (stmt.type === 'FunctionDeclaration') return stmt.id && isBufferReader(stmt) ? stmt.id.name : null;
  if (stmt.type !== 'VariableDeclaration' || stmt.declarations.length !== 1 || !isIdent(stmt.declarations[0].id)) return null;
  return isBufferReader(functionValue(stmt.declarations[0].init)) ? stmt.declarations[0].id.name : null;
}

/** The readers declared at the top of `program`, exported or not, by local name (run-middleware.ts knows its exports). */
export function bufferReadersOf(program: Node): Set<string> {
  const readers = new Set<string>();
  for (const top of program.body) {
    const stmt = top.type === 'ExportNamedDeclaration' || top.type === 'ExportDefaultDeclaration' ? top.declaration : top;
    const name = stmt ? bufferReaderName(stmt) : null;
    if (name) readers.add(name);
  }
  return readers;
}
