/**
 * Colour only on a terminal. chalk already decides from the stream (a TTY or not) and from FORCE_COLOR, but it does
 * not read NO_COLOR (https://no-color.org), so that is added here. As in Node's own tty.getColorDepth(), FORCE_COLOR
 * wins over NO_COLOR: it is the more explicit request.
 */
import chalk, { chalkStderr } from 'chalk';

export function honourNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (env.FORCE_COLOR !== undefined) return;
  // no-color.org: "when present and not an empty string".
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    chalk.level = 0;
    chalkStderr.level = 0;
  }
}
