/**
 * Same-file sub-handlers: the handler passes its `(req, res)` to a function of the same file that answers.
 *
 *   switch (req.method) {
 *     case 'GET':
 *       await handleGET(req, res)
 *       break
 *     …
 *   }
 *   const handleGET = async (req: NextApiRequest, res: NextApiResponse) => { … }
 *
 * Names passed after `(req, res)` (`handleGET(req, res, setupLink)`) are the values of the function's other
 * parameters, which are renamed to them when the body never assigns them; names past its parameters are dropped.
 *
 * When nothing in the handler runs after such a call, the call is the same as the function's body in its place: the
 * body is inlined there (in a block of its own), and the rest of the transform sees one handler. Declined, and left
 * for the request rewrite to report, when code would run after the call, when the function's body would read a
 * name the handler declares (it would mean the handler's, not the module's), or when a call inside a `try` is not
 * awaited (its rejection skipped the `catch`, and an inlined body's error would not).
 *
 * An async sub-handler called without `await` or `return` as the handler's last work (`if (method === 'GET')
 * handleGET(req, res)`): Pages' handler returned at once, and the sub-handler answered later, which Pages still sent
 * (it warns "API resolved without sending a response"). Inlined, the route waits for the same answer. Only where no
 * wrapper acts on the handler's return (`laterAnswers`), and with a note: when the body throws, Pages never answered
 * (an unhandled rejection), and the route answers 500.
 */
import { isFunction, isIdent, namesIn, unwrap, walk, type Node, type Snippets } from './ast.js';
import { inlineBody, NotRewritable, referencesOutside, resolveFunction, type FunctionRef } from './dispatch.js';
import { boundWhereRead, declaredNames, freeNames, isAssignedIn, namesDeclaredWithin, patternNames } from './free-names.js';
import { inert } from './after-answer.js';

interface CallSite {
  list: Node[];
  index: number;
  ref: FunctionRef;
  /** `return f(req, res)`: the inlined body is followed by a `return`, as the call was. */
  returns: boolean;
  /** Nothing runs after the call but a `break`: no `return` is needed after the body. */
  tail: boolean;
  awaited: boolean;
  /** The names passed after `(req, res)`: the sub-handler's parameters become them. */
  extra: string[];
}

/**
 * `f(req, res)`, `await f(req, res)`, `return [await] f(req, res)`, also with more names after `(req, res)`
 * (`handleGET(req, res, setupLink)`): the callee, whether the call is awaited, and those names.
 */
function callOf(stmt: Node, reqName: string, resName: string): { callee: Node; awaited: boolean; extra: string[] } | null {
  let expr = stmt.type === 'ExpressionStatement' ? stmt.expression : stmt.type === 'ReturnStatement' ? stmt.argument : null;
  expr = expr && unwrap(expr);
  const awaited = expr?.type === 'AwaitExpression';
  if (awaited) expr = unwrap(expr.argument);
  if (expr?.type !== 'CallExpression' || expr.callee.type !== 'Identifier' || expr.arguments.length < 2) return null;
  const [req, res, ...extra] = expr.arguments;
  if (!isIdent(req, reqName) || !isIdent(res, resName)) return null;
  // Only names: a parameter renamed to one means the same value, where an expression would need a declaration.
  if (!extra.every((a: Node) => a.type === 'Identifier' && a.name !== reqName && a.name !== resName)) return null;
  return { callee: expr.callee, awaited, extra: extra.map((a: Node) => a.name) };
}

/**
 * Whether the name passed after `(req, res)` holds the same value for as long as the inlined body runs, as the argument
 * did: only `const` declarations of it in the handler, a parameter of the handler it never assigns, or none there and
 * a module `const`, import or function. A
 * `let` could change while the body awaits (another request, a callback), where the parameter kept the value passed.
 */
function isFixedBinding(program: Node, handler: Node, name: string): boolean {
  const kinds: string[] = [];
  walk(handler, (n, parent) => {
    if (n.type === 'VariableDeclarator' && patternNames(n.id).includes(name)) kinds.push(parent?.kind ?? 'var');
    else if ((n.type === 'FunctionDeclaration' || n.type === 'ClassDeclaration') && n.id?.name === name) kinds.push('function');
    else if (n.type === 'CatchClause' && n.param && patternNames(n.param).includes(name)) kinds.push('catch');
    // The handler's own parameter (a wrapper's `adminUser`) keeps the value passed unless the handler assigns it.
    if (isFunction(n)) n.params.forEach((p: Node) => patternNames(p).includes(name) && kinds.push(n === handler && p.type === 'Identifier' ? 'handler-param' : 'param'));
  });
  if (kinds.length) return kinds.every((k) => k === 'const' || (k === 'handler-param' && !isAssignedIn(handler, name)));
  return program.body.some((stmt: Node) => {
    const decl = stmt.type === 'ExportNamedDeclaration' && stmt.declaration ? stmt.declaration : stmt;
    if (decl.type === 'ImportDeclaration') return decl.importKind !== 'type' && decl.specifiers?.some((s: Node) => s.local.name === name);
    if (decl.type === 'VariableDeclaration') return decl.kind === 'const' && declaredNames(decl).includes(name);
    return decl.type === 'FunctionDeclaration' && decl.id?.name === name;
  });
}

function usesVar(fn: Node): boolean {
  let found = false;
  walk(
    fn.body,
    (n) => {
      if (n.type === 'VariableDeclaration' && n.kind === 'var') found = true;
    },
    true,
  );
  return found;
}

/** The call sites in `list` and below where nothing of the handler runs after the call. */
function callSites(program: Node, list: Node[], tail: boolean, inTry: boolean, caseEnd: 'last' | 'more' | null, names: { req: string; res: string }, out: CallSite[]): void {
  list.forEach((stmt, index) => {
    const rest = list.slice(index + 1);
    // After the call: a bare `return`; or, where the list itself ends the handler, nothing (and no next case to
    // fall into) or a `break` out of the switch.
    const returnAfter = rest.length === 1 && rest[0].type === 'ReturnStatement' && !rest[0].argument;
    const breakAfter = rest.length === 1 && rest[0].type === 'BreakStatement' && !rest[0].label && caseEnd !== null;
    const isTail = returnAfter || (tail && (rest.length === 0 ? caseEnd !== 'more' : breakAfter));
    const call = callOf(stmt, names.req, names.res);
    if (call) {
      const ref = resolveFunction(program, call.callee);
      const returns = stmt.type === 'ReturnStatement';
      if (ref && ref.index >= 0 && (returns || isTail) && (!inTry || call.awaited)) out.push({ list, index, ref, returns, tail: isTail, awaited: call.awaited, extra: call.extra });
      return;
    }
    if (stmt.type === 'BlockStatement') callSites(program, stmt.body, isTail, inTry, null, names, out);
    else if (stmt.type === 'IfStatement') {
      for (const key of ['consequent', 'alternate']) {
        const branch = stmt[key];
        if (!branch) continue;
        // A call as a branch without braces gets them, so that it can become statements.
        if (callOf(branch, names.req, names.res)) stmt[key] = { type: 'BlockStatement', body: [branch] };
        callSites(program, stmt[key].type === 'BlockStatement' ? stmt[key].body : [stmt[key]], isTail, inTry, null, names, out);
      }
    } else if (stmt.type === 'SwitchStatement') {
      stmt.cases.forEach((c: Node, i: number) => callSites(program, c.consequent, isTail, inTry, i === stmt.cases.length - 1 ? 'last' : 'more', names, out));
    } else if (stmt.type === 'TryStatement') {
      callSites(program, stmt.block.body, isTail, true, null, names, out);
      if (stmt.handler) callSites(program, stmt.handler.body.body, isTail, inTry, null, names, out);
    }
  });
}

/**
 * Inlines, in `body` (the handler's statements, changed in place), the calls of same-file sub-handlers that nothing
 * runs after. Returns the names inlined, and the statements of program.body that declare sub-handlers no longer
 * referenced (for the caller to remove: it holds indices into program.body).
 */
export function inlineSubHandlers(snip: Snippets, program: Node, handler: Node, body: Node[], reqName: string, resName: string, laterAnswers = true): { inlined: string[]; unused: Set<Node>; notes: string[] } {
  const inlined = new Set<string>();
  const notes: string[] = [];
  const params = new Set<string>();
  handler.params.forEach((p: Node) => patternNames(p).forEach((n) => params.add(n)));
  // What the handler declares, and every name it mentions, as it is now (earlier sites may have placed bodies).
  const handlerNow = () => ({ type: 'BlockStatement', body });
  // A sub-handler may call another: a few rounds, bounded (one that calls itself is never inlined away).
  for (let round = 0; round < 4; round++) {
    const sites: CallSite[] = [];
    callSites(program, body, true, false, null, { req: reqName, res: resName }, sites);
    let changed = false;
    // From the last site of each list backwards: an inlined body changes the indices after it.
    for (const site of sites.reverse()) {
      const { fn, name } = site.ref;
      // Names passed past its parameters (`getHandler(req, res, user)` of a `(req, res)` function, next-amazona's
      // shape) were evaluated and dropped: a name bound there runs nothing and cannot throw, so it just goes.
      if (fn === handler || !name || fn.params.length < 2 || fn.params.length > 2 + site.extra.length || usesVar(fn) || fn.generator || handler.generator) continue;
      const extra = site.extra.slice(0, fn.params.length - 2);
      // A name that goes must read without a ReferenceError there, as it did in Pages (not one declared after the call).
      if (site.extra.slice(extra.length).some((dropped) => !boundWhereRead(program, handler, dropped, site.list[site.index]))) continue;
      // A parameter the body assigns would assign the handler's variable it is renamed to; a variable that may change
      // while the body runs would not read as the value passed.
      if (fn.params.slice(2).some((p: Node) => p.type !== 'Identifier' || isAssignedIn(fn.body, p.name))) continue;
      if (extra.some((name) => !isFixedBinding(program, handler, name))) continue;
      // An async function called without await or return: its rejection went unhandled, an inlined body's would not;
      // as the handler's last work, its answer came after the handler returned, which counts when no wrapper acts then.
      const detached = fn.async && !site.awaited && !site.returns;
      if (detached && !(site.tail && laterAnswers)) continue;
      const declared = new Set([...namesDeclaredWithin(handlerNow()), ...params]);
      // A function of the handler's own with that name is the one called.
      if (declared.has(name)) continue;
      // The body's free names must mean there what they meant in the function: the module's bindings.
      const free = freeNames(fn);
      if ([...free.reads, ...free.writes].some((n) => declared.has(n) && n !== reqName && n !== resName)) continue;
      let statements: Node[];
      try {
        statements = inlineBody(snip, fn, [reqName, resName, ...extra]);
      } catch (error) {
        if (error instanceof NotRewritable) continue;
        throw error;
      }
      // Without a block of its own only when no name the body declares is mentioned anywhere in the handler: a
      // declaration is seen by its whole scope (a switch's cases share one), before it too.
      const mentioned = namesIn(handlerNow());
      const block = statements.flatMap(declaredNames).some((n) => mentioned.has(n) || params.has(n)) ? [{ type: 'BlockStatement', body: statements }] : statements;
      const last = statements[statements.length - 1];
      const ends = last?.type === 'ReturnStatement' || last?.type === 'ThrowStatement';
      const after = site.returns && !site.tail && !ends ? snip.statements('return') : [];
      const placed = [...block, ...after];
      const line = site.list[site.index].loc?.start.line ?? '?';
      if (placed.length) placed[0] = snip.withCommentsOf(site.list[site.index], placed[0]);
      site.list.splice(site.index, 1, ...placed);
      // Next awaited what the handler returned: an async handler answers as the sync one that returned the promise.
      if (fn.async) handler.async = true;
      if (detached) notes.push(`line ${line}: ${name}(…) was not awaited; the route waits for its answer, and answers 500 where it throws (Pages never answered then)`);
      inlined.add(name);
      changed = true;
    }
    if (!changed) break;
  }
  // Unused once inlined, also through a sub-handler that only an inlined one called.
  const unused = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of inlined) {
      const ref = resolveFunction(program, { type: 'Identifier', name });
      if (!ref || ref.index < 0 || unused.has(ref.index)) continue;
      if (referencesOutside(program, name, new Set([ref.index, ...unused])) === 0) {
        unused.add(ref.index);
        grew = true;
      }
    }
  }
  return { inlined: [...inlined], unused: new Set([...unused].map((i) => program.body[i])), notes };
}

/** Whether control never goes past `stmt`: a return, a throw, a block that ends in one, an if/else or a try/catch whose parts all do. */
function alwaysLeaves(stmt: Node): boolean {
  if (stmt?.type === 'ReturnStatement' || stmt?.type === 'ThrowStatement') return true;
  if (stmt?.type === 'IfStatement') return !!stmt.alternate && alwaysLeaves(stmt.consequent) && alwaysLeaves(stmt.alternate);
  // A finally that completes leaves the try's own leaving as it was.
  if (stmt?.type === 'TryStatement') return alwaysLeaves(stmt.block) && (!stmt.handler || alwaysLeaves(stmt.handler.body));
  return stmt?.type === 'BlockStatement' && alwaysLeaves(stmt.body[stmt.body.length - 1]);
}

/**
 * Nothing, or an answer built from values that run nothing (`NextResponse.json({ error: 'x' }, { status: 405 })`,
 * `new Response(null, { status: 405 })`): a return of anything else (`return cleanup()`) is code Pages ran, which
 * stays in sight, unreachable, beside the review marker that says so.
 */
function buildsOnly(node: Node | null | undefined): boolean {
  const n = node && unwrap(node);
  if (!n) return true;
  const callee = n.type === 'NewExpression' || n.type === 'CallExpression' ? unwrap(n.callee) : null;
  const builds = isIdent(callee, 'Response') || (callee?.type === 'MemberExpression' && !callee.computed && (isIdent(callee.object, 'NextResponse') || isIdent(callee.object, 'Response')) && ['json', 'redirect'].includes(callee.property.name));
  return builds && n.arguments.every(inert);
}

/**
 * Removes a `return` that nothing reaches, right after a statement that always leaves (in `statements` and the
 * blocks below, not in nested functions): the bare `return` an inlined sub-handler got after its body, once the
 * response rewrite made that body's answer a `return`; a 405 the handler sent after its method's answers, once those
 * became returns (`if (item) return …; else return …;` then `return NextResponse.json(…, { status: 405 })`). One with
 * comments stays.
 */
export function dropDeadReturns(statements: Node[]): void {
  const dropIn = (list: Node[]) => {
    for (let i = list.length - 1; i > 0; i--) {
      const stmt = list[i];
      if (stmt.type === 'ReturnStatement' && !stmt.comments?.length && buildsOnly(stmt.argument) && alwaysLeaves(list[i - 1])) list.splice(i, 1);
    }
  };
  dropIn(statements);
  // One walk reaches every nested list (not those of nested functions).
  walk(
    { type: 'BlockStatement', body: statements },
    (n, parent) => {
      if (parent && n.type === 'BlockStatement') dropIn(n.body);
      if (n.type === 'SwitchCase') dropIn(n.consequent);
    },
    true,
  );
}
