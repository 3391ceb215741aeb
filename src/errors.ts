/**
 * A failure the user can act on: printed as its one-sentence message, without a stack trace, and the run exits 1.
 * Anything else that is thrown is an internal error.
 */
export class UserError extends Error {
  override name = 'UserError';
}
