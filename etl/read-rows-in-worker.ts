import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReadRowsOptions, RowEvent } from './read-rows';

type WorkerMessage =
  | RowEvent
  | { kind: 'end' }
  | { kind: 'error'; message: string }
  | { kind: 'exit'; code: number };

/**
 * Left alone, V8 lets a fast-allocating parser's heap grow to hundreds of MB. These bounds keep a
 * 1M-row load under its memory target at the same speed (docs/benchmarks.md); the young generation
 * stays roomy because parsing makes short-lived garbage.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 32 };

/** The worker runs this module's sibling; from TypeScript sources (tsx, jest) through tsx's require hook. */
function startWorker(options: ReadRowsOptions): Worker {
  const extension = extname(__filename);
  const file = join(__dirname, `parse-worker${extension}`);
  if (extension !== '.ts') return new Worker(file, { workerData: options, resourceLimits: WORKER_HEAP });
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`;
  return new Worker(bootstrap, { eval: true, workerData: options, resourceLimits: WORKER_HEAP });
}

/**
 * `readCsvRows` on a worker thread: the same events in the same order, while the caller's thread is
 * free to write the previous batch. The worker runs a bounded number of batches ahead.
 */
export async function* readCsvRowsInWorker(options: ReadRowsOptions): AsyncGenerator<RowEvent> {
  const worker = startWorker(options);
  const queue: WorkerMessage[] = [];
  let notify: (() => void) | undefined;
  const receive = (message: WorkerMessage) => {
    queue.push(message);
    notify?.();
  };
  worker.on('message', receive);
  worker.on('error', (error) => receive({ kind: 'error', message: error.message }));
  worker.on('exit', (code) => receive({ kind: 'exit', code }));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (notify = resolve));
      const message = queue.shift()!;
      if (message.kind === 'end') return;
      if (message.kind === 'error') throw new Error(message.message);
      if (message.kind === 'exit') throw new Error(`the parse worker stopped with exit code ${message.code}`);
      yield message;
      // The caller has consumed the event: let the worker parse one more.
      worker.postMessage('next');
    }
  } finally {
    await worker.terminate();
  }
}
