import { join } from 'node:path';
import Piscina from 'piscina';
import type { Query } from '../sql/catalogue-sql';
import type { Rows } from '../sql/sql-executor';

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
    });
  }

  /** The rows of each SELECT, all from one snapshot. */
  read(queries: readonly Query[]): Promise<Rows[]> {
    return this.pool.run({ queries });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
