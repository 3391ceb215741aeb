/**
 * SIGINT (Ctrl-C) and SIGTERM while the tool writes. Dying on the spot could leave a source removed before its route
 * is written; instead the run notes the signal, finishes the file it is on, and stops before the next one. apply.ts
 * then takes back what is not finished, and the run reports what was done.
 */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface StopSignals {
  /** The first signal received since `catchStopSignals`, if any. */
  received: () => NodeJS.Signals | undefined;
  /** Gives the signals back to Node's default handling (exit at once). */
  release: () => void;
}

export function catchStopSignals(onFirst: (signal: NodeJS.Signals) => void): StopSignals {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    onFirst(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return {
    received: () => received,
    release: () => SIGNALS.forEach((signal) => process.off(signal, handler)),
  };
}

/** The exit code shells give a process killed by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
