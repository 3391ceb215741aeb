/**
 * Streaming handlers: `res.writeHead(200, {…})` (or status and headers set before), then `res.write(chunk)`… and
 * `res.end()`, server-sent events included. The statements before the first write stay as they are (they may still
 * answer normally, e.g. a 400); a top-level writeHead becomes status and header state; everything from the first
 * write on runs inside a ReadableStream's start(), where write → enqueue and end → close; and the handler returns
 * that stream with the status and headers set so far. Anything else done with `res` while streaming is not
 * rewritten: the caller then leaves the file in place.
 */
import { walk, isFunction, isIdent, isStringLike, memberName, statementLists, stringValue, unwrap, END, type Node, type Snippets } from './ast.js';
import { valueImports } from './imports.js';

/**
 * The split body ends in `return new Response(stream)`, marked as the stream's Response (a property of the node): the
 * response rewrite (response.ts) gives it the status and headers set before the first write.
 */
const STREAM_RESPONSE = 'migrateStreamResponse';

/** Whether `node` is the Response of a split stream. */
export function isStreamResponse(node: Node): boolean {
  return node?.[STREAM_RESPONSE] === true;
}

const STREAM_CALLS = new Set(['write', 'writeHead', 'flushHeaders']);

const UNREADABLE_HEAD = 'res.writeHead with headers the tool cannot read';

/** `res.write(…)`-like call on `resName` anywhere below `node` (not in nested functions). */
function findsStreamCall(node: Node, resName: string): boolean {
  let found = false;
  walk(
    node,
    (n) => {
      if (n.type === 'CallExpression' && STREAM_CALLS.has(memberName(n.callee) ?? '') && isIdent(unwrap(n.callee.object), resName)) found = true;
    },
    true,
  );
  return found;
}

/**
 * The `res.writeHead(…)` statements of `body` (in its blocks too, not in nested functions) when res is never written
 * to or flushed there (nor in a nested function), each followed at once by `res.end(…)` and without a status message;
 * null when there is none, or any other.
 */
function writeHeadsWithoutWrites(body: Node[], resName: string): Array<{ list: Node[]; index: number }> | null {
  let writes = false;
  const calls = new Set<Node>();
  for (const stmt of body)
    walk(stmt, (n) => {
      const name = n.type === 'CallExpression' && isIdent(unwrap(n.callee.object), resName) ? memberName(n.callee) : null;
      if (name === 'write' || name === 'flushHeaders') writes = true;
      if (name === 'writeHead') calls.add(n);
    });
  const heads: Array<{ list: Node[]; index: number }> = [];
  for (const list of statementLists(body))
    list.forEach((stmt, index) => {
      const head = stmt.type === 'ExpressionStatement' ? resCall(stmt, resName) : null;
      // Headers went out with writeHead: a later setHeader, status or send threw (ERR_HTTP_HEADERS_SENT) or changed
      // nothing, so only `res.end(…)` right after it is followed; and its status message has no Response equivalent.
      const next = head?.name === 'writeHead' && list[index + 1] ? resCall(list[index + 1], resName) : null;
      if (next?.name === 'end' && !head!.args.slice(1).some((a) => stringValue(a) !== null)) heads.push({ list, index });
    });
  // Any other writeHead (not followed so, in an expression: `return res.writeHead(…)`) stays for the split.
  const followed = new Set(heads.map((h) => h.list[h.index].expression));
  const loose = [...calls].some((call) => !followed.has(call));
  return heads.length && !writes && !loose ? heads : null;
}

function resCall(stmt: Node, resName: string): { name: string; args: Node[] } | null {
  let expr = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
  if (expr?.type === 'AwaitExpression') expr = expr.argument;
  if (expr?.type !== 'CallExpression') return null;
  const name = memberName(expr.callee);
  return name && isIdent(unwrap(expr.callee.object), resName) ? { name, args: expr.arguments } : null;
}

export interface StreamSplit {
  body: Node[];
  /** Compat helpers the streamed code calls (`pipedBody` is the route's own, written beside its methods). */
  uses: Set<'chunkBytes' | 'pipedBody'>;
  /** Set when the handler streams in a way that is not rewritten. */
  escape?: { line?: number; detail: string };
}

/** `res.writeHead(s, { K: v })` → `res.status(s)` and `res.setHeader('K', v)`, for the ordinary state handling. */
function writeHeadAsState(snip: Snippets, resName: string, args: Node[]): Node[] | null {
  // writeHead(status[, statusMessage][, headers]): the message has no Response equivalent and is not kept.
  const [status, ...rest] = args;
  const headers = rest.find((a) => stringValue(a) === null);
  const code = [`${resName}.status(${snip.src(status)})${END}`];
  if (headers) {
    const object = unwrap(headers);
    if (object.type !== 'ObjectExpression') return null;
    for (const prop of object.properties) {
      if (prop.type !== 'ObjectProperty' || prop.computed) return null;
      const key = prop.key.type === 'Identifier' ? prop.key.name : stringValue(prop.key);
      if (key === null) return null;
      code.push(`${resName}.setHeader(${snip.str(key)}, ${snip.src(prop.value)})${END}`);
    }
  }
  return snip.statements(code.join('\n'));
}

/** The encodings Node's `write(chunk, encoding)` takes. */
const NODE_ENCODINGS = new Set(['utf8', 'utf-8', 'ascii', 'latin1', 'binary', 'base64', 'base64url', 'hex', 'ucs2', 'ucs-2', 'utf16le', 'utf-16le']);

/**
 * The encoding of `res.write(chunk, 'binary')` / `res.end(chunk, 'binary')` (for a string chunk; a Buffer's is
 * ignored): null for none or UTF-8 (the default), undefined when the arguments are anything else (a callback).
 */
export function chunkEncodingOf(args: Node[]): string | null | undefined {
  if (args.length < 2) return null;
  const value = args.length === 2 ? stringValue(args[1]) : null;
  if (value === null || !NODE_ENCODINGS.has(value.toLowerCase())) return undefined;
  return /^utf-?8$/i.test(value) ? null : value.toLowerCase();
}

/** Rewrites write / end / flushHeaders inside the streamed statements; false when another use of res remains. */
function rewriteStreamed(snip: Snippets, statements: Node[], resName: string, names: { controller: string; encoder: string }, uses: StreamSplit['uses']): boolean {
  const enqueue = (chunk: Node, encoding: string | null = null) => {
    const text = snip.src(chunk);
    if (isStringLike(chunk) && !encoding) return `${names.controller}.enqueue(${names.encoder}.encode(${text}))${END}`;
    // A Buffer, or a value whose type is not known here: the compat helper takes either.
    uses.add('chunkBytes');
    return `${names.controller}.enqueue(chunkBytes(${text}${encoding ? `, ${snip.str(encoding)}` : ''}))${END}`;
  };

  const rewriteList = (list: Node[]): boolean => {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const call = resCall(stmt, resName);
      if (call) {
        let code: string | null = null;
        const encoding = chunkEncodingOf(call.args);
        if (call.name === 'write' && call.args.length >= 1 && encoding !== undefined) code = enqueue(call.args[0], encoding);
        else if (call.name === 'flushHeaders' && call.args.length === 0) code = '';
        else if (call.name === 'end' && encoding !== undefined) code = `${call.args[0] ? enqueue(call.args[0], encoding) + '\n' : ''}${names.controller}.close()${END}`;
        if (code === null) return false;
        if (stmt.type === 'ReturnStatement') code += `\nreturn${END}`;
        const replacement = code ? snip.statements(code) : [];
        list.splice(i, 1, ...replacement);
        i += replacement.length - 1;
        continue;
      }
      for (const key of ['body', 'consequent', 'alternate', 'block', 'finalizer']) {
        const child = stmt[key];
        if (!child || typeof child !== 'object') continue;
        if (Array.isArray(child)) {
          if (!rewriteList(child)) return false;
        } else if (child.type === 'BlockStatement') {
          if (!rewriteList(child.body)) return false;
        } else if (/Statement$/.test(child.type)) {
          const wrapped = [child];
          if (!rewriteList(wrapped)) return false;
          stmt[key] = wrapped.length === 1 ? wrapped[0] : { type: 'BlockStatement', body: wrapped, directives: [] };
        }
      }
      if (stmt.type === 'TryStatement' && stmt.handler && !rewriteList(stmt.handler.body.body)) return false;
      if (stmt.type === 'SwitchStatement') for (const c of stmt.cases) if (!rewriteList(c.consequent)) return false;
    }
    return true;
  };
  if (!rewriteList(statements)) return false;
  let other = false;
  for (const stmt of statements) walk(stmt, (n) => void (isIdent(n, resName) && (other = true)));
  return !other;
}

/** `source.pipe(res)` (also returned), source not reading res: the source, or null. */
function pipedSource(stmt: Node, resName: string): Node | null {
  const expr = stmt.type === 'ExpressionStatement' ? unwrap(stmt.expression) : stmt.type === 'ReturnStatement' && stmt.argument ? unwrap(stmt.argument) : null;
  if (expr?.type !== 'CallExpression' || memberName(expr.callee) !== 'pipe' || expr.arguments.length !== 1 || !isIdent(unwrap(expr.arguments[0]), resName)) return null;
  let readsRes = false;
  walk(expr.callee.object, (n) => void (isIdent(n, resName) && (readsRes = true)));
  return readsRes ? null : expr.callee.object;
}

const isBareReturn = (stmt: Node | undefined) => stmt?.type === 'ReturnStatement' && !stmt.argument;

/**
 * `stream.pipe(res)` where it is the handler's last work, or where only code that never touches res, never returns and
 * never leaves its block follows it (pdfkit's `doc.pipe(res); doc.text(…); doc.end()`): the source is taken as a web
 * stream there (`const piped = pipedBody(doc)`, a function written beside the route's methods, which keeps the Node
 * stream's backpressure), and the route returns it at the end of that code, with the status and headers set before
 * the pipe (the marked Response, as for a split stream; a `res.writeHead` before it counts as those). Pages wrote
 * them with the first chunk, and ended the answer when the source ended, as the Response's body does. The end of the
 * handler: the end of its body, of an if branch or a plain block there, or of a try block there without a finally.
 * Only for a source `plain` takes for a plain Node stream (a file's, pdfkit's, archiver's): some streams' own pipe()
 * copies their upstream's status and headers onto res (got, request). Not after a `res.write` (headers and a first
 * chunk went out before the pipe), nor with an await after the pipe (Pages drained the stream meanwhile). Nothing else
 * is rewritten: any other pipe into res stays res passed on.
 */
function splitPipes(snip: Snippets, body: Node[], resName: string, fresh: (base: string) => string, uses: StreamSplit['uses'], plain: (source: Node) => boolean): boolean {
  // A write before the pipe sent the headers and a first chunk, which the piped Response would not: not followed.
  let writes = false;
  for (const stmt of body)
    walk(stmt, (n) => {
      const name = n.type === 'CallExpression' && isIdent(unwrap(n.callee.object), resName) ? memberName(n.callee) : null;
      if (name === 'write' || name === 'flushHeaders') writes = true;
    });
  if (writes) return false;
  let piped = false;
  const visit = (list: Node[], tail: boolean) => {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const last = i === list.length - 1 || (i === list.length - 2 && isBareReturn(list[i + 1]));
      const source = tail ? pipedSource(stmt, resName) : null;
      if (source && plain(source)) {
        const rest = list.slice(i + 1, isBareReturn(list[list.length - 1]) ? -1 : undefined);
        // An await after the pipe waited while res drained the stream (archiver's `await archive.finalize()`): in
        // the route nothing reads the stream before it is returned, and the await would never end.
        let blocked = false;
        for (const s of rest)
          walk(s, (n) => {
            if (isIdent(n, resName) || /^(ReturnStatement|BreakStatement|ContinueStatement|AwaitExpression|YieldExpression)$/.test(n.type) || (n.type === 'ForOfStatement' && n.await)) blocked = true;
          }, true);
        if (!blocked) {
          piped = true;
          uses.add('pipedBody');
          const name = rest.length ? fresh('piped') : null;
          // The source's own comments stay before it (withCommentsOf makes a new node: marked after).
          const [returned] = snip.statements(`return new Response(${name ?? `pipedBody(${snip.src(source)})`})${END}`);
          const first = snip.withCommentsOf(stmt, name ? snip.statements(`const ${name} = pipedBody(${snip.src(source)})${END}`)[0] : returned);
          (name ? returned : first).argument[STREAM_RESPONSE] = true;
          list.splice(i, list.length - i, ...(name ? [first, ...rest, returned] : [first]));
          return;
        }
      }
      const ends = tail && last;
      if (stmt.type === 'IfStatement') {
        for (const branch of [stmt.consequent, stmt.alternate]) if (branch?.type === 'BlockStatement') visit(branch.body, ends);
      } else if (stmt.type === 'BlockStatement') visit(stmt.body, ends);
      else if (stmt.type === 'TryStatement' && !stmt.finalizer) {
        visit(stmt.block.body, ends);
        if (stmt.handler) visit(stmt.handler.body.body, ends);
      }
    }
  };
  visit(body, true);
  return piped;
}

/** Splits a streaming body; a body that does not stream comes back unchanged. */
export function splitStream(snip: Snippets, body: Node[], resName: string, fresh: (base: string) => string, plainStream?: (source: Node) => boolean): StreamSplit {
  const uses: StreamSplit['uses'] = new Set();
  if (plainStream && splitPipes(snip, body, resName, fresh, uses, plainStream)) {
    // `res.writeHead(200, {…})` before the pipe: its status and headers, for the piped Response as for any answer.
    for (const list of statementLists(body, true)) {
      for (let i = list.length - 1; i >= 0; i--) {
        const head = list[i].type === 'ExpressionStatement' ? resCall(list[i], resName) : null;
        if (head?.name !== 'writeHead') continue;
        const converted = writeHeadAsState(snip, resName, head.args);
        if (!converted || head.args.slice(1).some((a) => stringValue(a) !== null)) return { body, uses, escape: { line: list[i].loc?.start.line, detail: UNREADABLE_HEAD } };
        list.splice(i, 1, ...converted);
      }
    }
    return { body, uses };
  }
  // `res.writeHead(200, {…})` and then `res.end(data)`, without a write: no stream, only a status and headers.
  const heads = writeHeadsWithoutWrites(body, resName);
  if (heads) {
    for (const { list, index } of heads.reverse()) {
      const converted = writeHeadAsState(snip, resName, resCall(list[index], resName)!.args);
      if (!converted) return { body, uses, escape: { line: list[index].loc?.start.line, detail: UNREADABLE_HEAD } };
      list.splice(index, 1, ...converted);
    }
    return { body, uses };
  }
  const start = body.findIndex((stmt) => findsStreamCall(stmt, resName));
  if (start < 0) return { body, uses };
  const prefix = body.slice(0, start);
  let streamed = body.slice(start);
  const head = resCall(streamed[0], resName);
  const state: Node[] = [];
  if (head?.name === 'writeHead') {
    const converted = writeHeadAsState(snip, resName, head.args);
    if (!converted) return { body, uses, escape: { line: streamed[0].loc?.start.line, detail: UNREADABLE_HEAD } };
    state.push(...converted);
    streamed = streamed.slice(1);
  }
  // writeHead anywhere else, or a nested function writing, is not rewritten.
  for (const stmt of streamed) {
    let bad: Node | null = null;
    walk(stmt, (n) => {
      if (isFunction(n) && findsStreamCall(n.body, resName)) bad = n;
      if (n.type === 'CallExpression' && memberName(n.callee) === 'writeHead' && isIdent(unwrap(n.callee.object), resName)) bad = n;
    });
    if (bad) return { body, uses, escape: { line: (bad as Node).loc?.start.line, detail: 'res.writeHead or res.write where the tool cannot stream it' } };
  }
  const names = { stream: fresh('stream'), controller: 'controller', encoder: fresh('encoder') };
  if (!rewriteStreamed(snip, streamed, resName, names, uses)) return { body, uses, escape: { line: streamed[0]?.loc?.start.line, detail: 'res used while streaming in a way the tool does not rewrite' } };
  const [declaration, returned] = snip.statements(
    `const ${names.stream} = new ReadableStream({\n  async start(${names.controller}) {\n    const ${names.encoder} = new TextEncoder()${END}\n  },\n})${END}\nreturn new Response(${names.stream})${END}`,
  );
  returned.argument[STREAM_RESPONSE] = true;
  const startBody = declaration.declarations[0].init.arguments[0].properties[0].body.body;
  startBody.push(...streamed);
  return { body: [...prefix, ...state, declaration, returned], uses };
}

/**
 * Whether a piped source is a plain Node stream, whose pipe() writes its chunks and ends res and nothing more: a file's
 * (`fs.createReadStream(…)`, also a storage client's `….createReadStream()`), a pdfkit document, an archiver archive,
 * node:stream's own classes and `Readable.from(…)`; also a name declared once with one of those. Other streams' pipe()
 * may do more (got's and request's copy their upstream's status and headers onto res).
 */
export function isPlainNodeStream(program: Node, body: Node[], source: Node): boolean {
  let node = unwrap(source);
  if (isIdent(node)) {
    // The handler's body may still be the program's (a declaration seen twice is one).
    const inits = new Set<Node>();
    for (const root of [...program.body, ...body]) {
      walk(root, (n) => {
        if (n.type === 'VariableDeclarator' && isIdent(n.id, node.name)) inits.add(n);
      });
    }
    const [only] = inits;
    if (inits.size !== 1 || !only.init) return false;
    node = unwrap(only.init);
  }
  const streamClasses = new Set(valueImports(program, ['stream', 'node:stream']).filter((i) => ['Readable', 'PassThrough', 'Transform', 'Duplex'].includes(i.imported)).map((i) => i.local));
  const pdfkit = new Set(valueImports(program, 'pdfkit').filter((i) => i.imported === 'default').map((i) => i.local));
  const archiver = new Set(valueImports(program, 'archiver').filter((i) => i.imported === 'default').map((i) => i.local));
  if (node.type === 'NewExpression') return isIdent(node.callee) && (pdfkit.has(node.callee.name) || streamClasses.has(node.callee.name));
  if (node.type !== 'CallExpression') return false;
  const callee = unwrap(node.callee);
  if (isIdent(callee)) return archiver.has(callee.name) || callee.name === 'createReadStream';
  return memberName(callee) === 'createReadStream' || (memberName(callee) === 'from' && isIdent(unwrap(callee.object)) && streamClasses.has(unwrap(callee.object).name) && unwrap(callee.object).name !== 'PassThrough');
}

/**
 * A value that is text or bytes whenever it is made: a string (isStringLike), `x.toString(…)`, `list.join(…)`,
 * `Buffer.from(…)`/`Buffer.concat(…)`. Node's write threw for anything else, also for undefined or null, which an end
 * takes for no chunk: a merge would answer 200 where Pages answered 500.
 */
function surelyChunk(node: Node): boolean {
  const n = unwrap(node);
  if (isStringLike(n)) return true;
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return false;
  const name = memberName(n.callee);
  return name === 'toString' || name === 'join' || (isIdent(unwrap(n.callee.object), 'Buffer') && (name === 'from' || name === 'concat'));
}

/**
 * `res.write(body)` right before `res.end()` (a sitemap's or a feed's `res.write(urls.join('')); res.end()`) becomes
 * `res.end(body)`, in the handler `fn` and the blocks it holds (not nested functions): the client gets the same
 * status, headers and bytes (only the framing differs, chunked against a length), and the handler no longer streams.
 * Only for a body that is surely text or bytes (surelyChunk); not where either has comments of its own, which the merge
 * would lose, nor for a write with a callback.
 */
export function writesBeforeEnds(fn: Node, resName: string): void {
  if (fn.body?.type !== 'BlockStatement') return;
  const plain = (stmt: Node) => !stmt.comments?.length && !stmt.leadingComments?.length && !stmt.trailingComments?.length;
  for (const list of statementLists([fn.body], true)) {
    for (let i = 0; i + 1 < list.length; i++) {
      const write = list[i].type === 'ExpressionStatement' ? unwrap(list[i].expression) : null;
      const end = resCall(list[i + 1], resName);
      if (write?.type !== 'CallExpression' || resCall(list[i], resName)?.name !== 'write' || end?.name !== 'end' || end.args.length) continue;
      const [chunk, encoding, ...more] = write.arguments;
      if (!chunk || !surelyChunk(chunk) || more.length || (encoding && stringValue(encoding) === null) || !plain(list[i]) || !plain(list[i + 1])) continue;
      // The end's statement stays (`return res.end()` keeps its return), with the write's arguments.
      const endCall = unwrap(list[i + 1].type === 'ExpressionStatement' ? list[i + 1].expression : list[i + 1].argument);
      (endCall.type === 'AwaitExpression' ? unwrap(endCall.argument) : endCall).arguments = write.arguments;
      list.splice(i, 1);
    }
  }
}
