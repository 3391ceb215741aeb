/**
 * A failure the user can act on: printed as its one-sentence message, without a stack trace, and the run exits 1.
 * Anything else that is thrown is an internal error.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** The first line of what was thrown: a parser's message can carry a code frame below it. */
export function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
