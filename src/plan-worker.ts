/** A worker thread of plan-pool.ts: plans the batches of files it is sent, with the settings it was started with. */
import { parentPort, workerData } from 'node:worker_threads';
import { planSourceFile, type FileSettings } from './plan-file.js';
import type { FromWorker, ToWorker } from './plan-pool.js';

if (!parentPort) throw new Error('plan-worker.js runs as a worker thread of plan-pool.js');
const port = parentPort;
const settings = workerData as FileSettings;

port.on('message', ({ batch, sources }: ToWorker) => {
  const files = sources.map((source) => planSourceFile(settings, source));
  port.postMessage({ type: 'planned', batch, files } satisfies FromWorker);
});
// Sent once the parser is loaded: until then the main thread keeps the files to itself.
port.postMessage({ type: 'ready' } satisfies FromWorker);
