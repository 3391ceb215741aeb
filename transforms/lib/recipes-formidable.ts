/**
 * formidable v3 uploads: `const form = formidable({ uploadDir, maxFileSize }); const [fields, files] = await
 * form.parse(req)` (with `bodyParser: false`) → `const [fields, files] = await parseForm(request, { … })`, a function
 * added to the route that reads `request.formData()` into formidable's shapes: every field and file as an array
 * under its name, each file saved under a new name in the upload folder (the OS temp folder by default), with what
 * formidable's PersistentFile holds once written (`filepath`, `newFilename`, `originalFilename`, `mimetype`, `size`,
 * `lastModifiedDate`, `hash`, `toJSON()`, `toString()`; typed, in TypeScript, to pass where formidable's `File` is
 * expected), and formidable's own errors (with its
 * `httpCode`) for an empty file, and for files over `maxFileSize` (200 MB by default) in all: formidable checks
 * the bytes received so far against maxTotalFileSize, which defaults to maxFileSize (its message then gives the
 * bytes received when it stopped reading, here the total size). Also followed: `maxFiles` (its 413 when one more
 * file begins), `keepExtensions` (the new name ends with the original's extension, cut as formidable cuts it),
 * `multiples` (which v3 ignores) and `allowEmptyFiles: false` (its default). The parser is picked by the content
 * type as formidable picks it: JSON gives its parsed value as the fields, a type no parser takes formidable's error;
 * only an octet-stream body, which formidable saved as a file, differs (`request.formData()` rejects it).
 *
 * The callback form promised by hand, `await new Promise((resolve, reject) => { form.parse(req, (err, fields, files)
 * => { if (err) reject(err); else resolve([fields, files]); }); })`, is v3's own promise form (v3's parse builds the
 * same callback when given none): it becomes `await form.parse(req)` first (`.then(([fields, files]) => …)` for
 * another value resolved), then as above. Only for formidable 3 and later, whose callback gets the arrays; v1 and v2
 * gave single values. So is a callback that answers by itself as the handler's last work, once the error-first
 * callback rewrite has run it in the handler (inlinedCallbackParses). Other options, other callbacks and events are
 * not followed.
 */
import { isIdent, memberName, sourceLine, unwrap, walk, END, freshName, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { valueImports } from './imports.js';
import { versionAtLeast } from './version.js';

const OPTIONS = ['uploadDir', 'maxFileSize', 'maxFiles', 'keepExtensions', 'multiples', 'allowEmptyFiles'];
/** Options the helper takes (and for the first two, handles) only when a parse of the file sets them. */
type HelperFeature = 'maxFiles' | 'keepExtensions' | 'multiples' | 'allowEmptyFiles';

export interface FormidableRecipe {
  imports: Map<string, Set<string>>;
  notes: string[];
  /** Set when a parse was found but cannot be kept: the file is left with this detail. */
  problem?: { line?: number; detail: string };
}

/** Local names of formidable's factory (`formidable`, `IncomingForm`) and of its default export. */
export function formidableNames(program: Node): { factories: Set<string>; namespaces: Set<string> } {
  const out = { factories: new Set<string>(), namespaces: new Set<string>() };
  for (const { local, imported } of valueImports(program, 'formidable')) {
    if (imported === 'default' || imported === '*') out.namespaces.add(local);
    if (imported === 'default' || imported === 'formidable' || imported === 'IncomingForm') out.factories.add(local);
  }
  return out;
}

/** `formidable(opts)`, `new IncomingForm(opts)`, `new formidable.IncomingForm(opts)` → the options node (or true). */
function factoryOptions(node: Node, names: ReturnType<typeof formidableNames>): Node | true | null {
  const n = unwrap(node);
  if (n?.type !== 'CallExpression' && n?.type !== 'NewExpression') return null;
  const callee = unwrap(n.callee);
  const isFactory = (isIdent(callee) && names.factories.has(callee.name)) || (memberName(callee) === 'IncomingForm' && isIdent(callee.object) && names.namespaces.has(callee.object.name));
  if (!isFactory || n.arguments.length > 1) return null;
  return n.arguments[0] ?? true;
}

export function rewriteFormidable(snip: Snippets, program: Node, roots: Node[], reqName: string, rawBody: boolean, ctx: { moduleNames: Set<string>; typescript: boolean; requestName: string; version?: string }): FormidableRecipe {
  const result: FormidableRecipe = { imports: new Map(), notes: [] };
  const names = formidableNames(program);
  if (!names.factories.size && !names.namespaces.size) return result;
  const lineOf = (node: Node) => sourceLine(node, program);
  const lists = parseLists(roots);
  const problems: Array<{ line?: number; detail: string }> = [];
  const promised = [...promisedParses(roots, reqName, names), ...inlinedCallbackParses(program, lists, reqName, problems)];
  if ((promised.length || problems.length) && !(ctx.version && versionAtLeast(ctx.version, 3))) {
    const line = promised.length ? lineOf(promised[0].parse) : problems[0].line;
    return { ...result, problem: { line, detail: ctx.version ? `formidable ${ctx.version}'s callback gives single values where v3 gives arrays: followed from v3 on` : "formidable's callback is followed for v3 and later, and the app's formidable version is not known" } };
  }
  if (problems.length) return { ...result, problem: problems[0] };
  for (const { parent, key, node, parse, results, value, settled, made } of promised) {
    // An object literal as an arrow's body needs parentheses.
    const any = ctx.typescript ? ': any' : '';
    const then = settled
      ? `.then((parsed)${any} => [null, ...parsed], (error)${any} => [error])`
      : value ? `.then(([${results.join(', ')}]) => ${value.type === 'ObjectExpression' ? `(${snip.src(value)})` : snip.src(value)})` : '';
    // A form made in the executor: the parse is called on the factory's value (`new IncomingForm().parse(req)`).
    const callee = made ? `${snip.src(made)}.parse` : snip.src(parse.callee);
    const call = snip.expression(`${callee}(${reqName})${then}`);
    if (Array.isArray(parent[key])) parent[key][parent[key].indexOf(node)] = call;
    else parent[key] = call;
  }
  const features = new Set<HelperFeature>();

  // The Request's name in the method functions.
  const { requestName } = ctx;
  let helper: string | null = null;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const decl = stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
      const awaitedValue = decl && unwrap(decl.init)?.type === 'AwaitExpression' ? unwrap(unwrap(decl.init).argument) : null;
      // `await form.parse(req).then(([fields, files]) => …)`, from a promised callback (above): the parse is the call's object.
      const thenOf = awaitedValue?.type === 'CallExpression' && memberName(awaitedValue.callee) === 'then' && [1, 2].includes(awaitedValue.arguments.length) ? unwrap(awaitedValue.callee.object) : null;
      const awaited = thenOf?.type === 'CallExpression' && memberName(thenOf.callee) === 'parse' ? thenOf : awaitedValue;
      if (awaited?.type !== 'CallExpression' || memberName(awaited.callee) !== 'parse') continue;
      const line = lineOf(stmt);
      const target = unwrap(awaited.callee.object);
      let options = factoryOptions(target, names);
      let form: { list: Node[]; stmt: Node } | null = null;
      if (!options && isIdent(target)) {
        // The form the parse sees: declared in a list that holds the parse, the innermost one (lists come outer
        // first); a form of the same name in another branch is another form.
        for (const l of lists) {
          if (l !== list && !l.some((s: Node) => holds(s, stmt))) continue;
          const found = l.find((s: Node) => s.type === 'VariableDeclaration' && s.declarations.length === 1 && isIdent(s.declarations[0].id, target.name));
          if (found) form = { list: l, stmt: found };
        }
        options = form ? factoryOptions(form.stmt.declarations[0].init, names) : null;
        const uses = referencesTo(roots, target.name).filter((r) => r.node !== target && r.node !== form?.stmt.declarations[0].id);
        if (options && uses.length) return { ...result, problem: { line, detail: `the form ${target.name} is used for more than one parse(req)` } };
      }
      if (!options) continue;
      if (awaited.arguments.length !== 1 || !isIdent(awaited.arguments[0], reqName)) return { ...result, problem: { line, detail: 'form.parse takes a callback or something other than req' } };
      if (!rawBody) return { ...result, problem: { line, detail: 'formidable reads the request stream, which needs bodyParser: false' } };
      if (options !== true && (unwrap(options).type !== 'ObjectExpression' || unwrap(options).properties.some((p: Node) => p.type !== 'ObjectProperty' || p.computed || !OPTIONS.includes(p.key.name)))) {
        return { ...result, problem: { line, detail: `formidable options other than ${OPTIONS.join(', ')} are not followed` } };
      }
      const props: Node[] = options === true ? [] : unwrap(options).properties;
      // allowEmptyFiles: true lets an empty file through to minFileSize's own error: not followed.
      const allowEmpty = props.find((p) => p.key.name === 'allowEmptyFiles');
      if (allowEmpty && !(allowEmpty.value.type === 'BooleanLiteral' && allowEmpty.value.value === false)) {
        return { ...result, problem: { line, detail: 'formidable allowEmptyFiles other than false is not followed' } };
      }
      for (const feature of ['maxFiles', 'keepExtensions', 'multiples', 'allowEmptyFiles'] as const) if (props.some((p) => p.key.name === feature)) features.add(feature);
      helper ??= freshName('parseForm', ctx.moduleNames);
      const args = [requestName, ...(props.length ? [snip.src(options as Node)] : [])];
      const parseNow = snip.expression(`${helper}(${args.join(', ')})`);
      if (awaited === awaitedValue) decl.init = snip.expression(`await ${snip.src(parseNow)}`);
      else awaitedValue.callee.object = parseNow;
      if (form) {
        const at = form.list.indexOf(form.stmt);
        form.list.splice(at, 1);
        if (form.list === list && at < i) i--;
      }
    }
  }
  // Whatever parse(req) is left (a callback, an event-driven form) is formidable on the Node stream.
  let leftover: Node | null = null;
  for (const root of roots) {
    walk(root, (n) => {
      if (n.type === 'CallExpression' && memberName(n.callee) === 'parse' && n.arguments.some((a: Node) => isIdent(a, reqName))) leftover ??= n;
    });
  }
  if (leftover) return { ...result, problem: { line: lineOf(leftover), detail: 'form.parse(req) with a callback or events is not followed' } };
  if (!helper) return result;
  const needed = [['node:os', 'tmpdir'], ['node:path', 'join'], ['node:fs/promises', 'writeFile'], ['node:crypto', 'randomUUID'], ...(features.has('keepExtensions') ? [['node:path', 'basename']] : [])];
  for (const [source, name] of needed) {
    if (ctx.moduleNames.has(name)) return { ...result, problem: { detail: `the module already has a ${name}` } };
    result.imports.set(source, new Set([...(result.imports.get(source) ?? []), name]));
  }
  program.body.push(...snip.statements(helperCode(snip, helper, ctx.typescript, features)));

  result.notes.push(`formidable: form.parse(req) became ${helper}(request), which reads request.formData() into formidable's fields and files; formidable also saved an octet-stream body as a file, which request.formData() rejects`);
  return result;
}

function helperCode(snip: Snippets, name: string, ts: boolean, features: Set<HelperFeature>): string {
  const t = (type: string) => (ts ? type : '');
  const maxFiles = features.has('maxFiles');
  const keepExtensions = features.has('keepExtensions');
  const optionTypes = ['uploadDir?: string', 'maxFileSize?: number', ...(maxFiles ? ['maxFiles?: number'] : []), ...(keepExtensions ? ['keepExtensions?: boolean'] : []), ...(features.has('multiples') ? ['multiples?: boolean'] : []), ...(features.has('allowEmptyFiles') ? ['allowEmptyFiles?: false'] : [])];
  const defaults = ['uploadDir = tmpdir()', 'maxFileSize = 200 * 1024 * 1024', ...(maxFiles ? ['maxFiles = Infinity'] : []), ...(keepExtensions ? ['keepExtensions = false'] : [])];
  // formidable's _getExtension: from the first dot of the base name when it has more than one, else path.extname's,
  // cut at the first character that is not a letter, a digit or a dot; a lone dot is none.
  const extensionOf = `
  const extensionOf = (name${t(': string')}) => {
    const base = basename(name)${END}
    const first = base.indexOf(${snip.str('.')})${END}
    const last = base.lastIndexOf(${snip.str('.')})${END}
    const raw = first !== last ? base.slice(first) : last > 0 ? base.slice(last) : ${snip.str('')}${END}
    const cut = raw.search(/[^.0-9A-Za-z]/)${END}
    const kept = cut < 0 ? raw : raw.slice(0, cut)${END}
    return kept === ${snip.str('.')} ? ${snip.str('')} : kept${END}
  }${END}`;
  return `/** formidable's form.parse(req) on a Request: fields and files by name, each file saved in uploadDir (written by migrate). */
async function ${name}(request${t(': Request')}, options${t(`: { ${optionTypes.join('; ')} }`)} = {}) {
  const { ${defaults.join(', ')} } = options${END}
  const fields${t(': Record<string, string[]>')} = {}${END}
${ts ? `  // formidable's File, as its types declare it (length is never set at run time, there as here)
  type ParsedFile = { lastModifiedDate: Date; filepath: string; newFilename: string; originalFilename: string; mimetype: string; hashAlgorithm: false; size: number; hash: null; length: number; toJSON(): Pick<ParsedFile, 'size' | 'filepath' | 'newFilename' | 'mimetype' | 'length' | 'originalFilename'> & { mtime: Date }; toString(): string }${END}
` : ''}  const files${t(': Record<string, ParsedFile[]>')} = {}${END}
  // formidable picks its parser by the content type: none for an empty body, then octet-stream, urlencoded,
  // multipart (with a boundary) and JSON, whose parsed value becomes the fields
  const type = request.headers.get(${snip.str('content-type')})${END}
  if (request.headers.get(${snip.str('content-length')}) === ${snip.str('0')}) return [fields, files]${t(' as const')}${END}
  if (!type) throw Object.assign(new Error(${snip.str('bad content-type header, no content-type')}), { httpCode: 400 })${END}
  const form = /octet-stream|urlencoded|multipart/i.test(type)${END}
  if (!form && /json/i.test(type)) return [JSON.parse(Buffer.from(await request.arrayBuffer()).toString())${t(' as typeof fields')}, files]${t(' as const')}${END}
  if (!form) throw Object.assign(new Error(${snip.str('no parser found')}), { httpCode: 415 })${END}
  if (/multipart/i.test(type) && !/boundary=(?:"[^"]+"|[^;]+)/i.test(type)) throw Object.assign(new Error(${snip.str('bad content-type header, no multipart boundary')}), { httpCode: 400 })${END}
  let total = 0${END}${maxFiles ? `\n  let count = 0${END}` : ''}${keepExtensions ? extensionOf : ''}
  for (const [field, value] of Array.from((await request.formData()).entries())) {
    if (typeof value === ${snip.str('string')}) {
      fields[field] = [...(fields[field] ?? []), value]${END}
      continue${END}
    }${maxFiles ? `\n    if (++count > maxFiles) throw Object.assign(new Error(\`options.maxFiles (\${maxFiles}) exceeded\`), { httpCode: 413 })${END}` : ''}
    if (value.size === 0) throw Object.assign(new Error(${snip.str('options.allowEmptyFiles is false, file size should be greater than 0')}), { httpCode: 400 })${END}
    total += value.size${END}
    if (total > maxFileSize) throw Object.assign(new Error(\`options.maxTotalFileSize (\${maxFileSize} bytes) exceeded, received \${total} bytes of file data\`), { httpCode: 413 })${END}
    const newFilename = randomUUID().replaceAll(${snip.str('-')}, ${snip.str('')})${keepExtensions ? ` + (keepExtensions && value.name ? extensionOf(value.name) : ${snip.str('')})` : ''}${END}
    const filepath = join(uploadDir, newFilename)${END}
    await writeFile(filepath, Buffer.from(await value.arrayBuffer()))${END}
    // What formidable's PersistentFile holds once written, with its toJSON and toString: a handler may send the file
    // as JSON or print it.
    const file = {
      lastModifiedDate: new Date(),
      filepath,
      newFilename,
      originalFilename: value.name,
      mimetype: value.type,
      hashAlgorithm: false,
      size: value.size,
      hash: null,
      toJSON() {
        return { size: this.size, filepath: this.filepath, newFilename: this.newFilename, mimetype: this.mimetype, mtime: this.lastModifiedDate, length: this.length, originalFilename: this.originalFilename }${END}
      },
      toString() {
        return \`PersistentFile: \${this.newFilename}, Original: \${this.originalFilename}, Path: \${this.filepath}\`${END}
      },
    }${t(' as ParsedFile')}${END}
    files[field] = [...(files[field] ?? []), file]${END}
  }
  return [fields, files]${t(' as const')}${END}
}`;
}

/** A `new Promise(…)` around a callback parse of the handler's req, and what replaces it. */
export interface PromisedParse {
  parent: Node;
  key: string;
  node: Node;
  /** The parse call inside it (`form.parse(req, cb)`). */
  parse: Node;
  /** The callback's parameters after err (`fields`, `files`). */
  results: string[];
  /** The value resolved, when other than `[fields, files]` (which the parse's promise gives as it is). */
  value: Node | null;
  /** Resolved with the callback's own arguments, `[err, fields, files]`, on an error too. */
  settled?: true;
  /** The form made in the executor itself (`const form = new IncomingForm(); form.parse(…)`): its factory call. */
  made?: Node;
}

/**
 * An error-first callback of the handler's last work, inlined by transforms/lib/error-first-callbacks.ts:
 *
 *     const callbackArgs = await new Promise((resolve) => form.parse(req, (...args) => resolve(args)));
 *     {
 *       const [err, fields, files] = callbackArgs;
 *       if (err) { …; return res.status(400).json(…); }
 *       …
 *     }
 *
 * The promise settles with the callback's arguments, so the parse's own promise stands for it as `[null, fields,
 * files]` when it resolves and `[err]` when it rejects. Only where the callback's first statement ends the
 * callback on an error without reading fields or files: formidable also passed the ones parsed before the error,
 * which the promise does not give.
 */
function inlinedCallbackParses(program: Node, lists: Node[][], reqName: string, problems: Array<{ line?: number; detail: string }>): PromisedParse[] {
  const found: PromisedParse[] = [];
  for (const list of lists) {
    for (let i = 0; i + 1 < list.length; i++) {
      const decl = list[i].type === 'VariableDeclaration' && list[i].declarations.length === 1 ? list[i].declarations[0] : null;
      const awaited = decl && isIdent(decl.id) && unwrap(decl.init)?.type === 'AwaitExpression' ? unwrap(decl.init) : null;
      const node = awaited && unwrap(awaited.argument);
      if (node?.type !== 'NewExpression' || !isIdent(node.callee, 'Promise') || node.arguments.length !== 1) continue;
      const executor = node.arguments[0];
      if (!isPlainFunction(executor) || executor.params.length !== 1 || !isIdent(executor.params[0])) continue;
      const resolve = executor.params[0].name;
      const parse = unwrap(executor.body);
      if (parse?.type !== 'CallExpression' || memberName(parse.callee) !== 'parse' || parse.arguments.length !== 2 || !isIdent(parse.arguments[0], reqName)) continue;
      // `(...args) => resolve(args)`
      const callback = parse.arguments[1];
      const rest = isPlainFunction(callback) && callback.params.length === 1 && callback.params[0].type === 'RestElement' && isIdent(callback.params[0].argument) ? callback.params[0].argument.name : null;
      const resolved = rest && unwrap(callback.body);
      if (resolved?.type !== 'CallExpression' || !isIdent(resolved.callee, resolve) || resolved.arguments.length !== 1 || !isIdent(resolved.arguments[0], rest)) continue;
      // `{ const [err, fields, files] = callbackArgs; if (err) { … return …; } … }`
      const block = list[i + 1];
      const taken = block.type === 'BlockStatement' && block.body[0]?.type === 'VariableDeclaration' && block.body[0].declarations.length === 1 ? block.body[0].declarations[0] : null;
      if (!taken || !isIdent(unwrap(taken.init), decl.id.name) || taken.id.type !== 'ArrayPattern' || !taken.id.elements.every((e: Node) => isIdent(e))) continue;
      const [err, ...results] = taken.id.elements.map((e: Node) => e.name as string);
      const guard = block.body[1];
      const consequent: Node[] = guard?.type === 'IfStatement' ? (guard.consequent.type === 'BlockStatement' ? guard.consequent.body : [guard.consequent]) : [];
      const last = consequent[consequent.length - 1];
      const ends = guard?.type === 'IfStatement' && !guard.alternate && isIdent(unwrap(guard.test), err) && (last?.type === 'ReturnStatement' || last?.type === 'ThrowStatement');
      if (!ends || results.some((name: string) => mentions(guard.consequent, name))) {
        problems.push({ line: sourceLine(parse, program), detail: `formidable's callback does not begin with an \`if (${err})\` that ends it without reading ${results.join(' or ')}: on an error formidable passed what it had parsed before, which request.formData() does not give` });
        continue;
      }
      found.push({ parent: awaited, key: 'argument', node, parse, results, value: null, settled: true });
    }
  }
  return found;
}

/**
 * `new Promise((resolve, reject) => { form.parse(req, (err, fields, files) => { if (err) reject(err); else
 * resolve(value); }); })` (also `if (err) return reject(err); resolve(value);`, and `if (err) reject(err);
 * resolve(value);` where the value is names alone), in the handler's body outside its
 * nested functions: the parse rejects with err and resolves with the value computed from fields and files alone.
 */
export function promisedParses(roots: Node[], reqName: string, names: ReturnType<typeof formidableNames>): PromisedParse[] {
  const found: PromisedParse[] = [];
  const visit = (node: Node, parent: Node | null, key: string) => {
    if (!parent || node.type !== 'NewExpression' || !isIdent(node.callee, 'Promise') || node.arguments.length !== 1) return;
    const executor = node.arguments[0];
    if (!isPlainFunction(executor) || executor.params.length !== 2 || !executor.params.every((p: Node) => p.type === 'Identifier')) return;
    const [resolve, reject] = executor.params.map((p: Node) => p.name);
    const statements: Node[] | null = executor.body.type === 'BlockStatement' ? executor.body.body : null;
    // The form may be made in the executor first, as formidable's examples for Next.js do: `const form = new
    // IncomingForm(); form.parse(req, …)`. The executor runs at once, so the form is made at the same point when the
    // parse is called on the factory's value directly.
    const made = statements?.length === 2 ? madeForm(statements[0], names) : null;
    const last = statements ? statements[made ? 1 : 0] : null;
    const only = statements ? (statements.length === (made ? 2 : 1) && last.type === 'ExpressionStatement' ? last.expression : null) : executor.body;
    const parse = only && unwrap(only);
    if (parse?.type !== 'CallExpression' || memberName(parse.callee) !== 'parse' || parse.arguments.length !== 2 || !isIdent(parse.arguments[0], reqName)) return;
    if (made && !isIdent(unwrap(parse.callee.object), made.name)) return;
    const callback = parse.arguments[1];
    if (!isPlainFunction(callback) || callback.params.length < 2 || callback.params.length > 3 || !callback.params.every((p: Node) => p.type === 'Identifier')) return;
    const [err, ...results] = callback.params.map((p: Node) => p.name);
    if (made && (mentions(callback, made.name) || [resolve, reject].some((name) => mentions(made.init, name)))) return;
    const value = resolvedValue(callback.body, err, resolve, reject);
    if (!value || [err, resolve, reject].some((name) => mentions(value, name))) return;
    const identity = value.type === 'ArrayExpression' && value.elements.length === results.length && results.length === 2 && value.elements.every((e: Node, i: number) => isIdent(e, results[i]));
    found.push({ parent, key, node, parse, results, value: identity ? null : value, ...(made ? { made: made.init } : {}) });
  };
  for (const root of roots) walk(root, visit, true);
  return found;
}

/** `const form = formidable(opts)` (or `new IncomingForm(opts)`): the form's name and its factory call. */
export function madeForm(stmt: Node, names: ReturnType<typeof formidableNames>): { name: string; init: Node } | null {
  const decl = stmt.type === 'VariableDeclaration' && stmt.kind === 'const' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
  return decl && isIdent(decl.id) && decl.init && factoryOptions(decl.init, names) ? { name: decl.id.name, init: decl.init } : null;
}

/** `function (…) {…}` or an arrow, not async and not a generator. */
function isPlainFunction(node: Node): boolean {
  return (node?.type === 'ArrowFunctionExpression' || node?.type === 'FunctionExpression') && !node.async && !node.generator;
}

/** The value `resolve(value)` gives where the callback rejects with err first, or null for any other body. */
function resolvedValue(body: Node, err: string, resolve: string, reject: string): Node | null {
  const statements: Node[] = body.type === 'BlockStatement' ? body.body : [];
  const single = (stmt: Node | null | undefined): Node | null => (stmt?.type === 'BlockStatement' ? (stmt.body.length === 1 ? stmt.body[0] : null) : (stmt ?? null));
  const callOf = (stmt: Node | null, name: string): Node | null => {
    const expr = stmt?.type === 'ExpressionStatement' ? unwrap(stmt.expression) : stmt?.type === 'ReturnStatement' ? unwrap(stmt.argument) : null;
    return expr?.type === 'CallExpression' && isIdent(expr.callee, name) && expr.arguments.length === 1 ? expr.arguments[0] : null;
  };
  const rejects = (stmt: Node | null) => isIdent(callOf(stmt, reject), err);
  const guard = statements[0];
  if (guard?.type !== 'IfStatement' || !isIdent(unwrap(guard.test), err)) return null;
  // `if (err) reject(err); else resolve(value);`
  if (statements.length === 1 && guard.alternate) return rejects(single(guard.consequent)) ? unwrap(callOf(single(guard.alternate), resolve)) : null;
  // `if (err) return reject(err); resolve(value);`, `if (err) { reject(err); return; } resolve(value);`
  if (statements.length !== 2 || guard.alternate) return null;
  const consequent: Node[] = guard.consequent.type === 'BlockStatement' ? guard.consequent.body : [guard.consequent];
  const ends = (consequent.length === 1 && consequent[0].type === 'ReturnStatement' && rejects(consequent[0])) || (consequent.length === 2 && rejects(consequent[0]) && consequent[1].type === 'ReturnStatement' && !consequent[1].argument);
  if (ends) return unwrap(callOf(statements[1], resolve));
  // `if (err) reject(err); resolve([fields, files]);`: after the reject, the resolve did nothing, and making its value
  // could not throw either when it is names alone (formidable passes its fields and files with the error).
  const value = consequent.length === 1 && rejects(consequent[0]) ? unwrap(callOf(statements[1], resolve)) : null;
  return value && namesOnly(value) ? value : null;
}

/** A name, or an array or object literal of names (`[fields, files]`, `{ fields, files }`). */
function namesOnly(node: Node): boolean {
  const n = unwrap(node);
  if (n.type === 'Identifier') return true;
  if (n.type === 'ArrayExpression') return n.elements.every((e: Node | null) => !!e && namesOnly(e));
  return n.type === 'ObjectExpression' && n.properties.every((p: Node) => p.type === 'ObjectProperty' && !p.computed && namesOnly(p.value));
}

/**
 * Where a parse is followed: `roots` and the blocks' statement lists below them, outer first; not inside nested
 * functions, which may not be async (a parse there is left), nor in switch cases.
 */
export function parseLists(roots: Node[]): Node[][] {
  const lists: Node[][] = [roots];
  for (const root of roots) walk(root, (n) => void (n.type === 'BlockStatement' && lists.push(n.body)), true);
  return lists;
}

/** Whether `inner` is `node` or lies below it. */
function holds(node: Node, inner: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n === inner) found = true;
    return undefined;
  });
  return found;
}

function mentions(node: Node, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (isIdent(n, name)) found = true;
  });
  return found;
}
