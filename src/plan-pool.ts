/**
 * Plans many files on every core: worker threads (as many as the cores) plan batches of jobs, and the main thread
 * can plan jobs one by one beside them. Each result lands at its job's index, whoever planned it, so the plan is the
 * same as a single-threaded one. Small runs stay on the main thread: starting a worker (it loads its own parser)
 * costs more than planning a hundred files.
 *
 * The pool starts its workers before the jobs are known (startPlanPool), so that their start-up overlaps the main
 * thread's reading of the sources and the cross-file passes; the jobs come later (PlanPool.plan).
 *
 * A worker that stops (out of memory, a crash) loses no file: the files it held are planned again one at a time by
 * a fresh worker, and only a file that stops a worker on its own becomes an INTERNAL_ERROR. A worker that cannot
 * start at all leaves its share to the main thread.
 */
import os from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { PlanJob } from './plan-file.js';
import type { PlannedFile } from './plan-types.js';

export interface PoolOptions {
  /** Worker threads at most. Default: os.availableParallelism(). */
  threads?: number;
  /** Fewest files that make one worker worth starting. Default: FILES_PER_WORKER. */
  filesPerWorker?: number;
  /** The worker script. Default: plan-worker.js beside this module (tests running the sources point it at the build). */
  workerUrl?: URL;
  /**
   * Whether the main thread plans files beside the workers (default false: on a machine with few cores, it has the
   * reading, the cross-file passes and the writing to do, and does not need to load the parser). It always plans
   * when no worker is left.
   */
  mainThread?: boolean;
  /** Called after each file is planned, in completion order. */
  onFilePlanned?: () => void;
}

/** Messages between the pool and plan-worker.ts. */
export type ToWorker = { batch: number; jobs: PlanJob[] };
export type FromWorker = { type: 'ready' } | { type: 'planned'; batch: number; files: PlannedFile[] };

/** A worker starts in about 0.2 s of CPU; a file takes about 2 ms. */
const FILES_PER_WORKER = 100;
/** Each worker holds its own parser and caches (tens of MB); past eight, memory grows faster than speed. */
const MAX_WORKERS = 8;
/** Fresh workers to replace ones that stopped, per run. */
const MAX_RESTARTS = 4;
/** Batches a worker holds at once: it starts the next while the main thread, busy planning, reads the last. */
const BATCHES_IN_FLIGHT = 2;
const MAX_BATCH = 16;
/**
 * A young generation larger than V8's default for a worker: planning allocates many short-lived trees, and with the
 * default most of a worker's garbage collection time went to scavenges. Costs a few tens of MB per worker at most.
 */
const YOUNG_GENERATION_MB = 48;

/** How many worker threads to start for `files` files. */
export function workerCount(files: number, options: Pick<PoolOptions, 'threads' | 'filesPerWorker'> = {}): number {
  const threads = options.threads ?? os.availableParallelism();
  const worthIt = Math.floor(files / (options.filesPerWorker ?? FILES_PER_WORKER));
  return Math.max(0, Math.min(threads, MAX_WORKERS, worthIt));
}

type PlanOne = (job: PlanJob) => PlannedFile;

export interface PlanPool {
  /** Plans the jobs and returns the files in the same order. Called once. */
  plan(jobs: PlanJob[]): Promise<PlannedFile[]>;
}

/** The planner of the main thread, loaded (with the parser) only when the main thread plans. */
async function mainThreadPlanner(): Promise<PlanOne> {
  const { planJob } = await import('./plan-file.js');
  return (job) => planJob(job);
}

/**
 * Starts the workers for about `expectedFiles` files (none for a small run). `custom` plans on the main thread only
 * (tests inject a transform that workers could not receive).
 */
export function startPlanPool(expectedFiles: number, options: PoolOptions = {}, custom?: PlanOne): PlanPool {
  const workers = custom ? 0 : workerCount(expectedFiles, options);
  const run = workers > 0 ? new PoolRun(options, workers) : undefined;
  return {
    async plan(jobs) {
      if (run) return run.run(jobs, options.mainThread ? await mainThreadPlanner() : undefined);
      const planOne = custom ?? (await mainThreadPlanner());
      return jobs.map((job) => {
        const file = planOne(job);
        options.onFilePlanned?.();
        return file;
      });
    },
  };
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Batch id → the indices of its files. */
  inFlight: Map<number, number[]>;
  error?: Error;
}


class PoolRun {
  private jobs: PlanJob[] = [];
  private results: PlannedFile[] = [];
  /** Indices not handed out yet. */
  private queue: number[] = [];
  /** Indices held by a worker that stopped: planned again, one per worker at a time. */
  private readonly suspects: number[] = [];
  private readonly slots = new Set<Slot>();
  private readonly workerUrl: URL;
  /** Until plan() gives the jobs, nothing is remaining and nothing is fed. */
  private remaining = 0;
  private started = false;
  private nextBatch = 0;
  private restarts = 0;
  private mainPlanning = false;
  /** The main thread's planner: given to run() when the main thread plans beside the workers, else loaded when no worker is left. */
  private planOne?: PlanOne;
  private finish: () => void = () => undefined;
  private fail: (error: unknown) => void = () => undefined;
  private readonly finished = new Promise<void>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });

  constructor(
    private readonly options: PoolOptions,
    workers: number,
  ) {
    this.workerUrl = options.workerUrl ?? new URL('./plan-worker.js', import.meta.url);
    for (let i = 0; i < workers; i++) this.startWorker();
  }

  /**
   * Plans `jobs`: the workers take batches, and the main thread plans too with `planOne`, if given, or when no
   * worker is left. Resolves when every job is planned.
   */
  async run(jobs: PlanJob[], planOne?: PlanOne): Promise<PlannedFile[]> {
    this.jobs = jobs;
    this.results = new Array<PlannedFile>(jobs.length);
    this.queue = jobs.map((_, i) => i);
    this.remaining = jobs.length;
    this.started = true;
    this.planOne = planOne;
    for (const slot of this.slots) slot.worker.ref();
    if (jobs.length === 0) this.finish();
    for (const slot of this.slots) this.feed(slot);
    if (planOne || this.slots.size === 0) void this.planOnMainThread();
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
    // Before run(), there is nothing to plan; run() calls again.
    if (this.mainPlanning || !this.started) return;
    this.mainPlanning = true;
    const beside = this.planOne !== undefined;
    let planOne: PlanOne;
    try {
      // No planner: the workers were to plan everything, and none is left. The main thread loads the parser now.
      planOne = this.planOne ??= await mainThreadPlanner();
    } catch (error) {
      this.remaining = 0;
      this.fail(error);
      return;
    }
    while (this.remaining > 0) {
      // Suspects go to workers, where a crash costs a thread; the main thread takes them only when no worker is left.
      const alone = this.slots.size === 0;
      if (!alone && !beside) break;
      const index = this.queue.shift() ?? (alone ? this.suspects.shift() : undefined);
      if (index === undefined) break;
      try {
        this.done(index, planOne(this.jobs[index]));
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
      worker = new Worker(this.workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    } catch {
      return; // the main thread does the work
    }
    // Until run() gives the jobs, a worker does not keep the process alive (a plan that fails before must end).
    if (!this.started) worker.unref();
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
      try {
        slot.worker.postMessage({ batch: id, jobs: batch.map((i) => this.jobs[i]) } satisfies ToWorker);
      } catch (error) {
        // A job that cannot be copied to a thread (a function in its context) is the tool's bug: the run fails, as
        // an exception on the main thread does, instead of crashing in an event handler.
        this.remaining = 0;
        this.fail(error);
        return;
      }
    }
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    if (this.started && this.remaining === 0) return; // terminated by run()
    const held = [...slot.inFlight.values()].flat();
    slot.inFlight.clear();
    if (held.length === 1) {
      const why = slot.error?.message ?? `exit code ${code}`;
      const { file } = this.jobs[held[0]];
      this.done(held[0], { ...file, status: 'left', diagnostics: [{ reason: 'INTERNAL_ERROR', detail: `the worker thread planning this file stopped: ${why}` }] });
    } else {
      this.suspects.push(...held);
    }
    if (this.started && this.remaining === 0) return;
    if (slot.ready && this.restarts < MAX_RESTARTS) {
      this.restarts++;
      this.startWorker();
    }
    if (this.slots.size === 0) void this.planOnMainThread();
  }
}
