/**
 * Splits one Pages handler body into one body per HTTP method by partial evaluation: every test of the request
 * method (if/else chains, switch, guards, `[...].includes(method)`, ternaries) is evaluated for a given method,
 * dead branches are removed, and code after a statement that always returns is dropped for that method only.
 * This covers every dispatch shape the same way, so no shape silently loses a branch.
 */
import { cloneNode, freshName, unwrap, walk, isFunction, memberName, isIdent, stringValue, type Node } from './ast.js';

export const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Every method a route can export, in the order routes list them. */
export const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

type Tri = boolean | undefined;

export interface MethodReader {
  reqName: string;
  /** Local names bound once to `req.method` (`const { method } = req`, `const method = req.method`). */
  aliases: Set<string>;
  /** Local names bound to an array literal of strings (`const allowed = ['GET', 'POST']`). */
  arrays: Map<string, string[]>;
  /** Gives a statement the leading comments of another (those of a removed `if` or `switch`). */
  keepComments: (from: Node, to: Node) => Node;
  /**
   * TypeScript: a ternary on the method whose other branch reads `req.body` (typed `any`) was `any` as a whole
   * (`req.method === 'GET' ? req.query : req.body`), and its kept branch keeps that type (foldTernaries, typedAny).
   */
  typescript?: boolean;
}

export class UnsupportedDispatch extends Error {}

const UPPER = new Set(['toUpperCase', 'toLocaleUpperCase']);
const LOWER = new Set(['toLowerCase', 'toLocaleLowerCase']);

/**
 * How `node` reads the request method, or null when it does not: `req.method` or an alias, as it is or upper-cased
 * (the method as sent: Node's parser takes methods in capitals only), or lower-cased (`req.method.toLowerCase()`).
 */
function methodReadOf(node: Node, reader: MethodReader): 'as-is' | 'lower' | null {
  let n = unwrap(node);
  // `req.method || ''`, `req.method ?? 'GET'`: the method of a request is always set, in both routers.
  if (n?.type === 'LogicalExpression' && (n.operator === '||' || n.operator === '??') && stringValue(n.right) !== null) n = unwrap(n.left);
  let read: 'as-is' | 'lower' = 'as-is';
  if ((n?.type === 'CallExpression' || n?.type === 'OptionalCallExpression') && n.arguments.length === 0) {
    const name = memberName(n.callee) ?? '';
    if (UPPER.has(name) || LOWER.has(name)) {
      if (LOWER.has(name)) read = 'lower';
      n = unwrap(n.callee.object);
    }
  }
  if (isIdent(n) && reader.aliases.has(n.name)) return read;
  return memberName(n) === 'method' && isIdent(unwrap(n.object), reader.reqName) ? read : null;
}

/** True when `node` reads the request method: `req.method`, an alias, or either upper- or lower-cased. */
export function isMethodRead(node: Node, reader: MethodReader): boolean {
  return methodReadOf(node, reader) !== null;
}

/**
 * The method as `node` reads it (`kind`: its methodReadOf), for `method`: lower-cased when the read lower-cases it;
 * null when the server's locale decides (`toLocaleLowerCase` of a method with an I: a Turkish locale gives a dotless ı).
 */
function methodAsRead(node: Node, kind: 'as-is' | 'lower', method: string): string | null {
  if (kind !== 'lower') return method;
  if (method.includes('I') && /toLocale/.test(memberName(unwrap(node).callee) ?? '')) return null;
  return method.toLowerCase();
}

function evalCompare(node: Node, method: string, reader: MethodReader): Tri {
  const op = node.operator;
  if (!['===', '==', '!==', '!='].includes(op)) return undefined;
  const leftRead = methodReadOf(node.left, reader);
  const rightRead = leftRead ? null : methodReadOf(node.right, reader);
  if (!leftRead && !rightRead) return undefined;
  const [read, kind, literal] = leftRead ? [node.left, leftRead, stringValue(node.right)] : [node.right, rightRead!, stringValue(node.left)];
  const asRead = methodAsRead(read, kind, method);
  if (literal === null || asRead === null) return undefined;
  const equal = literal === asRead;
  return op === '===' || op === '==' ? equal : !equal;
}

function evalIncludes(node: Node, method: string, reader: MethodReader): Tri {
  const callee = node.callee;
  const kind = memberName(callee) === 'includes' && node.arguments.length === 1 ? methodReadOf(node.arguments[0], reader) : null;
  if (!kind) return undefined;
  const list = unwrap(callee.object);
  let values: string[] | undefined;
  if (list.type === 'ArrayExpression') {
    const strings = list.elements.map((e: Node) => stringValue(e));
    if (strings.every((s: string | null) => s !== null)) values = strings as string[];
  } else if (isIdent(list)) values = reader.arrays.get(list.name);
  const asRead = methodAsRead(node.arguments[0], kind, method);
  return values && asRead !== null ? values.includes(asRead) : undefined;
}

/** Whether evaluating `node` may do something: a call, an await, an assignment, `new`, `delete`, a yield. */
function hasEffects(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (['CallExpression', 'OptionalCallExpression', 'NewExpression', 'AwaitExpression', 'AssignmentExpression', 'UpdateExpression', 'YieldExpression', 'TaggedTemplateExpression'].includes(n.type)) found = true;
    if (n.type === 'UnaryExpression' && n.operator === 'delete') found = true;
    return isFunction(n) ? false : undefined;
  });
  return found;
}

/** Three-valued evaluation of a condition for one method: true, false, or unknown. */
export function evalCondition(node: Node, method: string, reader: MethodReader): Tri {
  const n = unwrap(node);
  switch (n.type) {
    case 'BinaryExpression':
      return evalCompare(n, method, reader);
    case 'CallExpression':
    case 'OptionalCallExpression':
      return evalIncludes(n, method, reader);
    case 'UnaryExpression': {
      if (n.operator !== '!') return undefined;
      const inner = evalCondition(n.argument, method, reader);
      return inner === undefined ? undefined : !inner;
    }
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      // `req.method && …`: a request always has a method.
      return isMethodRead(n, reader) ? true : undefined;
    case 'LogicalExpression': {
      const left = evalCondition(n.left, method, reader);
      // The right operand alone decides only when the left one, which runs first, does nothing (`await limited() ||
      // req.method === 'GET'` must still call limited()).
      const right = left === undefined && hasEffects(n.left) ? undefined : evalCondition(n.right, method, reader);
      if (n.operator === '&&') {
        if (left === false || right === false) return false;
        if (left === true && right === true) return true;
      } else if (n.operator === '||') {
        if (left === true || right === true) return true;
        if (left === false && right === false) return false;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Rewrites a condition with its known method parts folded away (`method === 'POST' && !body` → `!body`). */
function simplifyCondition(node: Node, method: string, reader: MethodReader): Node {
  const n = unwrap(node);
  if (n.type !== 'LogicalExpression' || (n.operator !== '&&' && n.operator !== '||')) return node;
  const left = evalCondition(n.left, method, reader);
  const right = evalCondition(n.right, method, reader);
  const neutral = n.operator === '&&';
  if (left === neutral) return simplifyCondition(n.right, method, reader);
  if (right === neutral) return simplifyCondition(n.left, method, reader);
  return node;
}

/** Methods named anywhere in a method comparison; HEAD and OPTIONS are exported only when the handler names them. */
export function methodsNamed(body: Node, reader: MethodReader): string[] {
  const named = new Set<string>();
  walk(body, (n) => {
    if (n.type === 'BinaryExpression' && (isMethodRead(n.left, reader) || isMethodRead(n.right, reader))) {
      const s = stringValue(n.left) ?? stringValue(n.right);
      const lower = methodReadOf(n.left, reader) === 'lower' || methodReadOf(n.right, reader) === 'lower';
      // A lower-cased read names the method in capitals; a capital read of a lower-case literal names none.
      if (s) named.add(lower ? s.toUpperCase() : s);
    }
    if (n.type === 'SwitchStatement' && isMethodRead(n.discriminant, reader)) {
      const lower = methodReadOf(n.discriminant, reader) === 'lower';
      for (const c of n.cases) if (c.test && stringValue(c.test)) named.add(lower ? stringValue(c.test)!.toUpperCase() : stringValue(c.test)!);
    }
    if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && memberName(n.callee) === 'includes' && n.arguments.length === 1 && isMethodRead(n.arguments[0], reader)) {
      const list = unwrap(n.callee.object);
      const values: Array<string | null> =
        list.type === 'ArrayExpression' ? list.elements.map((e: Node) => stringValue(e)) : isIdent(list) ? (reader.arrays.get(list.name) ?? []) : [];
      const lower = methodReadOf(n.arguments[0], reader) === 'lower';
      for (const v of values) if (v) named.add(lower ? v.toUpperCase() : v);
    }
  });
  return [...named].filter((m) => ALL_METHODS.includes(m));
}

/** Does this statement always end by return or throw, whatever path runs? */
export function alwaysExits(stmt: Node): boolean {
  if (!stmt) return false;
  switch (stmt.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
      return true;
    case 'BlockStatement':
      return stmt.body.some(alwaysExits);
    case 'IfStatement':
      return !!stmt.alternate && alwaysExits(stmt.consequent) && alwaysExits(stmt.alternate);
    case 'TryStatement':
      return (stmt.finalizer && alwaysExits(stmt.finalizer)) || (alwaysExits(stmt.block) && (!stmt.handler || alwaysExits(stmt.handler.body)));
    default:
      return false;
  }
}

function declaredNames(stmts: Node[]): Set<string> {
  const names = new Set<string>();
  const addPattern = (p: Node) =>
    walk(p, (n, parent, key) => {
      if (n.type === 'Identifier' && !(parent?.type === 'ObjectProperty' && key === 'key' && !parent.computed)) names.add(n.name);
      if (n.type === 'AssignmentPattern') {
        addPattern(n.left);
        return false;
      }
    });
  for (const s of stmts) {
    if (s.type === 'VariableDeclaration') for (const d of s.declarations) addPattern(d.id);
    if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) names.add(s.id.name);
  }
  return names;
}

/** Inline a branch's statements into the enclosing list when that cannot change which binding a name refers to. */
function canInline(branch: Node[], siblings: Node[]): boolean {
  const inner = declaredNames(branch);
  if (inner.size === 0) return true;
  const outer = declaredNames(siblings);
  for (const n of inner) if (outer.has(n)) return false;
  return true;
}

function asList(stmt: Node): Node[] {
  return stmt.type === 'BlockStatement' ? stmt.body : [stmt];
}

/**
 * Statements a switch runs for one method, following fall-through. A case that leaves the switch through a `break`
 * nested in its statements (`case 'GET': try { …; break; } catch { … }`) runs inside a labeled block whose label those
 * breaks leave instead (`methodCase: { try { …; break methodCase; } … }`): the code after the switch runs as before.
 */
function switchBranch(sw: Node, method: string, reader: MethodReader): Node[] {
  let start = sw.cases.findIndex((c: Node) => c.test && stringValue(c.test) === method);
  if (start < 0) start = sw.cases.findIndex((c: Node) => !c.test);
  if (start < 0) return [];
  const out: Node[] = [];
  let nestedBreaks = false;
  const done = () => (nestedBreaks ? [labeledForBreaks(sw, out)] : out);
  for (let i = start; i < sw.cases.length; i++) {
    const stmts = sw.cases[i].consequent.flatMap((s: Node) => (s.type === 'BlockStatement' && sw.cases[i].consequent.length === 1 ? s.body : [s]));
    for (const s of stmts) {
      if (s.type === 'BreakStatement' && !s.label) return done();
      if (breaksOf(s).length) nestedBreaks = true;
      out.push(s);
      if (alwaysExits(s)) return done();
    }
  }
  void reader;
  return done();
}

/**
 * The `break`s that would leave the switch from inside a nested statement (not inside a loop, another switch or a
 * function), or, given a label, those that leave that label.
 */
function breaksOf(stmt: Node, label?: string): Node[] {
  const found: Node[] = [];
  walk(stmt, (n) => {
    if (isFunction(n)) return false;
    if (!label && (/^(For|ForIn|ForOf|While|DoWhile)Statement$/.test(n.type) || n.type === 'SwitchStatement')) return false;
    if (n.type === 'BreakStatement' && (label ? n.label?.name === label : !n.label)) found.push(n);
  });
  return found;
}

/** The mark of a labeled block made for a case's nested breaks (labeledForBreaks). */
const CASE_BLOCK = '__caseBlock';

/** `label: { …statements }`, each nested switch `break` in them leaving the block: a label no label of the switch uses. */
function labeledForBreaks(sw: Node, statements: Node[]): Node {
  const labels = new Set<string>();
  walk(sw, (n) => void (n.type === 'LabeledStatement' && labels.add(n.label.name)));
  const label = freshName('methodCase', labels);
  for (const stmt of statements) for (const brk of breaksOf(stmt)) brk.label = { type: 'Identifier', name: label };
  return { type: 'LabeledStatement', label: { type: 'Identifier', name: label }, body: { type: 'BlockStatement', body: statements, directives: [] }, [CASE_BLOCK]: true };
}

function specializeList(stmts: Node[], method: string, reader: MethodReader): Node[] {
  const out: Node[] = [];
  for (const stmt of stmts) {
    // `out` too: two branches inlined into one list must not both declare a name (found by the fuzz test).
    const replaced = specializeStatement(stmt, method, reader, [...stmts, ...out]);
    for (const s of replaced) {
      out.push(s);
      if (alwaysExits(s)) return out;
    }
  }
  return out;
}

function specializeStatement(stmt: Node, method: string, reader: MethodReader, siblings: Node[]): Node[] {
  if (stmt.type === 'IfStatement') {
    const value = evalCondition(stmt.test, method, reader);
    if (value === undefined) {
      if (mentionsMethod(stmt.test, reader)) {
        const simplified = simplifyCondition(stmt.test, method, reader);
        if (mentionsMethod(simplified, reader)) throw new UnsupportedDispatch('a condition mixes the method with other tests');
        stmt.test = simplified;
      }
      stmt.consequent = asStatement(specializeList(asList(stmt.consequent), method, reader), stmt.consequent);
      if (stmt.alternate) stmt.alternate = asStatement(specializeList(asList(stmt.alternate), method, reader), stmt.alternate);
      if (stmt.alternate && stmt.alternate.type === 'BlockStatement' && stmt.alternate.body.length === 0) stmt.alternate = null;
      return [stmt];
    }
    const chosen = value ? stmt.consequent : stmt.alternate;
    if (!chosen) return [];
    const list = specializeList(asList(chosen), method, reader);
    if (canInline(list, siblings)) return keepComments(stmt, list, reader);
    if (chosen.type !== 'BlockStatement') return [{ type: 'BlockStatement', body: list, directives: [] }];
    chosen.body = list;
    return [chosen];
  }
  // A switch on the lower-cased method stays a switch the route runs: a case may leave it through a nested break.
  if (stmt.type === 'SwitchStatement' && methodReadOf(stmt.discriminant, reader) === 'as-is') {
    const branch = switchBranch(stmt, method, reader);
    const list = specializeList(branch, method, reader);
    if (canInline(list, siblings)) return keepComments(stmt, list, reader);
    return [{ type: 'BlockStatement', body: list, directives: [] }];
  }
  for (const key of ['body', 'block', 'finalizer']) {
    const child = stmt[key];
    if (child?.type === 'BlockStatement') child.body = specializeList(child.body, method, reader);
  }
  if (stmt.type === 'TryStatement' && stmt.handler) stmt.handler.body.body = specializeList(stmt.handler.body.body, method, reader);
  if (/^(For|ForIn|ForOf|While|DoWhile|Labeled)Statement$/.test(stmt.type) && stmt.body && stmt.body.type !== 'BlockStatement') {
    stmt.body = asStatement(specializeStatement(stmt.body, method, reader, [stmt.body]), stmt.body);
  }
  if (stmt.type === 'SwitchStatement') {
    for (const c of stmt.cases) c.consequent = specializeList(c.consequent, method, reader);
  }
  foldTernaries(stmt, method, reader);
  return [stmt];
}

/** Leading comments of a removed `if`/`switch` stay with the first statement that replaces it. */
function keepComments(removed: Node, list: Node[], reader: MethodReader): Node[] {
  if (list.length && removed.comments?.some((c: Node) => c.leading)) list[0] = reader.keepComments(removed, list[0]);
  return list;
}

function asStatement(list: Node[], original: Node): Node {
  if (original.type === 'BlockStatement') {
    original.body = list;
    return original;
  }
  if (list.length === 1) return list[0];
  return { type: 'BlockStatement', body: list, directives: [] };
}

/**
 * Whether Pages typed `node` `any` through req.body: `req.body` (also `req['body']`, `(req as any).body`), a read off
 * it (`req.body.params`), a cast to any, or a ternary one of whose branches is such (`… ? req.body : {}`).
 */
function typedAny(node: Node, reqName: string): boolean {
  let n = node;
  while (n?.type === 'ParenthesizedExpression' || n?.type === 'TSNonNullExpression') n = n.expression;
  if (n?.type === 'TSAsExpression' || n?.type === 'TSTypeAssertion') return n.typeAnnotation?.type === 'TSAnyKeyword';
  if (n?.type === 'ConditionalExpression') return typedAny(n.consequent, reqName) || typedAny(n.alternate, reqName);
  if (n?.type !== 'MemberExpression' && n?.type !== 'OptionalMemberExpression') return false;
  return (isIdent(unwrap(n.object), reqName) && memberName(n) === 'body') || typedAny(n.object, reqName);
}

function foldTernaries(stmt: Node, method: string, reader: MethodReader): void {
  walk(
    stmt,
    (n) => {
      for (const key of Object.keys(n)) {
        const child = n[key];
        if (child?.type === 'ConditionalExpression') {
          const value = evalCondition(child.test, method, reader);
          if (value === undefined) continue;
          const [kept, dropped] = value ? [child.consequent, child.alternate] : [child.alternate, child.consequent];
          // `query` alone is typed for itself, where code after it took the `any` of the whole (`authorize(params)`).
          const wasAny = reader.typescript && typedAny(dropped, reader.reqName) && !typedAny(kept, reader.reqName);
          n[key] = wasAny ? { type: 'TSAsExpression', expression: kept, typeAnnotation: { type: 'TSAnyKeyword' } } : kept;
        }
      }
    },
    true,
  );
}

export function mentionsMethod(node: Node, reader: MethodReader): boolean {
  let found = false;
  walk(node, (n) => {
    if (isMethodRead(n, reader)) {
      found = true;
      return false;
    }
  });
  return found;
}

/** The method-specific copy of a handler body. Throws UnsupportedDispatch when a method test cannot be evaluated. */
export function specializeBody(body: Node[], method: string, reader: MethodReader): Node[] {
  const list = specializeList(cloneNode(body), method, reader);
  // A case's block that ends the handler: its breaks end the handler too, as plain returns (which the response
  // rewrite knows), and its statements join the body when no name clashes.
  const last = list.at(-1);
  if (last?.[CASE_BLOCK]) {
    for (const brk of breaksOf(last.body, last.label.name)) Object.assign(brk, { type: 'ReturnStatement', argument: null, label: undefined });
    list.splice(-1, 1, ...(canInline(last.body.body, list.slice(0, -1)) ? last.body.body : [last.body]));
  }
  return list;
}

/** Finds method aliases and constant arrays declared at the top of the handler or the module. */
export function methodReaderFor(reqName: string, handlerBody: Node[], moduleBody: Node[], keepComments: MethodReader['keepComments']): MethodReader {
  const reader: MethodReader = { reqName, aliases: new Set(), arrays: new Map(), keepComments };
  for (const stmt of [...moduleBody, ...handlerBody]) {
    if (stmt.type !== 'VariableDeclaration' && !(stmt.type === 'ExportNamedDeclaration' && stmt.declaration?.type === 'VariableDeclaration')) continue;
    const decl = stmt.type === 'VariableDeclaration' ? stmt : stmt.declaration;
    if (decl.kind !== 'const') continue;
    for (const d of decl.declarations) {
      const init = d.init && unwrap(d.init);
      if (!init) continue;
      if (d.id.type === 'Identifier' && init.type === 'ArrayExpression') {
        const values = init.elements.map((e: Node) => stringValue(e));
        if (values.length && values.every((v: string | null) => v !== null)) reader.arrays.set(d.id.name, values as string[]);
      }
      // Only the method as sent: a lower-cased copy (`const m = req.method.toLowerCase()`) stays a runtime value.
      if (d.id.type === 'Identifier' && methodReadOf(init, reader) === 'as-is') reader.aliases.add(d.id.name);
      if (d.id.type === 'ObjectPattern' && isIdent(init, reqName)) {
        for (const p of d.id.properties) {
          if (p.type !== 'ObjectProperty' || p.computed || !isIdent(p.key, 'method')) continue;
          const value = p.value.type === 'AssignmentPattern' ? null : p.value;
          if (isIdent(value)) reader.aliases.add(value.name);
        }
      }
    }
  }
  return reader;
}
