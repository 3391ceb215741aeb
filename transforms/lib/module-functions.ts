import { unwrap, type Node } from './ast.js';

/** A top-level function of a module: a declaration, or a variable that holds an arrow or a function expression. */
export interface ModuleFunction {
  name: string;
  fn: Node;
  /** The top-level statement that declares it. */
  statement: Node;
  /** The variable's declarator; none for a function declaration. */
  declarator?: Node;
}

/** The module's top-level functions (not exported ones: those sit in an export statement), in order. */
export function moduleFunctions(program: Node): ModuleFunction[] {
  const found: ModuleFunction[] = [];
  for (const statement of program.body) {
    if (statement.type === 'FunctionDeclaration' && statement.id) found.push({ name: statement.id.name, fn: statement, statement });
    if (statement.type === 'VariableDeclaration' && statement.declarations.length === 1) {
      const declarator = statement.declarations[0];
      const init = declarator.init && unwrap(declarator.init);
      if (declarator.id.type === 'Identifier' && (init?.type === 'ArrowFunctionExpression' || init?.type === 'FunctionExpression')) found.push({ name: declarator.id.name, fn: init, statement, declarator });
    }
  }
  return found;
}
