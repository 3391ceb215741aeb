// Placeholder: the real transform is being written; it keeps this signature.
import type { TransformContext, TransformResult } from './types.js';

export function transformSource(source: string, context: TransformContext): TransformResult {
  void source;
  void context;
  return { status: 'left', diagnostics: [{ reason: 'HANDLER_NOT_FOUND' }], notes: [], usesCompat: false, methods: [] };
}
