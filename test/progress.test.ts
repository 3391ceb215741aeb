import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, isCI, progressWanted } from '../src/progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream, written };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress', () => {
  it('is wanted on a terminal outside CI only', () => {
    expect(progressWanted({ isTTY: true }, {})).toBe(true);
    expect(progressWanted({ isTTY: false }, {})).toBe(false);
    expect(progressWanted({}, {})).toBe(false);
    expect(progressWanted({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(progressWanted({ isTTY: true }, { CI: '1' })).toBe(false);
    expect(progressWanted({ isTTY: true }, { CI: 'woodpecker' })).toBe(false);
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({ CI: '' })).toBe(false);
  });

  it('draws nothing in the first half second, then a counter at most every 100 ms, and wipes it at the end', () => {
    vi.useFakeTimers();
    const { stream, written } = fakeStream(true);
    const progress = createProgress('Planning', 10, stream, {});
    progress.tick();
    vi.advanceTimersByTime(400);
    progress.tick();
    expect(written).toEqual([]);
    vi.advanceTimersByTime(100);
    progress.tick();
    progress.tick();
    vi.advanceTimersByTime(100);
    progress.tick();
    expect(written).toEqual(['\rPlanning 3/10', '\rPlanning 5/10']);
    progress.done();
    expect(written.at(-1)).toBe(`\r${' '.repeat('Planning 5/10'.length)}\r`);
  });

  it('writes nothing when not wanted, or when the step ends before the first draw', () => {
    vi.useFakeTimers();
    const ci = fakeStream(true);
    const progress = createProgress('Planning', 10, ci.stream, { CI: 'true' });
    vi.advanceTimersByTime(1000);
    progress.tick();
    progress.done();
    expect(ci.written).toEqual([]);
    const quick = fakeStream(true);
    const short = createProgress('Planning', 10, quick.stream, {});
    short.tick();
    short.done();
    expect(quick.written).toEqual([]);
  });
});
