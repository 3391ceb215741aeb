/**
 * formidable v3 uploads: `const form = formidable({ uploadDir, maxFileSize }); const [fields, files] = await
 * form.parse(req)` (with `bodyParser: false`) → `const [fields, files] = await parseForm(request, { … })`, a function
 * added to the route that reads `request.formData()` into formidable's shapes: every field and file as an array
 * under its name, each file saved under a new name in the upload folder (the OS temp folder by default), with
 * `filepath`, `newFilename`, `originalFilename`, `mimetype` and `size`, and formidable's own errors (with its
 * `httpCode`) for an empty file, and for files over `maxFileSize` (200 MB by default) in all: formidable checks
 * the bytes received so far against maxTotalFileSize, which defaults to maxFileSize (its message then gives the
 * bytes received when it stopped reading, here the total size).
 * Other options, callbacks (`form.parse(req, (err, fields, files) => …)`) and events are not followed.
 */
import { isIdent, memberName, unwrap, walk, END, freshName, type Node, type Snippets } from './ast.js';
import { referencesTo } from './scope.js';
import { valueImports } from './imports.js';

const OPTIONS = ['uploadDir', 'maxFileSize'];

export interface FormidableRecipe {
  imports: Map<string, Set<string>>;
  notes: string[];
  /** Set when a parse was found but cannot be kept: the file is left with this detail. */
  problem?: { line?: number; detail: string };
}

/** Local names of formidable's factory (`formidable`, `IncomingForm`) and of its default export. */
function formidableNames(program: Node): { factories: Set<string>; namespaces: Set<string> } {
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

export function rewriteFormidable(snip: Snippets, program: Node, roots: Node[], reqName: string, rawBody: boolean, ctx: { moduleNames: Set<string>; typescript: boolean; requestName: string }): FormidableRecipe {
  const result: FormidableRecipe = { imports: new Map(), notes: [] };
  const names = formidableNames(program);
  if (!names.factories.size && !names.namespaces.size) return result;
  const lists: Node[][] = [roots];
  // Not inside nested functions, which may not be async: a parse there is left (below).
  for (const root of roots) walk(root, (n) => void (n.type === 'BlockStatement' && lists.push(n.body)), true);

  // The Request's name in the method functions.
  const { requestName } = ctx;
  let helper: string | null = null;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      const decl = stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1 ? stmt.declarations[0] : null;
      const awaited = decl && unwrap(decl.init)?.type === 'AwaitExpression' ? unwrap(unwrap(decl.init).argument) : null;
      if (awaited?.type !== 'CallExpression' || memberName(awaited.callee) !== 'parse') continue;
      const line = stmt.loc?.start.line;
      const target = unwrap(awaited.callee.object);
      let options = factoryOptions(target, names);
      let form: { list: Node[]; stmt: Node } | null = null;
      if (!options && isIdent(target)) {
        for (const l of lists) {
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
      helper ??= freshName('parseForm', ctx.moduleNames);
      const args = [requestName, ...(options === true || !unwrap(options).properties.length ? [] : [snip.src(options)])];
      decl.init = snip.expression(`await ${helper}(${args.join(', ')})`);
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
  if (leftover) return { ...result, problem: { line: (leftover as Node).loc?.start.line, detail: 'form.parse(req) with a callback or events is not followed' } };
  if (!helper) return result;
  for (const [source, name] of [['node:os', 'tmpdir'], ['node:path', 'join'], ['node:fs/promises', 'writeFile'], ['node:crypto', 'randomUUID']]) {
    if (ctx.moduleNames.has(name)) return { ...result, problem: { detail: `the module already has a ${name}` } };
    result.imports.set(source, new Set([name]));
  }
  program.body.push(...snip.statements(helperCode(snip, helper, ctx.typescript)));

  result.notes.push(`formidable: form.parse(req) became ${helper}(request), which reads request.formData() into formidable's fields and files; formidable also parsed JSON and octet-stream bodies, which request.formData() rejects`);
  return result;
}

function helperCode(snip: Snippets, name: string, ts: boolean): string {
  const t = (type: string) => (ts ? type : '');
  return `/** formidable's form.parse(req) on a Request: fields and files by name, each file saved in uploadDir (written by migrate). */
async function ${name}(request${t(': Request')}, options${t(': { uploadDir?: string; maxFileSize?: number }')} = {}) {
  const { uploadDir = tmpdir(), maxFileSize = 200 * 1024 * 1024 } = options${END}
  const fields${t(': Record<string, string[]>')} = {}${END}
  const files${t(': Record<string, Array<{ filepath: string; newFilename: string; originalFilename: string; mimetype: string; size: number }>>')} = {}${END}
  let total = 0${END}
  for (const [field, value] of await request.formData()) {
    if (typeof value === ${snip.str('string')}) {
      fields[field] = [...(fields[field] ?? []), value]${END}
      continue${END}
    }
    if (value.size === 0) throw Object.assign(new Error(${snip.str('options.allowEmptyFiles is false, file size should be greater than 0')}), { httpCode: 400 })${END}
    total += value.size${END}
    if (total > maxFileSize) throw Object.assign(new Error(\`options.maxTotalFileSize (\${maxFileSize} bytes) exceeded, received \${total} bytes of file data\`), { httpCode: 413 })${END}
    const newFilename = randomUUID().replaceAll(${snip.str('-')}, ${snip.str('')})${END}
    const filepath = join(uploadDir, newFilename)${END}
    await writeFile(filepath, Buffer.from(await value.arrayBuffer()))${END}
    files[field] = [...(files[field] ?? []), { filepath, newFilename, originalFilename: value.name, mimetype: value.type, size: value.size }]${END}
  }
  return [fields, files]${t(' as const')}${END}
}`;
}
