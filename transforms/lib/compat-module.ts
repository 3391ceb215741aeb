/**
 * The shared compat module (compat-module-text.ts) in the app's language: as it is for TypeScript, with its types
 * taken out for JavaScript.
 */
import { apiFor } from './ast.js';
import { BODY, HEADER } from './compat-module-text.js';

/** The same module without its types, for JavaScript apps: derived from the TypeScript text so the two never drift. */
function stripTypes(ts: string): string {
  const j = apiFor('pages-compat.ts');
  const root = j(ts);
  root.find(j.ImportDeclaration, { importKind: 'type' }).remove();
  root.find(j.ImportSpecifier).filter((path) => (path.node as { importKind?: string }).importKind === 'type').remove();
  // `x as unknown as T` nests: unwrap until none is left.
  for (let casts = root.find(j.TSAsExpression); casts.size(); casts = root.find(j.TSAsExpression)) casts.at(0).replaceWith((path) => path.node.expression);
  root.find(j.Identifier).forEach((path) => {
    const node = path.node as { typeAnnotation?: unknown; optional?: boolean };
    node.typeAnnotation = null;
    node.optional = false;
  });
  root.find(j.Function).forEach((path) => {
    const node = path.node as { returnType?: unknown; typeParameters?: unknown };
    node.returnType = null;
    node.typeParameters = null;
  });
  root.find(j.ClassProperty).forEach((path) => {
    const node = path.node as { typeAnnotation?: unknown; readonly?: boolean };
    node.typeAnnotation = null;
    node.readonly = false;
  });
  root.find(j.AssignmentPattern).forEach((path) => {
    const left = path.node.left as { typeAnnotation?: unknown };
    left.typeAnnotation = null;
  });
  return root.toSource({ quote: 'single' }).replace('// eslint-disable-next-line @typescript-eslint/no-explicit-any\n', '');
}

export function compatModuleSource(typescript: boolean): string {
  return HEADER + (typescript ? BODY : stripTypes(BODY));
}
