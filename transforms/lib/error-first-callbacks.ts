/**
 * A Node-style call whose error-first callback answers, as the handler's last work:
 *
 *     fs.readFile(file, (err, data) => {
 *       if (err) return res.status(500).send('cannot read');
 *       res.status(200).send(data);
 *     });
 *
 * becomes the call awaited, its callback's arguments taken, and the callback's code after it in a block of its own
 * (the call outside it, where the names the block declares do not reach):
 *
 *     const callbackArgs = await new Promise<any>((resolve) => fs.readFile(file, (...args: any[]) => resolve(args)));
 *     {
 *       const [err, data] = callbackArgs;
 *       if (err) return res.status(500).send('cannot read');
 *       res.status(200).send(data);
 *     }
 *
 * which the response rewrite then handles like any send. Pages' handler returned before the callback answered, and
 * Pages sent the answer when it did; the route waits for the callback and returns the same answer.
 *
 * Only for a callback whose first parameter names the error (`err`, `error`, `e`): by Node's convention it is called
 * once. A callback an API calls many times (`stream.on('data', …)`, `forEach`) would answer on its first call only.
 * Left to the response rewrite's `res is used inside a callback` when: the call is not the handler's last work (Pages'
 * handler went on at once), which at the end of a `try` block means the `try` is, and has no `finally` (that ran
 * before the callback in Pages, and would run after it); it is awaited
 * or its value is used; the callback is not the last argument, is not an inline function of plain parameters, uses
 * `this` or `arguments`, declares a `var`, or returns a value other than an answer; the call's other arguments use res.
 *
 * What the callback throws was an uncaught exception in Pages (the request got no answer); in the route it answers
 * 500, or reaches the `catch` of the `try` around the call, and the report says so: either way a request Pages left
 * without an answer gets one, and every other request gets the same answer.
 */
import type { JSCodeshift } from 'jscodeshift';
import { END, freshName, isIdent, markMadeAt, namesIn, unwrap, usesOwnThisOrArguments, walk, type Node, type Snippets } from './ast.js';
import { returnsOf } from './res-helpers.js';

/** Names of an error-first callback's first parameter. */
const ERROR_PARAM = /^_?(e|er|err|error|ex|exception)$/i;

/** Whether `body` declares a `var` of its own (it would join the handler's scope). */
function declaresVar(body: Node): boolean {
  let found = false;
  walk(body, (node) => {
    if (node.type === 'VariableDeclaration' && node.kind === 'var') found = true;
  }, true);
  return found;
}

export interface CallbackContext {
  j: JSCodeshift;
  snip: Snippets;
  resName: string;
  typescript: boolean;
  /** `return <expr>`'s argument is an answer through res. */
  isSend: (expr: Node) => boolean;
  /** Names taken in the handler, for the resolver's. */
  taken: Set<string>;
  /** The `try` (with a catch, without a finally) whose block the call ends, when that try is the handler's last work. */
  caughtBy?: Node | null;
}

/**
 * The block that replaces `stmt` (`call(…, (err, x) => {…})` as a statement, or returned), when it is the handler's
 * last work (`tail`) and of the shape above; else null. Its note, for the report, goes into `notes`.
 */
export function inlineErrorFirstCallback(stmt: Node, tail: boolean, ctx: CallbackContext, notes: string[]): Node[] | null {
  const { j, snip, resName } = ctx;
  if (!tail) return null;
  const expr = stmt.type === 'ExpressionStatement' ? unwrap(stmt.expression) : stmt.type === 'ReturnStatement' && stmt.argument ? unwrap(stmt.argument) : null;
  if (expr?.type !== 'CallExpression' || expr.arguments.length === 0) return null;
  const callback = unwrap(expr.arguments[expr.arguments.length - 1]);
  if (callback.type !== 'ArrowFunctionExpression' && callback.type !== 'FunctionExpression') return null;
  if (callback.generator || !callback.params.length || !callback.params.every((p: Node) => p.type === 'Identifier' && !p.optional)) return null;
  if (!ERROR_PARAM.test(callback.params[0].name) || usesOwnThisOrArguments(callback)) return null;
  if (!namesIn(callback.body).has(resName)) return null;
  if ([expr.callee, ...expr.arguments.slice(0, -1)].some((node) => namesIn(node).has(resName))) return null;
  const body: Node[] = callback.body.type === 'BlockStatement' ? callback.body.body : [j.expressionStatement(callback.body)];
  if (callback.body.type !== 'BlockStatement' && !ctx.isSend(callback.body)) return null;
  if (declaresVar(j.blockStatement(body)) || returnsOf(body).some((r) => r.argument && !ctx.isSend(r.argument))) return null;

  const taken = new Set([...ctx.taken, ...namesIn(expr)]);
  const resolve = freshName('resolve', taken);
  taken.add(resolve);
  // The call is made outside the callback's block: a name the block declares (a parameter, `const file = …`) would
  // be in its temporal dead zone where the call reads the outer one.
  const argsName = freshName('callbackArgs', taken);
  const call = snip.src(expr.callee);
  const args = [...expr.arguments.slice(0, -1).map((a: Node) => snip.src(a)), `(...args${ctx.typescript ? ': any[]' : ''}) => ${resolve}(args)`];
  // The parameters' own types, where written; else any, as the promise gives them.
  const typed = ctx.typescript && callback.params.some((p: Node) => p.typeAnnotation);
  const tuple = typed ? `: [${callback.params.map((p: Node) => (p.typeAnnotation ? snip.src(p.typeAnnotation.typeAnnotation) : 'any')).join(', ')}]` : '';
  const names = callback.params.map((p: Node) => p.name).join(', ');
  const [awaited, given] = snip.statements(`const ${argsName} = await new Promise${ctx.typescript ? '<any>' : ''}((${resolve}) => ${call}(${args.join(', ')}))${END}\nconst [${names}]${tuple} = ${argsName}${END}`);
  const block = j.blockStatement([given, ...body]);
  const caught = ctx.caughtBy ? `reaches the catch at line ${ctx.caughtBy.handler?.loc?.start.line ?? '?'}` : 'answers 500';
  notes.push(`line ${stmt.loc?.start.line ?? '?'}: the callback of ${call}() now runs in the handler once it is called; what it throws ${caught}, where in Pages it was an uncaught exception`);
  // Marked as it is returned: withCommentsOf makes a new node where the statement has comments.
  const made = snip.withCommentsOf(stmt, awaited);
  markMadeAt(made, stmt.loc?.start.line);
  return [made, block];
}
