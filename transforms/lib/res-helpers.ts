/**
 * Same-file helpers that take `res` (`function sendError(res, status, message) { res.status(status).json(…) }`).
 * One that answers on every path is rewritten once to return its Response, without the `res` parameter; the
 * handler's calls then become `return sendError(400, 'bad')`. Any other shape is left alone, and the handler that
 * passes `res` to it is then left in place (RES_ESCAPES).
 */
import type { JSCodeshift } from 'jscodeshift';
import { unwrap, walk, isIdent, freshName, type Node, type Snippets } from './ast.js';
import { rewriteResponse, type ResponseHelper } from './response.js';
import { alwaysExits } from './split-methods.js';

function isResponseParam(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  if (type?.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiResponse')) return true;
  return !type && isIdent(param) && (param.name === 'res' || param.name === 'response');
}

function isRequestParam(param: Node): boolean {
  const type = param.typeAnnotation?.typeAnnotation;
  return type?.type === 'TSTypeReference' && isIdent(type.typeName, 'NextApiRequest');
}

interface Candidate {
  name: string;
  fn: Node;
  resIndex: number;
}

function candidates(program: Node, handlerFn: Node): Candidate[] {
  const found: Candidate[] = [];
  for (const stmt of program.body) {
    let fn: Node | null = null;
    let name: string | null = null;
    if (stmt.type === 'FunctionDeclaration' && stmt.id) [fn, name] = [stmt, stmt.id.name];
    if (stmt.type === 'VariableDeclaration' && stmt.declarations.length === 1) {
      const d = stmt.declarations[0];
      const init = d.init && unwrap(d.init);
      if (d.id.type === 'Identifier' && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) [fn, name] = [init, d.id.name];
    }
    if (!fn || !name || fn === handlerFn) continue;
    const resIndex = fn.params.findIndex(isResponseParam);
    if (resIndex < 0 || fn.params.some(isRequestParam) || fn.params[resIndex].type !== 'Identifier') continue;
    found.push({ name, fn, resIndex });
  }
  return found;
}

/** Every use of `name` is a direct call (so that removing a parameter breaks no other use). */
function onlyCalled(program: Node, candidate: Candidate): boolean {
  let ok = true;
  walk(program, (n, parent, key) => {
    if (n.type !== 'Identifier' || n.name !== candidate.name || n === candidate.fn.id) return;
    if (parent?.type === 'VariableDeclarator' && key === 'id') return;
    if ((parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) || (parent?.type === 'ObjectProperty' && key === 'key')) return;
    if (!(parent?.type === 'CallExpression' && key === 'callee')) ok = false;
  });
  return ok;
}

export interface HelperRewrite {
  helpers: Map<string, ResponseHelper>;
  uses: Set<string>;
}

export function rewriteResponseHelpers(j: JSCodeshift, snip: Snippets, program: Node, handlerFn: Node, hasAfter: boolean, taken: Set<string>): HelperRewrite {
  const out: HelperRewrite = { helpers: new Map(), uses: new Set() };
  for (const candidate of candidates(program, handlerFn)) {
    if (!onlyCalled(program, candidate)) continue;
    const { fn, resIndex } = candidate;
    const body: Node[] = fn.body.type === 'BlockStatement' ? fn.body.body : [j.returnStatement(fn.body)];
    const rewrite = rewriteResponse(body, { j, snip, resName: fn.params[resIndex].name, hasAfter, fresh: (base) => freshName(base, new Set(taken)) });
    const statements = [...rewrite.prelude, ...rewrite.body];
    if (rewrite.escape || !statements.some(alwaysExits)) continue;
    fn.params.splice(resIndex, 1);
    fn.returnType = null;
    if (fn.body.type === 'BlockStatement') fn.body.body = statements;
    else fn.body = j.blockStatement(statements);
    rewrite.uses.forEach((u) => out.uses.add(u));
    out.helpers.set(candidate.name, { resIndex, statuses: rewrite.statuses });
  }
  return out;
}
