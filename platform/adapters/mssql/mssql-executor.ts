import sql from 'mssql';
import type { Query } from '../sql/catalogue-sql';
import type { RowJsonMember } from '../sql/row-json';
import {
  driveAsync,
  type ExecResult,
  jsonChunks,
  type Rows,
  type SqlExecutor,
  type Work,
} from '../sql/sql-executor';
import { type RetryPolicy, withRetry } from './retry';
import { isoTimestamp, isUniqueViolation } from './rows';
import { parameterName, tsqlDialect } from './tsql-dialect';

/** An error raised once COMMIT was sent: whether it took effect is unknown, so it is never retried. */
class CommitOutcomeUnknown extends Error {}

async function execute(request: sql.Request, query: Query): Promise<ExecResult> {
  query.params.forEach((value, index) => {
    request.input(parameterName(index), value);
  });
  const result = await request.query(query.text);
  return {
    rows: (result.recordset ?? []) as ExecResult['rows'],
    changes: result.rowsAffected.reduce((sum, n) => sum + n, 0),
  };
}

/**
 * Azure SQL / SQL Server. Reads and whole write transactions retry transient faults (bounded in
 * attempts and time); a failure during COMMIT is never retried.
 */
export class MssqlExecutor implements SqlExecutor {
  readonly dialect = tsqlDialect;

  constructor(
    private readonly pool: sql.ConnectionPool,
    private readonly retry: RetryPolicy = {},
  ) {}

  read(queries: readonly Query[]): Promise<Rows[]> {
    return withRetry(
      () => Promise.all(queries.map(async (query) => (await execute(this.pool.request(), query)).rows)),
      this.retry,
    );
  }

  streamJson(query: Query, chunkRows: number, members: readonly RowJsonMember[]): AsyncGenerator<Buffer> {
    return jsonChunks(this.stream(query, chunkRows), members);
  }

  /**
   * One streamed query (a single statement reads one consistent view under read-committed
   * snapshot, Azure SQL's default): rows are gathered into chunks, and the request is paused while
   * a chunk waits for the consumer, so memory stays bounded. Not retried: part of it may be sent.
   */
  async *stream(query: Query, chunkRows: number): AsyncGenerator<readonly Record<string, unknown>[]> {
    const request = this.pool.request();
    request.stream = true;
    query.params.forEach((value, index) => {
      request.input(parameterName(index), value);
    });
    const ready: Record<string, unknown>[][] = [];
    let chunk: Record<string, unknown>[] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    request.on('row', (row: Record<string, unknown>) => {
      chunk.push(row);
      if (chunk.length < chunkRows) return;
      ready.push(chunk);
      chunk = [];
      request.pause();
      notify();
    });
    request.on('error', (error: unknown) => {
      failure ??= error;
      notify();
    });
    request.on('done', () => {
      if (chunk.length) ready.push(chunk);
      chunk = [];
      done = true;
      notify();
    });
    void request.query(query.text);
    try {
      while (true) {
        if (failure) throw failure;
        const next = ready.shift();
        if (next) {
          yield next;
          if (!ready.length && !done) request.resume();
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      if (!done) request.cancel();
    }
  }

  write<T>(work: () => Work<T>): Promise<T> {
    return withRetry(async () => {
      const transaction = this.pool.transaction();
      await transaction.begin(sql.ISOLATION_LEVEL.READ_COMMITTED);
      let result: T;
      try {
        result = await driveAsync(work(), (query) => execute(transaction.request(), query));
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        throw error;
      }
      try {
        await transaction.commit();
      } catch (error) {
        throw new CommitOutcomeUnknown(`commit failed: ${(error as Error).message}`);
      }
      return result;
    }, this.retry);
  }

  isUniqueViolation(error: unknown): boolean {
    return isUniqueViolation(error);
  }

  readonly isoTimestamp = isoTimestamp;

  async close(): Promise<void> {
    await this.pool.close();
  }
}
