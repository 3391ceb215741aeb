/**
 * Rewrites the Pages `req` of one method body into reads of the App Router `request` and `context`.
 * Pages handed the handler pre-parsed values (`req.query` merged with route params, `req.body` parsed by content
 * type); where the handler could observe the difference, the Pages-compatible readers of the compat module are used.
 * Headers, cookies and the body are read once at the top of the function into locals: reads have no side effects,
 * Pages had them ready before the handler ran, and a local keeps TypeScript's narrowing (`if (!auth) return`).
 */
import type { Reason } from '../../src/diagnostics.js';
import { isWrapper, memberName, passedTo, replaceChild, unwrap, isIdent, stringValue, camelName, walk, statementLists, type Node, type Snippets, END } from './ast.js';
import { isAssignedIn } from './free-names.js';
import { referencesTo, type Reference } from './scope.js';

export interface RequestRewrite {
  /** Statements that must open the method function (body read, header locals, query object). */
  prelude: Node[];
  /** The local that holds the parsed body, when the body is read. */
  bodyLocal?: string;
  usesParams: boolean;
  /** Compat module exports this body needs. */
  compat: Set<string>;
  /** Set when `req` is used in a way that has no rewrite. */
  escape?: { line?: number; detail: string; reason: Reason };
  /** What the report says of a rewrite that is not exact for every request (the socket's address). */
  notes: string[];
}

export interface RequestOptions {
  snip: Snippets;
  reqName: string;
  /** Name of the App Router request parameter and of the awaited params. */
  request: string;
  params: string;
  routeParams: string[];
  /**
   * The route params are not known here (a wrapper's twin serves every route): a query read goes through pagesQuery
   * with the params local, as where the route has params.
   */
  anyRouteParams?: boolean;
  /**
   * Route params that Pages always filled from the path. An absent optional catch-all is not one of them: Pages then
   * took a search parameter of the same name, so reads of it go through the Pages query object.
   */
  pathParams: string[];
  /** `config.api.bodyParser === false`: the handler reads the raw stream itself. */
  rawBody: boolean;
  /** The output is TypeScript: locals may carry a type. */
  typescript?: boolean;
  /**
   * The source typed its request `any` (`(req: any) => …`): every read of it was any, so the locals that stand for
   * them are too. Typed as a header is (`string | null`), one could fail where the source type-checked: a declared
   * return type of `string`, or `.pop().trim()` on a split.
   */
  anyTyped?: boolean;
  /** `config.api.bodyParser.sizeLimit` as code, when it is not the default 1mb. */
  bodyLimit?: string;
  /** Local names of `buffer` from 'micro' and the default of 'raw-body', which read a whole body. */
  bodyReaders: Set<string>;
  /** Those of them that are micro's `buffer`: read through the compat module's microBuffer, as micro read. */
  microReaders?: Set<string>;
  /** Readers that give the body's text, with the arguments of their toString (body-readers.ts). */
  readerTexts?: Map<string, string[]>;
  /** Picks a local name not used in the function. */
  fresh: (base: string) => string;
  /**
   * Fields a wrapper around the handler sets on the request (request-extras.ts): reads and writes of them stay on the
   * App Router request (`req.user` → `request.user`).
   */
  extras?: Set<string>;
}

/** Whether the child at `key` is only tested for truthiness, its value used nowhere else. */
function isTestOf(parent: Node, key: string): boolean {
  if ((parent.type === 'IfStatement' || parent.type === 'WhileStatement' || parent.type === 'ConditionalExpression') && key === 'test') return true;
  return parent.type === 'UnaryExpression' && parent.operator === '!';
}

/** Places where `null` and `undefined` behave the same, so `headers.get()` needs no `?? undefined`. */
function isTruthinessContext(parent: Node, key: string): boolean {
  if (isTestOf(parent, key)) return true;
  if (parent.type === 'LogicalExpression' && key === 'left' && (parent.operator === '||' || parent.operator === '??')) return true;
  return (parent.type === 'OptionalMemberExpression' || parent.type === 'OptionalCallExpression') && key === 'object';
}

/** The key of `parent` that holds `child`, or undefined. */
function keyIn(parent: Node, child: Node): string | undefined {
  return Object.keys(parent).find((k) => parent[k] === child || (Array.isArray(parent[k]) && parent[k].includes(child)));
}

function keyOf(parent: Node, child: Node): string {
  const key = keyIn(parent, child);
  if (key === undefined) throw new Error('child not found in parent');
  return key;
}

function replaceIn(parent: Node, child: Node, replacement: Node): void {
  const key = keyOf(parent, child);
  replaceChild(parent, child, replacement);
  // `{ url: req.url }` → `{ url }`, not `{ url: url }`.
  if (parent.type === 'ObjectProperty' && key === 'value' && !parent.computed && isIdent(parent.key) && isIdent(replacement, parent.key.name)) {
    parent.shorthand = true;
    parent.value = parent.key;
  }
}

interface Local {
  name: string;
  /** Some read needs `undefined` (not `null`) for a missing value. */
  keepUndefined: boolean;
  /**
   * Some read calls the value (`req.headers.get('x')` after `typeof req.headers.get === 'function'`: a helper written
   * for both a Request and a Pages req). A header is never a function, so Pages never took that branch, and neither
   * does the route; but typed as a string, TypeScript rejects the call (TS2349), where the source's `req` was any.
   */
  called?: boolean;
}

interface Alias {
  name: string;
  declarator: Node;
  /** For `const { body, query } = req`: the one property that the local replaces. */
  property?: Node;
}

/** A top-level `const X = req.<what>…` (or `const { body: X } = req`) whose X can become the hoisted local itself. */
function adoptableAliases(body: Node[], reqName: string): Map<string, Alias> {
  const found = new Map<string, Alias>();
  for (const stmt of body) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'const') continue;
    for (const d of stmt.declarations) {
      const init = d.init && unwrap(d.init);
      if (d.id.type === 'Identifier' && init && init === d.init) {
        const key = readKey(init, reqName);
        if (key && !found.has(key)) found.set(key, { name: d.id.name, declarator: d });
      }
      if (d.id.type === 'ObjectPattern' && isIdent(init, reqName)) {
        const p = d.id.properties.find((q: Node) => q.type === 'ObjectProperty' && !q.computed && isIdent(q.key, 'body') && q.value.type === 'Identifier');
        if (p && !found.has('body')) found.set('body', { name: p.value.name, declarator: d, property: d.id.properties.length > 1 ? p : undefined });
      }
    }
  }
  return found;
}

/** `req.body` → 'body', `req.url` → 'url', `req.headers.x` → 'header:x', `req.cookies.x` → 'cookie:x'. */
function readKey(node: Node, reqName: string): string | null {
  const name = memberName(node);
  if (name === null) return null;
  const object = unwrap(node.object);
  if ((name === 'body' || name === 'url') && isIdent(object, reqName)) return name;
  const group = memberName(object);
  if ((group === 'headers' || group === 'cookies') && isIdent(unwrap(object.object), reqName)) return `${group === 'headers' ? 'header' : 'cookie'}:${group === 'headers' ? name.toLowerCase() : name}`;
  return null;
}

export function rewriteRequest(body: Node[], opts: RequestOptions): RequestRewrite {
  const { snip, reqName } = opts;
  const out: RequestRewrite = { prelude: [], usesParams: false, compat: new Set(), notes: [] };
  const refs = referencesTo(body, reqName);
  // Before any rewrite: where the code reads x-forwarded-for, for the socket fallback below.
  markForwardedReads(body, refs, reqName);
  const adopted = adoptableAliases(body, reqName);
  const locals = new Map<string, Local>();
  const localFor = (key: string, base: string, keepUndefined: boolean): string => {
    let local = locals.get(key);
    if (!local) {
      const alias = adopted.get(key);
      local = { name: alias ? alias.name : opts.fresh(base), keepUndefined: false };
      if (alias?.property) alias.property.__adopted = true;
      else if (alias) alias.declarator.__remove = true;
      locals.set(key, local);
    }
    local.keepUndefined ||= keepUndefined;
    return local.name;
  };

  const hasRouteParams = opts.routeParams.length > 0 || !!opts.anyRouteParams;
  // Whether route params alone serve every `req.query` read decides between `params` and a Pages query object.
  let paramsOnly = true;
  let readsQuery = false;
  for (const ref of refs) {
    let keys: string[] | null = null;
    if (memberName(ref.parent) === 'query' && ref.key === 'object') keys = queryKeys(ref.parent, ref.ancestors);
    else if (ref.parent.type === 'VariableDeclarator' && ref.parent.id.type === 'ObjectPattern') {
      const prop = ref.parent.id.properties.find((p: Node) => p.type === 'ObjectProperty' && isIdent(p.key, 'query'));
      if (!prop) continue;
      keys = patternKeys(prop.value);
    } else continue;
    readsQuery = true;
    if (!(keys && keys.length && keys.every((k) => opts.pathParams.includes(k)))) paramsOnly = false;
  }
  let queryName: string | null = null;
  let queryReassigned = false;
  const queryExpr = (): Node => {
    if (paramsOnly) {
      out.usesParams = true;
      return snip.expression(opts.params);
    }
    queryName ??= opts.fresh('query');
    return snip.expression(queryName);
  };
  const queryInline = (): Node => {
    if (paramsOnly) return queryExpr();
    out.compat.add('pagesQuery');
    if (hasRouteParams) out.usesParams = true;
    return snip.expression(`pagesQuery(${opts.request}${hasRouteParams ? `, ${opts.params}` : ''})`);
  };
  const bodyExpr = (): Node => snip.expression(localFor('body', 'body', false));
  const setsBody = opts.rawBody && refs.some((ref) => memberName(ref.parent) === 'body' && ref.key === 'object' && isWritten(ref));
  // A local, not the expression: `req.url ?? '/'` must stay valid TypeScript (a `+` expression is never nullish).
  const urlExpr = () => snip.expression(localFor('url', 'url', false));

  for (const ref of refs) {
    const { parent, key } = ref;
    const grand = ref.ancestors[ref.ancestors.length - 2];
    const member = memberName(parent);
    if (member !== null && key === 'object') {
      if (opts.extras?.has(member) && !parent.computed) {
        ref.node.name = opts.request;
        continue;
      }
      // A write (`req.headers['x-seen'] = '1'`, `req.method = …`, `delete req.cookies.a`) has no counterpart: the
      // rewrite reads headers and cookies into locals once, and a Request's own properties cannot be set. The body
      // and the query are locals of their own, which a write changes for the reads after it, as in Pages.
      if (member !== 'body' && member !== 'query' && isWritten(ref)) return escape(out, ref, `req.${member} is written`);
      switch (member) {
        case 'method':
          ref.node.name = opts.request;
          continue;
        case 'query':
          // `req.query = {…}` gives the route's query local a new value: it is a `let` then.
          if ((grand?.type === 'AssignmentExpression' && grand.left === parent) || (grand?.type === 'UpdateExpression' && grand.argument === parent)) queryReassigned = true;
          replaceIn(grand, parent, queryExpr());
          continue;
        case 'body':
          if (opts.rawBody) {
            // With bodyParser: false, Pages left req.body undefined until the handler set it itself
            // (`req.body = JSON.parse(raw)`): a local that starts undefined does the same. Never set, it is a bug.
            if (!setsBody) return escape(out, ref, 'req.body is undefined with bodyParser: false');
            replaceIn(grand, parent, snip.expression(localFor('rawBody', 'body', false)));
            continue;
          }
          replaceIn(grand, parent, bodyExpr());
          continue;
        case 'url':
          replaceIn(grand, parent, urlExpr());
          continue;
        case 'headers':
        case 'cookies': {
          const name = grand && memberName(grand);
          const outer = ref.ancestors[ref.ancestors.length - 3];
          if (name !== null && grand.object === parent && outer) {
            const lookup = member === 'headers' ? name.toLowerCase() : name;
            const key = `${member === 'headers' ? 'header' : 'cookie'}:${lookup}`;
            const local = localFor(key, camelName(lookup), !isTruthinessContext(outer, keyOf(outer, grand)));
            if ((outer.type === 'CallExpression' || outer.type === 'OptionalCallExpression') && outer.callee === grand) locals.get(key)!.called = true;
            replaceIn(outer, grand, snip.expression(local));
          } else {
            const helper = member === 'headers' ? 'pagesHeaders' : 'pagesCookies';
            out.compat.add(helper);
            replaceIn(grand, parent, snip.expression(`${helper}(${opts.request})`));
          }
          continue;
        }
        default: {
          const address = addressFallback(ref, body);
          if (address) {
            const { read, outer } = address;
            // A local of its own, typed as the socket's address was even where the header's keeps Pages' type.
            const local = snip.expression(localFor(`address:${FORWARDED_FOR}`, 'remoteAddress', !isTruthinessContext(outer, keyOf(outer, read))));
            local.__address = true;
            replaceIn(outer, read, local);
            out.notes.push(addressNote(`${reqName}.${member}.${read === grand ? '' : 'socket.'}remoteAddress`, ref.node.loc?.start.line));
            continue;
          }
          // The socket has no counterpart on a Request; the stream is read whole, not by events.
          return escape(out, ref, `req.${member}`, /^(socket|connection)/.test(member) ? 'REQ_NODE_ONLY' : /^(on|once|pipe|read|setEncoding)$/.test(member) ? 'DYNAMIC_BODY_STREAM' : 'REQ_ESCAPES');
        }
      }
    }
    if (parent.type === 'VariableDeclarator' && key === 'init' && parent.id.type === 'ObjectPattern') {
      if (parent.__remove) continue;
      // Read the body local first: a `body` property this declarator holds may become that local.
      if (parent.id.properties.some((p: Node) => p.type === 'ObjectProperty' && isIdent(p.key, 'body'))) bodyExpr();
      const parts = destructure(parent, { queryInline, bodyExpr, urlExpr, request: opts.request, compat: out.compat, rawBody: opts.rawBody, snip, extras: opts.extras });
      if (!parts) return escape(out, ref, 'destructuring of req');
      if (parts.length) parent.__expandTo = parts;
      else parent.__remove = true;
      continue;
    }
    const read = opts.rawBody ? throughCasts(ref) : ref;
    if (opts.rawBody && isStreamRead(read, opts.bodyReaders, opts.microReaders)) {
      rewriteStreamRead(read, opts, out.compat);
      continue;
    }
    if (isTestOf(parent, key)) {
      // `if (req)`, `!req`: the request is an object in both routers, so the test reads the same.
      ref.node.name = opts.request;
      continue;
    }
    const p = unwrap(parent);
    if (p.type === 'CallExpression' || p.type === 'NewExpression') return escape(out, ref, passedTo('req', p));
    // `getSession({ req, res })`: said as the call it goes to.
    const [call, object] = [ref.ancestors.at(-3), ref.ancestors.at(-2)];
    if (parent.type === 'ObjectProperty' && key === 'value' && object?.type === 'ObjectExpression' && (call?.type === 'CallExpression' || call?.type === 'NewExpression') && call.arguments.includes(object)) return escape(out, ref, `${passedTo('req', call)} in an object`);
    return escape(out, ref, `req used in a ${parent.type}`, parent.type === 'ForOfStatement' ? 'DYNAMIC_BODY_STREAM' : 'REQ_ESCAPES');
  }
  rebuildDeclarations(body, snip);

  const bodyLocal = locals.get('body');
  if (bodyLocal) {
    out.bodyLocal = bodyLocal.name;
    out.compat.add('readPagesBody');
    // Pages answered a malformed JSON body with 400 before the handler ran; the reader returns that response. A
    // handler that assigns req.body (`req.body = JSON.parse(req.body)`) assigns the local: a `let` then.
    const keyword = isAssignedIn({ type: 'BlockStatement', body }, bodyLocal.name) ? 'let' : 'const';
    out.prelude.push(...snip.statements(`${keyword} ${bodyLocal.name} = await readPagesBody(${opts.request}${opts.bodyLimit ? `, ${opts.bodyLimit}` : ''})${END}\nif (${bodyLocal.name} instanceof Response) return ${bodyLocal.name}${END}`));
  }
  // Only a header's local can keep Pages' type (below): no walk without one.
  const arrayTested = opts.typescript && [...locals.keys()].some((key) => key.startsWith('header:')) ? arrayTestedNames(body) : new Set<string>();
  const setBody = locals.get('rawBody');
  if (setBody) out.prelude.push(...snip.statements(`let ${setBody.name}${opts.typescript ? ': any' : ''}${END}`));
  const urlLocal = locals.get('url');
  if (urlLocal) out.prelude.push(...snip.statements(`const ${urlLocal.name} = ${opts.request}.nextUrl.pathname + ${opts.request}.nextUrl.search${END}`));
  for (const [key, local] of locals) {
    if (key === 'body' || key === 'url' || key === 'rawBody') continue;
    const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    // A cookie as Pages read it (pagesCookies: the first of a repeated name, unquoted, …), not as request.cookies does.
    const cookie = () => {
      out.compat.add('pagesCookies');
      return `pagesCookies(${opts.request})${/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${snip.str(name)}]`}`;
    };
    // A header the code tests with Array.isArray keeps Pages' type (a string array for a repeated header): as a plain
    // string, the branch after `if (typeof xff === 'string') return …` would narrow it to never (TS2339). A cast, not
    // an annotation, which TypeScript would narrow to the type of the value assigned.
    const pagesTyped = kind === 'header' && opts.typescript && !opts.anyTyped && !local.called && arrayTested.has(local.name);
    const get = `${opts.request}.headers.get(${snip.str(name)})${local.keepUndefined || pagesTyped ? ' ?? undefined' : ''}`;
    const read = kind === 'cookie' ? cookie() : pagesTyped ? `(${get}) as string | string[] | undefined` : get;
    // A value that is called is typed unknown: `typeof x === 'function'` then narrows it to a callable Function.
    const type = !opts.typescript ? '' : opts.anyTyped ? ': any' : local.called ? ': unknown' : '';
    out.prelude.push(...snip.statements(`const ${local.name}${type} = ${read}${END}`));
  }
  if (readsQuery && !paramsOnly && queryName) {
    out.compat.add('pagesQuery');
    if (hasRouteParams) out.usesParams = true;
    out.prelude.push(...snip.statements(`${queryReassigned ? 'let' : 'const'} ${queryName}${opts.typescript && opts.anyTyped ? ': any' : ''} = pagesQuery(${opts.request}${hasRouteParams ? `, ${opts.params}` : ''})${END}`));
  }
  return out;
}

/** The names `Array.isArray(name)` tests in `body`. */
function arrayTestedNames(body: Node[]): Set<string> {
  const names = new Set<string>();
  walk({ type: 'BlockStatement', body }, (node) => {
    if ((node.type === 'CallExpression' || node.type === 'OptionalCallExpression') && memberName(node.callee) === 'isArray' && isIdent(node.callee.object, 'Array') && isIdent(node.arguments[0])) names.add(node.arguments[0].name);
  });
  return names;
}

const FORWARDED_FOR = 'x-forwarded-for';

/**
 * Marks, on each node above a read of the x-forwarded-for header (or of a const set from one: `const xff =
 * req.headers['x-forwarded-for']`), the keys of its children that lead to the read (`__xff`).
 */
function markForwardedReads(body: Node[], refs: Reference[], reqName: string): void {
  const reads = refs.filter((ref) => readKey(ref.ancestors[ref.ancestors.length - 2], reqName) === `header:${FORWARDED_FOR}`);
  if (!reads.length) return;
  const up = new Map<Node, { parent: Node; key: string }>();
  for (const stmt of body) walk(stmt, (node, parent, key) => void (parent && up.set(node, { parent, key })));
  const mark = (node: Node) => {
    for (let at = up.get(node); at; at = up.get(at.parent)) (at.parent.__xff ??= new Set<string>()).add(at.key);
  };
  const aliases = new Set<string>();
  for (const ref of reads) {
    const read = ref.ancestors[ref.ancestors.length - 2];
    mark(read);
    const declarator = ref.ancestors.findLast((a) => a.type === 'VariableDeclarator');
    if (declarator?.id.type === 'Identifier' && declarator.init && ref.ancestors.includes(declarator.init)) aliases.add(declarator.id.name);
  }
  // Each use of such a const, wherever it is declared (a nested block's own const is no shadow here: it is the one).
  if (aliases.size) for (const stmt of body) walk(stmt, (node) => void (node.type === 'Identifier' && aliases.has(node.name) && mark(node)));
}

/**
 * `req.socket.remoteAddress` (or `req.connection.remoteAddress`) as the fallback of an x-forwarded-for read: the right
 * of `||` or `??` whose left reads the header (`xff?.split(',')[0] || req.socket.remoteAddress`), the alternate of a
 * test of it (`xff ? … : req.socket.remoteAddress`), or a return after an `if` that tests it (`getClientIp(req)`). A
 * Request has no socket, but Next's server sets x-forwarded-for to the socket's address when a request comes without
 * it (base-server, 14.2 to 16.4), so the header gives the same address then. Pages gave the socket's address where a
 * request brought a header that the code passed over (empty, say); that header is what the route gets, and the report
 * says so. Read anywhere else (`const peer = req.socket.remoteAddress`, then trusted or not), it gave a proxy's address
 * in Pages, which the code may check, and the client's in the route: it stays a Node-only read.
 *
 * `req.connection.socket.remoteAddress`, the last fallback of a helper copied across the web, is one too where the
 * `||` before it ends in such a fallback (`… || req.socket.remoteAddress || req.connection.socket.remoteAddress`): the
 * connection is the socket, whose `socket` is undefined, so Pages reached it only for a socket with no address; in
 * the route it stands after the header's value, as the fallback before it does. After anything else (the header's
 * read, a value made from the address), Pages reached it for requests whose header the code passed over, and threw
 * (or, read with `?.`, gave undefined): it stays.
 * The read replaced and the node that holds it, or null.
 */
function addressFallback(ref: Reference, body: Node[]): { read: Node; outer: Node } | null {
  const grand = ref.ancestors[ref.ancestors.length - 2];
  const member = memberName(ref.parent) ?? '';
  if (!/^(socket|connection)$/.test(member) || grand?.object !== ref.parent) return null;
  // The legacy `req.connection.socket.remoteAddress`: one member more.
  const legacy = member === 'connection' && memberName(grand) === 'socket';
  const read = legacy ? ref.ancestors[ref.ancestors.length - 3] : grand;
  if (memberName(read) !== 'remoteAddress' || (legacy && read.object !== grand)) return null;
  if (isWritten(ref)) return null;
  const start = ref.ancestors.length - (legacy ? 4 : 3);
  const outer = ref.ancestors[start];
  if (legacy && !(outer?.type === 'LogicalExpression' && outer.operator === '||' && outer.right === read && endsInAddressRead(outer.left, ref.node.name))) return null;
  return isFallbackAt(ref.ancestors, start, read, body) ? { read, outer } : null;
}

/**
 * Whether `node` is a read of the socket's address (`req.socket.remoteAddress`, or the header's local it became), or a
 * `||` chain that ends in one: then it is truthy whenever the socket has an address, in Pages.
 */
function endsInAddressRead(node: Node, reqName: string): boolean {
  const n = unwrap(node);
  if (n?.__address) return true;
  if (memberName(n) === 'remoteAddress' && /^(socket|connection)$/.test(memberName(n.object) ?? '') && isIdent(n.object.object, reqName)) return true;
  return n?.type === 'LogicalExpression' && n.operator === '||' && endsInAddressRead(n.right, reqName);
}

/** Whether `read`, held by `ancestors[start]`, is the fallback of an x-forwarded-for read (addressFallback). */
function isFallbackAt(ancestors: Node[], start: number, read: Node, body: Node[]): boolean {
  let child = read;
  for (let i = start; i >= 0; i--) {
    const node = ancestors[i];
    const key = keyIn(node, child);
    if (!key) return false;
    if (node.type === 'LogicalExpression' && node.operator !== '&&' && key === 'right' && node.__xff?.has('left')) return true;
    if ((node.type === 'ConditionalExpression' || node.type === 'IfStatement') && key === 'alternate' && node.__xff?.has('test')) return true;
    if (node.type === 'ReturnStatement') {
      // A statement of the rewritten body itself has no ancestor: its list is the body.
      const list = i === 0 ? body : ancestors[i - 1]?.body;
      const at = Array.isArray(list) ? list.indexOf(node) : -1;
      return at > 0 && list.slice(0, at).some((stmt: Node) => stmt.type === 'IfStatement' && stmt.__xff?.has('test'));
    }
    if (/Statement|Declarat/.test(node.type) || node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') return false;
    child = node;
  }
  return false;
}

/** Whether a request parameter is typed `any` (RequestOptions.anyTyped). */
export function typedAny(param: Node | undefined): boolean {
  return param?.typeAnnotation?.typeAnnotation?.type === 'TSAnyKeyword';
}

function addressNote(read: string, line: number | undefined): string {
  return `${line ? `line ${line}: ` : ''}${read} became the x-forwarded-for header it falls back from: Next's server sets that header to the socket's address when a request has none, so the address is the same then; a request that brings the header itself, empty or in a form the code passes over, gets its value where Pages gave the socket's address`;
}

/** Whether the member chain that starts at `ref` (`req.headers['x']`) is assigned, updated or deleted. */
function isWritten(ref: Reference): boolean {
  let node: Node = ref.node;
  let at = ref.ancestors.length - 1;
  while (at >= 0 && ref.ancestors[at].type === 'MemberExpression' && ref.ancestors[at].object === node) node = ref.ancestors[at--];
  const container = ref.ancestors[at];
  if (!container) return false;
  return (container.type === 'AssignmentExpression' && container.left === node) || container.type === 'UpdateExpression' || (container.type === 'UnaryExpression' && container.operator === 'delete');
}

function escape(out: RequestRewrite, ref: Reference, detail: string, reason: Reason = 'REQ_ESCAPES'): RequestRewrite {
  out.escape = { line: ref.node.loc?.start.line, detail, reason };
  return out;
}

/** Keys read from `req.query`: `req.query.id` → ['id'], `const { a, b } = req.query` → ['a','b'], else null. */
function queryKeys(queryMember: Node, ancestors: Node[]): string[] | null {
  const outer = ancestors[ancestors.length - 2];
  const name = outer && memberName(outer);
  if (name !== null && outer.object === queryMember) return [name];
  if (outer?.type === 'VariableDeclarator' && outer.init === queryMember) return patternKeys(outer.id);
  return null;
}

function patternKeys(pattern: Node): string[] | null {
  if (pattern?.type !== 'ObjectPattern') return null;
  const keys: string[] = [];
  for (const p of pattern.properties) {
    if (p.type !== 'ObjectProperty' || p.computed) return null;
    const key = p.key.type === 'Identifier' ? p.key.name : stringValue(p.key);
    if (key === null) return null;
    keys.push(key);
  }
  return keys;
}

interface DestructureContext {
  /** The query as a value of its own: `const { query } = req` needs no second local. */
  queryInline: () => Node;
  bodyExpr: () => Node;
  urlExpr: () => Node;
  request: string;
  compat: Set<string>;
  rawBody: boolean;
  snip: Snippets;
  /** Fields a wrapper set on the request (`const { userId } = req`): read on the App Router request, as `req.userId` is. */
  extras?: Set<string>;
}

/** `const { query, body, method } = req` → one declarator per property, each reading its App Router source. */
function destructure(declarator: Node, ctx: DestructureContext): Node[] | null {
  const parts: Node[] = [];
  for (const p of declarator.id.properties) {
    if (p.__adopted) continue;
    if (p.type !== 'ObjectProperty' || p.computed || p.key.type !== 'Identifier') return null;
    let source: Node;
    switch (p.key.name) {
      case 'method':
        source = ctx.snip.expression(`${ctx.request}.method`);
        break;
      case 'query':
        source = ctx.queryInline();
        break;
      case 'body':
        if (ctx.rawBody) return null;
        source = ctx.bodyExpr();
        break;
      case 'headers':
      case 'cookies': {
        const helper = p.key.name === 'headers' ? 'pagesHeaders' : 'pagesCookies';
        ctx.compat.add(helper);
        source = ctx.snip.expression(`${helper}(${ctx.request})`);
        break;
      }
      case 'url':
        source = ctx.urlExpr();
        break;
      default:
        // A default of a wrapper's field applies when it was not set: kept only where Pages' fields are read.
        if (!ctx.extras?.has(p.key.name) || p.value.type === 'AssignmentPattern') return null;
        source = ctx.snip.expression(`${ctx.request}.${p.key.name}`);
    }
    // A default (`{ body = {} }`) never applied: Pages always set query, body, headers and cookies.
    const target = p.value.type === 'AssignmentPattern' ? p.value.left : p.value;
    const [declaration] = ctx.snip.statements(`const ${ctx.snip.src(target)} = ${ctx.snip.src(source)}`);
    const part = declaration.declarations[0];
    part.__fromReq = true;
    parts.push(part);
  }
  return parts;
}

/**
 * Applies the declarator expansions and removals recorded while rewriting: each changed declaration becomes one
 * declaration per declarator, built from text (recast would reprint a changed declaration in its own style).
 */
function rebuildDeclarations(roots: Node[], snip: Snippets): void {
  for (const list of statementLists(roots)) {
    for (let i = list.length - 1; i >= 0; i--) {
      const stmt = list[i];
      if (stmt.type !== 'VariableDeclaration' || !stmt.declarations.some((d: Node) => d.__remove || d.__expandTo)) continue;
      const declarators = stmt.declarations.flatMap((d: Node) => (d.__remove ? [] : (d.__expandTo ?? [d])));
      const rebuilt = declarators.map((d: Node) => {
        const [declaration] = snip.statements(`${stmt.kind} ${snip.src(d)}${END}`);
        declaration.declarations[0].__fromReq = d.__fromReq;
        return declaration;
      });
      if (rebuilt.length) rebuilt[0] = snip.withCommentsOf(stmt, rebuilt[0]);
      list.splice(i, 1, ...rebuilt);
    }
  }
}

/** Removes declarations made from `req` destructuring (`const method = request.method`) that nothing reads any more. */
export function dropUnusedRequestLocals(body: Node[], isUsed: (name: string) => boolean): void {
  for (const list of statementLists(body)) {
    for (let i = list.length - 1; i >= 0; i--) {
      const stmt = list[i];
      if (stmt.type !== 'VariableDeclaration' || stmt.declarations.length !== 1) continue;
      const d = stmt.declarations[0];
      if (d.__fromReq && d.id.type === 'Identifier' && !isUsed(d.id.name)) list.splice(i, 1);
    }
  }
}

/** The reference as its TypeScript casts and parentheses are (`req as any` in `for await (… of req as any)`). */
function throughCasts(ref: Reference): Reference {
  let i = ref.ancestors.length - 1;
  let node = ref.node;
  while (i > 0 && isWrapper(ref.ancestors[i])) node = ref.ancestors[i--];
  if (node === ref.node) return ref;
  const parent = ref.ancestors[i];
  const key = keyIn(parent, node);
  return key ? { node, parent, key, ancestors: ref.ancestors.slice(0, i + 1) } : ref;
}

function isStreamRead(ref: Reference, readers: Set<string>, micro?: Set<string>): boolean {
  const { parent, key } = ref;
  if (parent.type === 'ForOfStatement' && key === 'right' && parent.await) return true;
  if (parent.type !== 'CallExpression' || key !== 'arguments' || parent.arguments.length !== 1 || !isIdent(parent.callee) || !readers.has(parent.callee.name)) return false;
  // The read's replacement is the Buffer itself, awaited where the call stood: a call used as a promise
  // (`read(req).catch(…)`, `Promise.race([read(req), …])`) would get a Buffer. micro's stays a promise (microBuffer).
  return micro?.has(parent.callee.name) || ref.ancestors[ref.ancestors.length - 2]?.type === 'AwaitExpression';
}

/**
 * `for await (const c of req)` reads chunks from the request body; `await buffer(req)` / `getRawBody(req)` read it
 * whole (micro's `buffer` as micro did: microBuffer).
 */
function rewriteStreamRead(ref: Reference, opts: RequestOptions, compat: Set<string>): void {
  const { parent } = ref;
  if (parent.type === 'ForOfStatement') {
    compat.add('bodyChunks');
    parent.right = opts.snip.expression(`bodyChunks(${opts.request})`);
    return;
  }
  const grand = ref.ancestors[ref.ancestors.length - 2];
  if (opts.microReaders?.has(parent.callee.name)) {
    // A promise as micro's, awaited or not.
    compat.add('microBuffer');
    replaceIn(grand, parent, opts.snip.expression(`microBuffer(${opts.request})`));
    return;
  }
  // A reader that gave the Buffer's text gives the same text of the same bytes.
  const text = opts.readerTexts?.get(parent.callee.name);
  const read = opts.snip.expression(`Buffer.from(await ${opts.request}.arrayBuffer())${text ? `.toString(${text.map((a) => opts.snip.str(a)).join(', ')})` : ''}`);
  if (grand.type === 'AwaitExpression') replaceIn(ref.ancestors[ref.ancestors.length - 3], grand, read);
  else replaceIn(grand, parent, read);
}
