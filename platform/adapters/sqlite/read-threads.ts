import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Piscina from 'piscina';
import type { Query } from '../sql/catalogue-sql';
import type { RowJsonMember } from '../sql/row-json';
import type { Rows } from '../sql/sql-executor';

/** What a read thread sends for each chunk of a stream. */
interface StreamMessage {
  rows?: Record<string, unknown>[];
  json?: Uint8Array;
  done?: boolean;
  error?: string;
}

export interface ReadThreadsOptions {
  /** The database file (an in-memory database cannot be shared with threads). */
  readonly path: string;
  /** Threads, each with its own read-only connection. */
  readonly threads: number;
  /** How long a read waits for a lock (a checkpoint) before failing. @default 5000 */
  readonly busyTimeoutMs?: number;
}

/**
 * better-sqlite3 runs a statement to its end inside one call; on the main thread a scan of a
 * million rows (a count, a sort no index serves) would hold every other request for its whole
 * length. These threads run reads instead, with piscina as the pool: the event loop only waits.
 */
export class SqliteReadThreads {
  private readonly pool: Piscina;

  constructor(options: ReadThreadsOptions) {
    this.pool = new Piscina({
      filename: join(__dirname, 'read-thread.cjs'),
      workerData: { path: options.path, busyTimeoutMs: options.busyTimeoutMs ?? 5000 },
      minThreads: options.threads,
      maxThreads: options.threads,
      // A thread keeps its connection and prepared statements for the life of the process.
      idleTimeout: Number.POSITIVE_INFINITY,
      // Not the process's preloads (telemetry, a TypeScript loader): a thread needs better-sqlite3 only.
      execArgv: [],
      // Streams wait for the consumer between chunks: other reads run on the thread meanwhile.
      concurrentTasksPerWorker: 16,
    });
  }

  /**
   * Every row of a SELECT, a chunk at a time, read on a thread: only the chunks cross to the event
   * loop, and the next is read when it is asked for. Returning early (a client that hung up) ends
   * the read on the thread.
   */
  stream(query: Query, chunkRows: number): AsyncGenerator<readonly Record<string, unknown>[]> {
    return this.chunks(query, chunkRows, undefined, (message) => message.rows);
  }

  /** The same rows as `stream`, written as JSON on the thread (row-json.cjs): only bytes cross. */
  streamJson(query: Query, chunkRows: number, members: readonly RowJsonMember[]): AsyncGenerator<Buffer> {
    return this.chunks(query, chunkRows, members, (message) =>
      message.json
        ? Buffer.from(message.json.buffer, message.json.byteOffset, message.json.length)
        : undefined,
    );
  }

  private async *chunks<T extends { length: number }>(
    query: Query,
    chunkRows: number,
    members: readonly RowJsonMember[] | undefined,
    take: (message: StreamMessage) => T | undefined,
  ): AsyncGenerator<T> {
    const { port1, port2 } = new MessageChannel();
    const task = this.pool.run(
      { stream: { query, chunkRows, members }, port: port2 },
      { transferList: [port2] },
    );
    try {
      for (;;) {
        const message = await new Promise<StreamMessage>((resolve) => {
          port1.once('message', resolve);
          port1.postMessage('more');
        });
        if (message.error) throw new Error(message.error);
        const chunk = take(message);
        if (chunk?.length) yield chunk;
        if (message.done) break;
      }
    } finally {
      port1.postMessage('close');
      port1.close();
      await task.catch(() => undefined);
    }
  }

  /** The rows of each SELECT, all from one snapshot. */
  read(queries: readonly Query[]): Promise<Rows[]> {
    return this.pool.run({ queries });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
