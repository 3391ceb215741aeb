/**
 * `export default withSentry(handler)` / `wrapApiHandlerWithSentry(handler, '/api/x')` from @sentry/nextjs: the
 * wrapper only reports errors and traces; App Router route handlers are instrumented by Sentry's own set-up
 * (`instrumentation.ts`, `withSentryConfig`), so the wrapper goes and the handler is migrated as if exported bare.
 */
import { isIdent, unwrap, type Node } from './ast.js';
import { dropImportOf } from './imports.js';

const WRAPPERS = ['withSentry', 'wrapApiHandlerWithSentry'];

export const SENTRY_NOTE =
  'withSentry removed: route handlers are instrumented by Sentry itself once instrumentation.ts registers it (see the @sentry/nextjs App Router set-up)';

export const SENTRY_SOURCE = '@sentry/nextjs';

/** `withSentry(handler)` (a wrapper @sentry/nextjs exports): the handler it wraps and where its import is, or null. */
export function sentryWrapped(program: Node, node: Node): { inner: Node; importIndex: number; local: string } | null {
  const call = unwrap(node);
  if (call?.type !== 'CallExpression' || !isIdent(call.callee) || call.arguments.length < 1 || call.arguments.length > 2) return null;
  const importIndex = program.body.findIndex(
    (s: Node) => s.type === 'ImportDeclaration' && s.source.value === SENTRY_SOURCE && s.specifiers?.some((sp: Node) => sp.type === 'ImportSpecifier' && sp.local.name === call.callee.name && WRAPPERS.includes(sp.imported.name)),
  );
  if (importIndex < 0 || call.arguments[0].type === 'SpreadElement') return null;
  return { inner: call.arguments[0], importIndex, local: call.callee.name };
}

/** Unwraps the default export in place; true when it did. */
export function unwrapSentry(program: Node, exportIndex: number): boolean {
  const stmt = program.body[exportIndex];
  const wrapped = sentryWrapped(program, stmt.declaration);
  if (!wrapped) return false;
  stmt.declaration = wrapped.inner;
  dropImportOf(program, wrapped.importIndex, wrapped.local);
  return true;
}
