/**
 * multer uploads with memory storage: `const upload = multer({ storage: multer.memoryStorage(), limits })`, then
 * `await runMiddleware(req, res, upload.single('file'))` (or the inline `new Promise` form, see run-middleware.ts)
 * and reads of `req.file`, `req.files` and `req.body` → `const form = await readMulter(request, { single: 'file' },
 * limits)` and `form.file`, `form.files`, `form.body`. readMulter is a function added to the route that reads
 * `request.formData()` into what multer gave: text fields in a null-prototype body (bracket names nest as multer's
 * append-field builds them), each file as `{ fieldname, originalname, encoding, mimetype, buffer, size }` (the name
 * cut to its base and decoded as latin1, as busboy does by default), `req.file` for single(), an array for array()
 * and any(), an object of arrays for fields(), and multer's own MulterError for an unexpected file field
 * (LIMIT_UNEXPECTED_FILE, also over maxCount), a file over limits.fileSize and a field over limits.fieldSize (1 MB
 * by default). A request without a multipart body passes untouched, as with multer.
 * Disk storage (`dest`, `diskStorage`), fileFilter, other options and limits, and other shapes are left
 * (MULTER_NOT_FOLLOWED).
 */
import { countIdentifiers, isIdent, isWrapper, memberName, replaceChild, unwrap, walk, freshName, END, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { awaitedMiddlewareRun, unusedRunner } from './run-middleware.js';
import { valueImports } from './imports.js';

const LIMITS = ['fileSize', 'fieldSize'];
const READS = ['file', 'files', 'body'];

export interface MulterRecipe {
  notes: string[];
  /**
   * Run once the handler has been replaced: removes the multer instance, the middleware and the runner the route no
   * longer uses, and adds readMulter (statements are removed only then, so the handler's index stays right).
   */
  finish?: () => void;
  /** Set when multer is used in a way the recipe cannot keep: the file is left with this detail. */
  problem?: { line?: number; detail: string };
}

interface Instance {
  /** The module statement that declares it (goes once nothing else uses it). */
  stmt: Node;
  options: Node | null;
}

/** The local name of multer's default (or namespace) import, and every local name by the export it names. */
function multerImport(program: Node): { name: string | null; named: Map<string, string>; found: boolean } {
  const imports = valueImports(program, 'multer');
  const out = { name: null as string | null, named: new Map<string, string>(), found: imports.length > 0 };
  for (const { local, imported } of imports) {
    if (imported === 'default' || imported === '*') out.name = local;
    if (imported !== '*') out.named.set(local, imported);
  }
  return out;
}

/** A module-level `const name = init`: its statement and init. */
function moduleConst(program: Node, name: string): { stmt: Node; init: Node } | null {
  for (const stmt of program.body) {
    if (stmt.type !== 'VariableDeclaration' || stmt.declarations.length !== 1) continue;
    const [decl] = stmt.declarations;
    if (isIdent(decl.id, name) && decl.init) return { stmt, init: unwrap(decl.init) };
  }
  return null;
}

export function rewriteMulter(snip: Snippets, program: Node, roots: Node[], reqName: string, resName: string, rawBody: boolean, ctx: { moduleNames: Set<string>; typescript: boolean; requestName: string }): MulterRecipe {
  const result: MulterRecipe = { notes: [] };
  const imported = multerImport(program);
  if (!imported.found) return result;
  const isMulter = (callee: Node) => (imported.name !== null && isIdent(callee, imported.name)) || (isIdent(callee) && imported.named.get(callee.name) === 'default');
  const isMemoryStorage = (node: Node): boolean => {
    const n = unwrap(node);
    if (isIdent(n)) {
      const bound = moduleConst(program, n.name);
      return !!bound && isMemoryStorage(bound.init);
    }
    if (n?.type !== 'CallExpression' || n.arguments.length) return false;
    const callee = unwrap(n.callee);
    return (memberName(callee) === 'memoryStorage' && isIdent(callee.object, imported.name ?? '')) || (isIdent(callee) && imported.named.get(callee.name) === 'memoryStorage');
  };

  /** `multer(opts)`, directly or through a module const: the instance, or null. */
  const instanceOf = (node: Node): Instance | null => {
    const n = unwrap(node);
    if (n?.type === 'CallExpression' && isMulter(unwrap(n.callee)) && n.arguments.length <= 1) return { stmt: null, options: n.arguments[0] ?? null };
    if (!isIdent(n)) return null;
    const bound = moduleConst(program, n.name);
    const inner = bound && bound.init.type === 'CallExpression' && isMulter(unwrap(bound.init.callee)) ? instanceOf(bound.init) : null;
    return inner ? { ...inner, stmt: bound!.stmt } : null;
  };

  // Every `await run(req, res, <multer middleware>)` in the handler, outside nested functions.
  const runs: Array<{ list: Node[]; stmt: Node; run: ReturnType<typeof awaitedMiddlewareRun> & object; method: string; args: Node[]; instance: Instance; middlewareStmt: Node | null }> = [];
  const lists: Node[][] = [roots];
  for (const root of roots) walk(root, (n) => void (n.type === 'BlockStatement' && lists.push(n.body)), true);
  for (const list of lists) {
    for (const stmt of list) {
      const run = awaitedMiddlewareRun(stmt, program, reqName, resName);
      if (!run) continue;
      let middleware = unwrap(run.middleware);
      let middlewareStmt: Node | null = null;
      if (isIdent(middleware)) {
        const bound = moduleConst(program, middleware.name);
        if (!bound) continue;
        middlewareStmt = bound.stmt;
        middleware = bound.init;
      }
      if (middleware.type !== 'CallExpression' || !['single', 'array', 'fields', 'any', 'none'].includes(memberName(middleware.callee) ?? '')) continue;
      const instance = instanceOf(middleware.callee.object);
      if (!instance) continue;
      runs.push({ list, stmt, run, method: memberName(middleware.callee)!, args: middleware.arguments, instance, middlewareStmt });
    }
  }
  if (!runs.length) {
    // multer used some other way (a callback to the middleware, a runner from another module): say so, rather than
    // leave it to the generic "req escapes" reason.
    const multerNames = new Set([imported.name, ...imported.named.keys()].filter((n): n is string => n !== null));
    for (const stmt of program.body) {
      const decl = stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
      const init = decl && isIdent(decl.id) ? unwrap(decl.init) : null;
      if (init && (instanceOf(init) || (init.type === 'CallExpression' && instanceOf(unwrap(init.callee).object ?? null)))) multerNames.add(decl.id.name);
    }
    const used = [...multerNames].find((name) => referencesTo(roots, name).length > 0);
    if (used) return { ...result, problem: { detail: `the handler uses ${used} in a way the tool does not follow (only await runMiddleware(req, res, upload.…) with a runner of the same file, or an awaited new Promise around upload.…(req, res, callback))` } };
    return result;
  }
  const line = runs[0].stmt.loc?.start.line;
  if (runs.length > 1) return { ...result, problem: { line, detail: 'multer runs more than once in the handler' } };
  const [found] = runs;
  if (!rawBody) return { ...result, problem: { line, detail: 'multer reads the request stream, which needs bodyParser: false' } };
  if (imported.name === null) return { ...result, problem: { line, detail: "multer is not imported by its default export (the route needs multer.MulterError)" } };
  const limits = checkOptions(found.instance.options, isMemoryStorage);
  if (typeof limits === 'string') return { ...result, problem: { line, detail: limits } };
  const accept = acceptArgument(snip, found.method, found.args);
  if (!accept) return { ...result, problem: { line, detail: `upload.${found.method}(…) with these arguments is not followed` } };

  // req.file, req.files and req.body: read only after the run, in the block that runs it, or after the try statement
  // that runs it when its catch always leaves the handler (multer's error never reaches those reads).
  const endOf = (list: Node[]) => Math.max(...list.map((s: Node) => s.end).filter(Number.isFinite));
  const ranges = [{ start: found.stmt.end, end: endOf(found.list) }];
  const tryStmt = lists.flat().find((s: Node) => s.type === 'TryStatement' && s.block.body === found.list);
  const tryList = tryStmt ? lists.find((l) => l.includes(tryStmt)) : undefined;
  const catchBody = tryStmt?.handler?.body.body ?? [];
  const leaves = (s: Node | undefined) => s?.type === 'ReturnStatement' || s?.type === 'ThrowStatement';
  if (tryStmt && tryList && !tryStmt.finalizer && leaves(catchBody[catchBody.length - 1])) ranges.push({ start: tryStmt.end, end: endOf(tryList) });
  const reads: Array<{ member: Node; parent: Node; after: boolean }> = [];
  for (const ref of referencesTo(roots, reqName)) {
    const chain = ref.ancestors;
    let i = chain.length - 1;
    while (i > 0 && isWrapper(chain[i])) i--;
    const member = chain[i];
    const name = memberName(member);
    if (!name || !READS.includes(name) || unwrap(member.object) !== ref.node) continue;
    const parent = chain[i - 1];
    if ((parent?.type === 'AssignmentExpression' && parent.left === member) || parent?.type === 'UpdateExpression') {
      return { ...result, problem: { line: member.loc?.start.line, detail: `req.${name} is assigned` } };
    }
    const range = ranges.findIndex((r) => ref.node.start > r.start && ref.node.end <= r.end);
    if (range < 0) return { ...result, problem: { line: member.loc?.start.line, detail: `req.${name} is read outside the code that runs after multer` } };
    reads.push({ member, parent, after: range === 1 });
  }

  const helper = freshName('readMulter', ctx.moduleNames);
  const formName = freshName('form', ctx.moduleNames);
  const { requestName } = ctx;
  // The whole member is replaced, so that `(req as any).file` loses its parentheses too.
  for (const { member, parent } of reads) replaceChild(parent, member, snip.expression(`${formName}.${memberName(member)}`));
  const call = `await ${helper}(${[requestName, accept, ...(limits ? [snip.src(limits)] : [])].join(', ')})`;
  const hoist = reads.some((r) => r.after);
  const [statement] = snip.statements(hoist ? `${formName} = ${call}${END}` : `const ${formName} = ${call}${END}`);
  found.list[found.list.indexOf(found.stmt)] = snip.withCommentsOf(found.stmt, statement);
  if (hoist) tryList!.splice(tryList!.indexOf(tryStmt), 0, ...snip.statements(`let ${formName}${ctx.typescript ? `: Awaited<ReturnType<typeof ${helper}>>` : ''}${END}`));
  const runnerGoes = found.run.runner ? countIdentifiers(program, found.run.runner) === 1 : false;
  if (runnerGoes) result.notes.push(`${found.run.runner}(), which ran the middleware with req and res, is no longer used and was removed`);

  // The middleware, the instance and the runner go once the route no longer uses them.
  result.finish = () => {
    for (const stmt of [found.middlewareStmt, found.instance.stmt]) {
      if (!stmt || !program.body.includes(stmt)) continue;
      const name = stmt.declarations[0].id.name;
      if (referencesTo(program.body.filter((s: Node) => s !== stmt), name).length === 0) program.body.splice(program.body.indexOf(stmt), 1);
    }
    // A `const storage = multer.memoryStorage()` that only the instance used.
    for (const stmt of [...program.body]) {
      const decl = stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
      if (decl && isIdent(decl.id) && unwrap(decl.init)?.type === 'CallExpression' && isMemoryStorage(decl.init) && referencesTo(program.body.filter((s: Node) => s !== stmt), decl.id.name).length === 0) {
        program.body.splice(program.body.indexOf(stmt), 1);
      }
    }
    const runner = runnerGoes ? unusedRunner(program, found.run.runner!) : null;
    if (runner) program.body.splice(program.body.indexOf(runner), 1);
    program.body.push(...snip.statements(helperCode(snip, helper, imported.name!, ctx.typescript)));
  };
  result.notes.push(`multer: upload.${found.method}(…) became ${helper}(request), which reads request.formData() into multer's req.body, req.file and req.files (memory storage); error messages of malformed multipart bodies are the platform's, not busboy's, and a part without a filename sent as application/octet-stream is a text field here where multer skipped it`);
  return result;
}

/** The limits node when the options hold memory storage (or none) and at most fileSize / fieldSize limits; else why not. */
function checkOptions(options: Node | null, isMemoryStorage: (n: Node) => boolean): Node | null | string {
  if (!options) return null;
  const o = unwrap(options);
  if (o.type !== 'ObjectExpression') return 'multer options that are not an object literal are not followed';
  let limits: Node | null = null;
  for (const p of o.properties) {
    const key = p.type === 'ObjectProperty' && !p.computed ? (p.key.name ?? p.key.value) : null;
    if (key === 'dest' || (key === 'storage' && !isMemoryStorage(p.value))) {
      return 'multer disk storage (dest, diskStorage or another engine) is not followed: request.formData() holds the whole upload in memory where the engine streamed each file, and the route would have to store each file where and under the name the engine chose, and remove them on an error';
    }
    if (key === 'storage') continue;
    if (key === 'limits') {
      const l = unwrap(p.value);
      const bad = l.type !== 'ObjectExpression' || l.properties.some((q: Node) => q.type !== 'ObjectProperty' || q.computed || !LIMITS.includes(q.key.name ?? q.key.value));
      if (bad) return `multer limits other than ${LIMITS.join(', ')} are not followed`;
      limits = l;
      continue;
    }
    return `the multer option ${key ?? '(computed or spread)'} is not followed${key === 'fileFilter' ? ' (a callback that takes req)' : ''}`;
  }
  return limits;
}

/** The helper's second argument for `upload.<method>(…args)`, or null when the arguments are not plain. */
function acceptArgument(snip: Snippets, method: string, args: Node[]): string | null {
  if (method === 'any' || method === 'none') return args.length === 0 ? snip.str(method) : null;
  if (method === 'single') return args.length === 1 ? `{ single: ${snip.src(args[0])} }` : null;
  if (method === 'array') return args.length >= 1 && args.length <= 2 ? `{ array: ${snip.src(args[0])}${args[1] ? `, maxCount: ${snip.src(args[1])}` : ''} }` : null;
  return args.length === 1 && unwrap(args[0]).type === 'ArrayExpression' ? `{ fields: ${snip.src(args[0])} }` : null;
}

function helperCode(snip: Snippets, name: string, multer: string, ts: boolean): string {
  const t = (type: string) => (ts ? type : '');
  const q = (s: string) => snip.str(s);
  const error = (code: string, filename = false) => `${fail}(${q(code)}, field${filename ? ', originalname' : ''})`;
  const fail = 'multerError';
  return `/** multer's upload.single / array / fields / any / none with memory storage, on a Request: req.body, req.file, req.files and multer's errors (written by migrate). */
async function ${name}(request${t(': Request')}, accept${t(": { single: string } | { array: string; maxCount?: number } | { fields: Array<{ name: string; maxCount?: number }> } | 'any' | 'none'")}, limits${t(': { fileSize?: number; fieldSize?: number }')} = {}) {
  // multer's own errors. MulterError takes its name from its class, which the App Router bundle minifies: the name is
  // set back. (@types/multer's ErrorCode lacks the codes multer 2 added, such as INVALID_FIELD_NAME.)
  const ${fail} = (code${t(': string')}, field${t(': string')}, filename${t('?: string')}) => Object.assign(new ${multer}.MulterError(code${t(' as never')}, field), { name: ${q('MulterError')} }, filename ? { filename } : {})${END}
  const form${t(': { body?: any; file?: any; files?: any }')} = {}${END}
  const type = request.headers.get(${q('content-type')}) ?? ${q('')}${END}
  // Like multer, a request without a multipart body passes untouched.
  if (!request.body || !/^\\s*multipart\\//i.test(type)) return form${END}
  if (!/^\\s*multipart\\/form-data\\s*(;|$)/i.test(type)) throw new Error(\`Unsupported content type: \${type}\`)${END}
  const left${t(': Record<string, number>')} = Object.create(null)${END}
  if (typeof accept === ${q('object')}) {
    const fields = ${q('single')} in accept ? [{ name: accept.single, maxCount: 1 }] : ${q('array')} in accept ? [{ name: accept.array, maxCount: accept.maxCount }] : accept.fields${END}
    for (const f of fields) left[f.name] = typeof f.maxCount === ${q('number')} ? f.maxCount : Infinity${END}
  }
  const files = accept === ${q('any')} || (typeof accept === ${q('object')} && ${q('array')} in accept) ? [] : typeof accept === ${q('object')} && ${q('fields')} in accept ? Object.create(null) : undefined${END}
  form.body = Object.create(null)${END}
  if (files) form.files = files${END}
  const fieldSize = typeof limits.fieldSize === ${q('number')} ? limits.fieldSize : 1024 * 1024${END}
  for (const [field, value] of Array.from((await request.formData()).entries())) {
    // busboy reads a part with an empty filename as a text field, unless it is application/octet-stream.
    const text = typeof value === ${q('string')} ? value : value.name === ${q('')} && !/^application\\/octet-stream\\s*(;|$)/i.test(value.type) ? await value.text() : null${END}
    if (text !== null) {
      if (Buffer.byteLength(text) > fieldSize) throw ${error('LIMIT_FIELD_VALUE')}${END}
      try {
        appendMulterField(form.body, field, text)${END}
      } catch {
        throw ${error('INVALID_FIELD_NAME')}${END}
      }
      continue${END}
    }
    if (typeof value === ${q('string')}) continue${END}
    // busboy keeps the file name's last path segment and decodes it as latin1 (multer's defParamCharset).
    const base = value.name.slice(Math.max(value.name.lastIndexOf(${q('/')}), value.name.lastIndexOf(${q('\\')})) + 1)${END}
    const originalname = base === ${q('.')} || base === ${q('..')} ? ${q('')} : Buffer.from(base).toString(${q('latin1')})${END}
    if (!originalname) continue${END}
    const allowed = accept === ${q('any')} ? Infinity : (left[field] ?? 0)${END}
    if (allowed <= 0) throw ${error('LIMIT_UNEXPECTED_FILE', true)}${END}
    left[field] = allowed - 1${END}
    if (typeof limits.fileSize === ${q('number')} && value.size > limits.fileSize) throw ${error('LIMIT_FILE_SIZE', true)}${END}
    const file = { fieldname: field, originalname, encoding: ${q('7bit')}, mimetype: value.type.split(${q(';')})[0].trim() || ${q('text/plain')}, buffer: Buffer.from(await value.arrayBuffer()), size: value.size }${END}
    if (!files) form.file = file${END}
    else if (Array.isArray(files)) files.push(file)${END}
    else (files[field] ??= []).push(file)${END}
  }
  return form${END}
}

/** multer's req.body: \`a[b]\`, \`a[0]\` and \`a[]\` names build nested objects and arrays, as its append-field package does. */
function appendMulterField(body${t(': any')}, name${t(': string')}, value${t(': string')}) {
  const steps${t(': Array<{ key: string | number; append: boolean; next: string }>')} = [{ key: name, append: false, next: ${q('')} }]${END}
  const first = /^[^[]*/.exec(name)${t('!')}[0]${END}
  let rest = name.slice(first.length)${END}
  if (first) steps[0].key = first${END}
  while (first && rest) {
    const last = steps[steps.length - 1]${END}
    if (rest.startsWith(${q('[]')})) {
      if (rest === ${q('[]')}) last.append = true${END}
      else steps.splice(0, steps.length, { key: name, append: false, next: ${q('')} })${END}
      break${END}
    }
    const part = /^\\[(\\d+)\\]/.exec(rest) ?? /^\\[([^\\]]+)\\]/.exec(rest)${END}
    if (!part) {
      steps.splice(0, steps.length, { key: name, append: false, next: ${q('')} })${END}
      break${END}
    }
    const index = /^\\d+$/.test(part[1])${END}
    last.next = index ? ${q('array')} : ${q('object')}${END}
    steps.push({ key: index ? parseInt(part[1], 10) : part[1], append: false, next: ${q('')} })${END}
    rest = rest.slice(part[0].length)${END}
  }
  let context = body${END}
  for (const step of steps.slice(0, -1)) {
    const current = context[step.key]${END}
    if (current === undefined) context = context[step.key] = step.next === ${q('array')} ? [] : Object.create(null)${END}
    else if (Array.isArray(current) ? step.next === ${q('array')} : typeof current === ${q('object')}) context = current${END}
    else {
      const object = Object.create(null)${END}
      if (Array.isArray(current)) current.forEach((item, i) => void (item !== undefined && (object[i] = item)))${END}
      else object[${q('')}] = current${END}
      context = context[step.key] = object${END}
    }
  }
  let { key, append } = steps[steps.length - 1]${END}
  for (;;) {
    const current = context[key]${END}
    if (current === undefined) context[key] = append ? [value] : value${END}
    else if (Array.isArray(current)) current.push(value)${END}
    else if (typeof current === ${q('object')}) {
      context = current${END}
      key = ${q('')}${END}
      append = false${END}
      continue${END}
    } else context[key] = [current, value]${END}
    return${END}
  }
}`;
}
