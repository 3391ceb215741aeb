/**
 * Whether evaluating an expression may run code of the project (a call, a getter, a constructor): a wrapper's argument
 * that may is evaluated once, where Pages evaluated it (into a const of the route), not once per exported method.
 */
import { unwrap, type Node } from './ast.js';

/** An argument whose evaluation runs no code of the project: a literal, a name, a function, and such of those. */
export function runsNothing(node: Node): boolean {
  const n = unwrap(node);
  switch (n?.type) {
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'BigIntLiteral':
    case 'Identifier':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      return true;
    case 'TemplateLiteral':
      return n.expressions.every(runsNothing);
    case 'UnaryExpression':
      return n.operator !== 'delete' && runsNothing(n.argument);
    case 'ArrayExpression':
      return n.elements.every((e: Node | null) => e === null || (e.type !== 'SpreadElement' && runsNothing(e)));
    case 'ObjectExpression':
      return n.properties.every((p: Node) => p.type === 'ObjectProperty' && !p.computed && runsNothing(p.value));
    default:
      return false;
  }
}
