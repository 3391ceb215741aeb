/**
 * Functions that read a whole request stream into one Buffer, as Stripe's webhook examples write them: `async function
 * buffer(readable) { const chunks = []; for await (const chunk of readable) chunks.push(…); return Buffer.concat(chunks)
 * }`, the stream also cast (`for await (const chunk of req as any)`), or the same with the stream's 'data' and 'end'
 * events in a promise; some give the Buffer's text (`Buffer.concat(chunks).toString('utf8')`). Its parameter serves
 * only that read, so a call on the request of a handler with `bodyParser: false` reads the same bytes as
 * `request.arrayBuffer()` (and the same text from them). Pure: syntax trees in, names out.
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
 * What a reader gives back: the Buffer (`Buffer.concat(chunks)`), or its text (`Buffer.concat(chunks).toString()`, also
 * with an encoding: `toString('utf8')`), as `text`, the arguments of that toString; null for any other value.
 */
export interface ReaderValue {
  text?: string[];
}

function concatOf(node: Node | null | undefined, chunks: string): ReaderValue | null {
  let n = node && unwrap(node);
  let text: string[] | undefined;
  if (n?.type === 'CallExpression' && memberName(n.callee) === 'toString' && n.arguments.length <= 1 && n.arguments.every((a: Node) => a.type === 'StringLiteral')) {
    text = n.arguments.map((a: Node) => a.value as string);
    n = unwrap(n.callee.object);
  }
  const concats = n?.type === 'CallExpression' && memberName(n.callee) === 'concat' && isIdent(n.callee.object, 'Buffer') && n.arguments.length === 1 && isIdent(n.arguments[0], chunks);
  return concats ? (text ? { text } : {}) : null;
}

/** `chunks.push(bytes of chunk)`, as a statement, an expression body, or a block of that one statement. */
function pushesChunk(node: Node | null | undefined, chunks: string, chunk: string): boolean {
  const step = node?.type === 'BlockStatement' ? (node.body.length === 1 ? node.body[0] : null) : node;
  const push = step?.type === 'ExpressionStatement' ? unwrap(step.expression) : step && unwrap(step);
  return push?.type === 'CallExpression' && memberName(push.callee) === 'push' && isIdent(push.callee.object, chunks) && push.arguments.length === 1 && isChunkBytes(push.arguments[0], chunk);
}

/** `const chunks = []`: the array's name. */
function emptyArray(stmt: Node | undefined): string | null {
  const array = stmt?.type === 'VariableDeclaration' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
  return isIdent(array?.id) && unwrap(array.init)?.type === 'ArrayExpression' && !unwrap(array.init).elements.length ? array.id.name : null;
}

/**
 * Whether `fn` is such a reader, statement by statement: `const chunks = []`, the loop whose only statement pushes
 * each chunk's bytes (`chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)`), `return
 * Buffer.concat(chunks)` (or its text). Anything more (a size limit, a count) is the function's own behaviour, and it
 * is not one.
 */
function forAwaitReader(fn: Node | null): ReaderValue | null {
  if (!fn?.async || fn.params.length !== 1 || !isIdent(fn.params[0]) || fn.body.type !== 'BlockStatement' || fn.body.body.length !== 3) return null;
  const param = fn.params[0].name;
  const [declared, loop, returned] = fn.body.body;
  const chunks = emptyArray(declared);
  if (!chunks || loop.type !== 'ForOfStatement' || !loop.await || !isIdent(unwrap(loop.right), param) || loop.left.type !== 'VariableDeclaration') return null;
  const chunk = loop.left.declarations[0]?.id;
  if (!isIdent(chunk) || !pushesChunk(loop.body, chunks, chunk.name)) return null;
  const value = returned.type === 'ReturnStatement' ? concatOf(returned.argument, chunks) : null;
  return value && countIdentifiers(fn.body, param) === 1 ? value : null;
}

/** A function's one expression: its concise body, or the only statement of its block as an expression. */
function soleExpression(fn: Node | null): Node | null {
  if (!fn?.body) return null;
  if (fn.body.type !== 'BlockStatement') return unwrap(fn.body);
  const [only] = fn.body.body;
  return fn.body.body.length === 1 && only.type === 'ExpressionStatement' ? unwrap(only.expression) : null;
}

/** `callee(arg)` with one argument, `arg` a name when given. */
function callsWith(node: Node | null, callee: string, arg?: string): boolean {
  return node?.type === 'CallExpression' && isIdent(node.callee, callee) && node.arguments.length === 1 && (arg === undefined || isIdent(node.arguments[0], arg));
}

/** `stream.on('event', listener)` as a statement: the listener, or null. */
function listenerOf(stmt: Node | undefined, stream: string, event: string): Node | null {
  const call = stmt?.type === 'ExpressionStatement' ? unwrap(stmt.expression) : null;
  if (call?.type !== 'CallExpression' || memberName(call.callee) !== 'on' || !isIdent(call.callee.object, stream) || call.arguments.length !== 2) return null;
  const [name, listener] = call.arguments;
  return name.type === 'StringLiteral' && name.value === event ? unwrap(listener) : null;
}

/**
 * The same read with the stream's events, in a promise: `return new Promise((resolve, reject) => { const chunks = [];
 * req.on('data', (chunk) => chunks.push(chunk)); req.on('end', () => resolve(Buffer.concat(chunks))); req.on('error',
 * reject); })` (the array also declared before the promise, the error listener also `(err) => reject(err)` or none,
 * the function also an arrow whose body is the promise, or an async one that returns it awaited). The 'data' listener
 * only pushes, in the order the chunks come, and 'end' resolves with them all: the body's bytes, or their text.
 */
function eventReader(fn: Node | null): ReaderValue | null {
  if (!fn || fn.params.length !== 1 || !isIdent(fn.params[0])) return null;
  const param = fn.params[0].name;
  const outer: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [{ type: 'ReturnStatement', argument: fn.body }];
  const declaredOutside = outer.length === 2 ? emptyArray(outer[0]) : null;
  const returned = outer[outer.length - 1];
  if (outer.length !== (declaredOutside ? 2 : 1) || returned?.type !== 'ReturnStatement') return null;
  // `return await new Promise(…)` in an async function gives the same value as returning the promise.
  const argument = unwrap(returned.argument);
  const promise = argument?.type === 'AwaitExpression' && fn.async ? unwrap(argument.argument) : argument;
  if (promise?.type !== 'NewExpression' || !isIdent(promise.callee, 'Promise') || promise.arguments.length !== 1) return null;
  const executor = functionValue(promise.arguments[0]);
  if (!executor || executor.body.type !== 'BlockStatement' || !executor.params.every((p: Node) => isIdent(p)) || executor.params.length < 1) return null;
  const [resolve, reject] = executor.params.map((p: Node) => p.name as string);
  const statements: Node[] = executor.body.body;
  const chunks = declaredOutside ?? emptyArray(statements[0]);
  const listeners = declaredOutside ? statements : statements.slice(1);
  if (!chunks || listeners.length < 2 || listeners.length > 3) return null;
  const onData = listenerOf(listeners[0], param, 'data');
  const chunk = onData?.params?.length === 1 && isIdent(onData.params[0]) ? onData.params[0].name : null;
  if (!chunk || !pushesChunk(onData.body, chunks, chunk)) return null;
  const onEnd = listenerOf(listeners[1], param, 'end');
  const resolved = onEnd && !onEnd.params?.length ? soleExpression(onEnd) : null;
  const value = callsWith(resolved, resolve) ? concatOf(resolved!.arguments[0], chunks) : null;
  if (!value) return null;
  if (listeners[2]) {
    // `req.on('error', reject)`, or `(err) => reject(err)`.
    const onError = listenerOf(listeners[2], param, 'error');
    const passes = isIdent(onError, reject) || (onError?.params?.length === 1 && isIdent(onError.params[0]) && callsWith(soleExpression(onError), reject, onError.params[0].name));
    if (!reject || !passes) return null;
  }
  return countIdentifiers(fn.body, param) === listeners.length ? value : null;
}

function readerOf(fn: Node | null): ReaderValue | null {
  return forAwaitReader(fn) ?? eventReader(fn);
}

/** The name a top-level statement declares a reader under (`function buffer(…)`, `const buffer = async (…) =>`), and what it gives. */
export function bufferReaderOf(stmt: Node): { name: string; value: ReaderValue } | null {
  if (stmt.type === 'FunctionDeclaration') {
    const value = stmt.id ? readerOf(stmt) : null;
    return value ? { name: stmt.id.name, value } : null;
  }
  if (stmt.type !== 'VariableDeclaration' || stmt.declarations.length !== 1 || !isIdent(stmt.declarations[0].id)) return null;
  const value = readerOf(functionValue(stmt.declarations[0].init));
  return value ? { name: stmt.declarations[0].id.name, value } : null;
}

/** The readers declared at the top of `program`, exported or not, by local name (run-middleware.ts knows its exports). */
export function bufferReadersOf(program: Node): Map<string, ReaderValue> {
  const readers = new Map<string, ReaderValue>();
  for (const top of program.body) {
    const stmt = top.type === 'ExportNamedDeclaration' || top.type === 'ExportDefaultDeclaration' ? top.declaration : top;
    const found = stmt ? bufferReaderOf(stmt) : null;
    if (found) readers.set(found.name, found.value);
  }
  return readers;
}
