/** A worker thread of plan-pool.ts: plans the batches of jobs it is sent. */
import { parentPort } from 'node:worker_threads';
import { loadBabelParser, loadJscodeshift } from '../transforms/lib/cjs-deps.js';
import { planJob } from './plan-file.js';
import type { FromWorker, ToWorker } from './plan-pool.js';

if (!parentPort) throw new Error('plan-worker.js runs as a worker thread of plan-pool.js');
const port = parentPort;

port.on('message', ({ batch, jobs }: ToWorker) => {
  const files = jobs.map((job) => planJob(job));
  port.postMessage({ type: 'planned', batch, files } satisfies FromWorker);
});
// Sent once the parser is loaded (it loads on first use elsewhere): until then the main thread keeps the jobs to itself.
loadBabelParser();
loadJscodeshift();
port.postMessage({ type: 'ready' } satisfies FromWorker);
