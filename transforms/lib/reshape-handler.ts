/**
 * Default exports that dispatch by method through a map or a router are rewritten, before the handler is looked
 * for, into the plain `(req, res)` handler the rest of the transform migrates (see dispatch.ts).
 */
import type { Node, Snippets } from './ast.js';
import { NotRewritable } from './dispatch.js';
import { rewriteMethodMap } from './method-map.js';
import { rewriteNextConnect } from './next-connect.js';
import { unwrapSentry, SENTRY_NOTE } from './sentry.js';
import { unwrapIronSession, IRON_WRAPPER_NOTE } from './recipes-iron-wrapper.js';
import { unwrapMicroCors } from './recipes-micro-cors.js';
import type { Reason } from '../../src/diagnostics.js';

type Marker = { reason: Reason; detail: string };
/** `corsWrapper`: micro-cors's wrapper came off the export, and the handler's run of it goes by this name. */
export type Reshaped = { notes: string[]; markers?: Marker[]; corsWrapper?: string } | { reason: Reason; line?: number; detail: string } | null;

export function reshapeHandler(snip: Snippets, program: Node, typescript: boolean): Reshaped {
  let exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  if (exportIndex < 0 || program.body[exportIndex].declaration.type.endsWith('Declaration')) return null;
  const notes: string[] = [];
  if (unwrapSentry(program, exportIndex)) {
    notes.push(SENTRY_NOTE);
    exportIndex = program.body.findIndex((s: Node) => s.type === 'ExportDefaultDeclaration');
  }
  const iron = unwrapIronSession(snip, program, exportIndex, typescript);
  if (iron && 'problem' in iron) return { reason: 'HANDLER_NOT_FOUND', line: iron.line, detail: iron.problem };
  if (iron) return { notes: [...notes, IRON_WRAPPER_NOTE], markers: iron.markers };
  try {
    if (rewriteNextConnect(snip, program, exportIndex, typescript)) return { notes: [...notes, 'next-connect router: one export per method, its middleware, onNoMatch and onError inlined'] };
  } catch (error) {
    if (error instanceof NotRewritable) return { reason: 'ROUTER_NOT_FOLLOWED', line: error.line, detail: error.message };
    throw error;
  }
  try {
    if (rewriteMethodMap(snip, program, exportIndex)) return { notes: [...notes, 'method map: each method handler became its export'] };
  } catch (error) {
    if (error instanceof NotRewritable) return { reason: 'DISPATCHER_NOT_FOLLOWED', line: error.line, detail: error.message };
    throw error;
  }
  // Last: the shapes above do not see through micro-cors's call, and it wraps a plain handler only.
  const microCors = unwrapMicroCors(snip, program, exportIndex);
  if (microCors && 'problem' in microCors) return { reason: 'MIDDLEWARE_NOT_FOLLOWED', line: microCors.line, detail: microCors.problem };
  if (microCors) return { notes, corsWrapper: microCors.wrapper };
  return notes.length ? { notes } : null;
}
