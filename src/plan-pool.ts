/**
 * Plans many files on every core: the main thread plans files one by one while worker threads (one fewer than the
 * cores) plan batches. Each result lands at its source's index, whoever planned it, so the plan is the same as a
 * single-threaded one. Small runs stay on the main thread: starting a worker (it loads its own parser) costs more
 * than planning a hundred files.
 *
 * A worker that stops (out of memory, a crash) loses no file: the files it held are planned again one at a time by
 * a fresh worker, and only a file that stops a worker on its own becomes an INTERNAL_ERROR. A worker that cannot
 * start at all leaves its share to the main thread.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileSettings } from './plan-file.js';
import { unplannedFile, type PlannedFile } from './plan-types.js';

export interface PoolOptions {
  /** Threads to use, the main thread included. Default: os.availableParallelism(). */
  threads?: number;
  /** Fewest files that make one worker worth starting. Default: FILES_PER_WORKER. */
  filesPerWorker?: number;
  /** The worker script. Default: plan-worker.js beside this module (tests running the sources point it at the build). */
  workerUrl?: URL;
  /**
   * Whether the main thread plans files too (default true). With false it plans only when no worker is left, and
   * with one worker which thread plans which file no longer depends on timing, which tests need.
   */
  mainThread?: boolean;
  /** Called after each file is planned, in completion order. */
  onFilePlanned?: () => void;
}

/** Messages between the pool and plan-worker.ts. */
export type ToWorker = { batch: number; sources: string[] };
export type FromWorker = { type: 'ready' } | { type: 'planned'; batch: number; files: PlannedFile[] };

/** A worker starts in about 0.2 s of CPU; a file takes about 2 ms. */
const FILES_PER_WORKER = 100;
/** Each worker holds its own parser and caches (tens of MB); past eight threads memory grows faster than speed. */
const MAX_WORKERS = 7;
/** Fresh workers to replace ones that stopped, per run. */
const MAX_RESTARTS = 4;
/** Batches a worker holds at once: it starts the next while the main thread, busy planning, reads the last. */
const BATCHES_IN_FLIGHT = 2;
const MAX_BATCH = 16;

/** How many worker threads to start for `files` files. */
export function workerCount(files: number, options: Pick<PoolOptions, 'threads' | 'filesPerWorker'> = {}): number {
  const threads = options.threads ?? os.availableParallelism();
  const worthIt = Math.floor(files / (options.filesPerWorker ?? FILES_PER_WORKER));
  return Math.max(0, Math.min(threads - 1, MAX_WORKERS, worthIt));
}

type PlanOne = (settings: FileSettings, source: string) => PlannedFile;

/** Plans `sources` (posix, relative to the root) and returns the files in the same order. */
export async function planFiles(settings: FileSettings, sources: string[], options: PoolOptions = {}): Promise<PlannedFile[]> {
  const workers = workerCount(sources.length, options);
  // Workers start before the main thread loads the parser, so that their start-up overlaps its own.
  const pool = workers > 0 ? new PoolRun(settings, sources, options, workers) : undefined;
  const { planSourceFile } = await import('./plan-file.js');
  if (pool) return pool.run(planSourceFile);
  return sources.map((source) => {
    const file = planSourceFile(settings, source);
    options.onFilePlanned?.();
    return file;
  });
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Batch id → the indices of its files. */
  inFlight: Map<number, number[]>;
  error?: Error;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

class PoolRun {
  private readonly results: PlannedFile[];
  /** Indices not handed out yet. */
  private readonly queue: number[];
  /** Indices held by a worker that stopped: planned again, one per worker at a time. */
  private readonly suspects: number[] = [];
  private readonly slots = new Set<Slot>();
  private readonly workerUrl: URL;
  private remaining: number;
  private nextBatch = 0;
  private restarts = 0;
  private mainPlanning = false;
  /** The main thread's planner, once it has loaded the parser. */
  private planOne?: PlanOne;
  private finish: () => void = () => undefined;
  private fail: (error: unknown) => void = () => undefined;
  private readonly finished = new Promise<void>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });

  constructor(
    private readonly settings: FileSettings,
    private readonly sources: string[],
    private readonly options: PoolOptions,
    workers: number,
  ) {
    this.results = new Array<PlannedFile>(sources.length);
    this.queue = sources.map((_, i) => i);
    this.remaining = sources.length;
    this.workerUrl = options.workerUrl ?? new URL('./plan-worker.js', import.meta.url);
    for (let i = 0; i < workers; i++) this.startWorker();
  }

  /** Lets the main thread plan with `planOne` too, and resolves when every file is planned. */
  async run(planOne: PlanOne): Promise<PlannedFile[]> {
    this.planOne = planOne;
    if (this.options.mainThread !== false || this.slots.size === 0) void this.planOnMainThread();
    try {
      await this.finished;
    } finally {
      await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
    }
    return this.results;
  }

  private done(index: number, file: PlannedFile): void {
    this.results[index] = file;
    this.remaining--;
    this.options.onFilePlanned?.();
    if (this.remaining === 0) this.finish();
  }

  /** The main thread's share: one file at a time, yielding between files so that workers' results come in. */
  private async planOnMainThread(): Promise<void> {
    const planOne = this.planOne;
    // Before run(), the main thread is still loading the parser; run() calls again.
    if (this.mainPlanning || !planOne) return;
    this.mainPlanning = true;
    while (this.remaining > 0) {
      // Suspects go to workers, where a crash costs a thread; the main thread takes them only when no worker is left.
      const alone = this.slots.size === 0;
      if (!alone && this.options.mainThread === false) break;
      const index = this.queue.shift() ?? (alone ? this.suspects.shift() : undefined);
      if (index === undefined) break;
      try {
        this.done(index, planOne(this.settings, this.sources[index]));
      } catch (error) {
        // What planOne does not turn into a per-file reason is the tool's bug: the run fails, as without workers.
        this.remaining = 0;
        this.fail(error);
      }
      await yieldToEventLoop();
    }
    this.mainPlanning = false;
  }

  private startWorker(): void {
    let worker: Worker;
    try {
      worker = new Worker(this.workerUrl, { workerData: this.settings });
    } catch {
      return; // the main thread does the work
    }
    const slot: Slot = { worker, ready: false, inFlight: new Map() };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => (slot.error = error));
    // A batch whose answer cannot be read would never finish: the worker goes, and its files are planned again.
    worker.on('messageerror', (error) => {
      slot.error = error;
      void worker.terminate();
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'planned') {
      const batch = slot.inFlight.get(message.batch) ?? [];
      slot.inFlight.delete(message.batch);
      batch.forEach((index, i) => this.done(index, message.files[i]));
    } else {
      slot.ready = true;
    }
    this.feed(slot);
  }

  private batchSize(): number {
    // Smaller batches towards the end, so that no thread is left with a long tail while the others wait.
    return Math.max(1, Math.min(MAX_BATCH, Math.ceil(this.queue.length / (4 * (this.slots.size + 1)))));
  }

  private feed(slot: Slot): void {
    while (slot.ready && this.remaining > 0 && slot.inFlight.size < BATCHES_IN_FLIGHT) {
      let batch: number[];
      if (this.suspects.length > 0) {
        // Alone, so that a suspect that stops this worker too is known to be the cause.
        if (slot.inFlight.size > 0) return;
        batch = [this.suspects.shift() as number];
      } else if (this.queue.length > 0) {
        batch = this.queue.splice(0, this.batchSize());
      } else {
        return;
      }
      const id = this.nextBatch++;
      slot.inFlight.set(id, batch);
      slot.worker.postMessage({ batch: id, sources: batch.map((i) => this.sources[i]) } satisfies ToWorker);
    }
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    if (this.remaining === 0) return; // terminated by run()
    const held = [...slot.inFlight.values()].flat();
    slot.inFlight.clear();
    if (held.length === 1) {
      const why = slot.error?.message ?? `exit code ${code}`;
      const file = unplannedFile(this.sources[held[0]], this.settings.typescript);
      this.done(held[0], { ...file, diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the worker thread planning this file stopped: ${why}` }] });
    } else {
      this.suspects.push(...held);
    }
    if (this.remaining === 0) return;
    if (slot.ready && this.restarts < MAX_RESTARTS) {
      this.restarts++;
      this.startWorker();
    }
    if (this.slots.size === 0) void this.planOnMainThread();
  }
}
