import sql from 'mssql';
import type { Query } from '../sql/catalogue-sql';
import { driveAsync, type ExecResult, type SqlExecutor, type Work } from '../sql/sql-executor';
import { type RetryPolicy, withRetry } from './retry';
import { isoTimestamp, isUniqueViolation } from './rows';
import { parameterName, tsqlDialect } from './tsql-dialect';

/** An error raised once COMMIT was sent: whether it took effect is unknown, so it is never retried. */
export class CommitOutcomeUnknown extends Error {}

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

  read<T>(work: () => Work<T>): Promise<T> {
    return withRetry(() => driveAsync(work(), (query) => execute(this.pool.request(), query)), this.retry);
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
