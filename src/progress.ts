/**
 * A counter on stderr for long runs ("Planning 1200/2000 files"), redrawn in place and wiped when the step ends.
 * Only on a terminal and outside CI: in logs and pipes a redrawn line is noise. Short steps draw nothing.
 */

export interface Progress {
  /** One more item done. */
  tick(): void;
  /** The step is over: the line, if drawn, is wiped. */
  done(): void;
}

/** Nothing is drawn before this: a step that ends sooner stays silent. */
const FIRST_DRAW_MS = 500;
/** Redraws at most this often, so that drawing costs nothing next to the work. */
const REDRAW_MS = 100;

const SILENT: Progress = { tick: () => undefined, done: () => undefined };

/** CI services set CI (to `true`, `1`, or a name); `CI=false` or `CI=0` is how people say "not CI". */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

export function progressWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !isCI(env);
}

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Progress {
  if (!progressWanted(stream, env)) return SILENT;
  const started = Date.now();
  let count = 0;
  let drawnAt = 0;
  let width = 0;
  // Drawn from tick(), not a timer: the work runs synchronously in long stretches and a timer would not fire.
  const draw = () => {
    const text = `${label} ${count}/${total}`;
    stream.write(`\r${text.padEnd(width)}`);
    width = text.length;
    drawnAt = Date.now();
  };
  return {
    tick() {
      count++;
      const now = Date.now();
      if (now - started >= FIRST_DRAW_MS && now - drawnAt >= REDRAW_MS) draw();
    },
    done() {
      // Spaces rather than an erase-line escape: a dumb terminal understands them too.
      if (width > 0) stream.write(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}
