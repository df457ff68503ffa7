import { parentPort, workerData } from 'node:worker_threads';
import { type ReadRowsOptions, readCsvRows } from './read-rows';

/** Batches the worker may parse ahead of the loader: enough to keep both busy, bounded for memory. */
const BATCHES_AHEAD = 4;

/** Parses and validates on its own thread while the loader thread writes; one message per event. */
async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  let credits = BATCHES_AHEAD;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    wake?.();
  });
  for await (const event of readCsvRows(workerData as ReadRowsOptions)) {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    port.postMessage(event);
  }
  port.postMessage({ kind: 'end' });
}

if (parentPort) {
  const port = parentPort;
  main(port).catch((error: unknown) => {
    port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  });
}
