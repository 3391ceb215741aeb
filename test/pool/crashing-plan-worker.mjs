/**
 * The real plan worker, except that its thread stops (as when it runs out of memory) on any batch that holds a
 * file whose path contains "stops-worker". Registered before the real worker's listener, so it runs first.
 */
import { parentPort } from 'node:worker_threads';

parentPort.on('message', ({ jobs }) => {
  if (jobs.some((job) => job.file.source.includes('stops-worker'))) process.exit(7);
});
await import('../../dist/src/plan-worker.js');
