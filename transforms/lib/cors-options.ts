/**
 * Whether the options given to a CORS package (micro-cors's `Cors({ … })`, nextjs-cors's `NextCors(req, res, { … })`)
 * are statically safe to carry into a route unchanged: an object literal whose values are plain data (strings,
 * numbers, booleans, null, regular expressions, arrays and objects of those) or `process.env` reads. Such options
 * give the same value wherever they are evaluated; a function (cors's `origin: (origin, callback) => …`, or an
 * options function of the request) or any other name may read what the route no longer has (`req`), so it is not
 * followed. Pure: a syntax tree in, a reason out.
 */
import { isFunction, isIdent, unwrap, type Node } from './ast.js';

/** `process.env.X` or `process.env['X']`. */
function isEnvRead(node: Node): boolean {
  if (node.type !== 'MemberExpression' || (node.computed && !isStringLiteral(unwrap(node.property)))) return false;
  const object = unwrap(node.object);
  return object?.type === 'MemberExpression' && !object.computed && isIdent(unwrap(object.object), 'process') && isIdent(object.property, 'env');
}

function isStringLiteral(node: Node): boolean {
  return node?.type === 'StringLiteral' || (node?.type === 'Literal' && typeof node.value === 'string');
}

/** Why `value` is not plain data, or null when it is. `path` names it in the reason (`origin`, `allowMethods[0]`). */
function valueProblem(value: Node, path: string): string | null {
  const v = unwrap(value);
  switch (v?.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'RegExpLiteral':
    case 'Literal':
      return null;
    case 'TemplateLiteral':
      return v.expressions.length ? `${path} is a template with expressions` : null;
    case 'UnaryExpression':
      return v.operator === '-' && unwrap(v.argument)?.type === 'NumericLiteral' ? null : `${path} is computed`;
    case 'ArrayExpression':
      for (const [i, element] of v.elements.entries()) {
        if (!element || element.type === 'SpreadElement') return `${path} spreads or skips an element`;
        const problem = valueProblem(element, `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    case 'ObjectExpression':
      return objectProblem(v, path);
    case 'MemberExpression':
      return isEnvRead(v) ? null : `${path} reads ${v.object?.type === 'Identifier' ? `${v.object.name}.…` : 'a property'}, which the tool does not follow`;
    case 'Identifier':
      return v.name === 'undefined' ? null : `${path} is the variable ${v.name}, which the tool does not follow`;
    default:
      if (isFunction(v)) return `${path} is a function, which may read anything of the request`;
      return `${path} is computed`;
  }
}

function objectProblem(object: Node, path: string): string | null {
  for (const p of object.properties) {
    if (p.type === 'SpreadElement' || p.computed || (p.type !== 'ObjectProperty' && p.type !== 'Property') || p.kind === 'get' || p.kind === 'set' || p.method) {
      return `${path} ${p.type === 'SpreadElement' ? 'spread other options' : 'compute a key or declare a method'}`;
    }
    const key = isIdent(p.key) ? p.key.name : String(p.key.value);
    const problem = valueProblem(p.value, `${path === 'the options' ? '' : `${path}.`}${key}`);
    if (problem) return path === 'the options' && !problem.startsWith('the options') ? `the option ${problem}` : problem;
  }
  return null;
}

/**
 * Why the options `node` (the argument as written; undefined when none is given) cannot be carried into the route,
 * or null when they can. `pkg` names the package in the reason.
 */
export function corsOptionsProblem(node: Node | undefined, pkg: string): string | null {
  if (!node) return null;
  const options = unwrap(node);
  if (isFunction(options)) return `the ${pkg} options are a function of the request, which may read anything of req`;
  if (options?.type !== 'ObjectExpression') return `the ${pkg} options are not an object literal (${options?.type === 'Identifier' ? `the variable ${options.name}` : 'a computed value'})`;
  const problem = objectProblem(options, 'the options');
  return problem ? `${problem} (${pkg})` : null;
}
