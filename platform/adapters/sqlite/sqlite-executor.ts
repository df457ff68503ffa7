import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Query } from '../sql/catalogue-sql';
import type { RowJsonMember } from '../sql/row-json';
import {
  drive,
  type ExecResult,
  jsonChunks,
  type Rows,
  type SqlExecutor,
  type Work,
} from '../sql/sql-executor';
import type { SqliteWriteLock } from './busy';
import { isUniqueViolation } from './errors';
import type { SqliteReadThreads } from './read-threads';
import { sqliteDialect } from './sqlite-dialect';

/** Prepared statements kept per text; list queries vary with their filters, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 is synchronous: work runs to its end inside one call, so a transaction never
 * yields the event loop halfway. Writes go through SqliteWriteLock, which retries a busy
 * database from a timer instead of waiting inside the call. Reads go to the read threads when
 * the store has them (a file database in the API), else run here.
 */
export class SqliteExecutor implements SqlExecutor {
  readonly dialect = sqliteDialect;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly writes: SqliteWriteLock,
    private readonly readThreads?: SqliteReadThreads,
  ) {}

  private prepared(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (statement) {
      this.statements.delete(text);
    } else {
      statement = this.db.prepare(text);
      if (this.statements.size >= STATEMENT_CACHE_SIZE)
        this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(text, statement);
    return statement;
  }

  private readonly exec = (query: Query): ExecResult => {
    const statement = this.prepared(query.text);
    if (statement.reader) return { rows: statement.all(...query.params) as ExecResult['rows'], changes: 0 };
    return { rows: [], changes: statement.run(...query.params).changes };
  };

  async read(queries: readonly Query[]): Promise<Rows[]> {
    if (this.readThreads) return this.readThreads.read(queries);
    if (queries.length === 1) return [this.exec(queries[0]!).rows];
    return this.inOneSnapshot(queries);
  }

  private readonly inOneSnapshot = (queries: readonly Query[]): Rows[] =>
    this.db.transaction(() => queries.map((query) => this.exec(query).rows))();

  /**
   * One statement on a read-only connection of its own, stepped a chunk at a time: a statement
   * reads one snapshot (WAL) however long it runs, and the shared connection stays free for other
   * requests. Between chunks the event loop takes a turn. An in-memory database cannot be opened
   * twice, so there (tests, small data) the rows are read at once and handed out in chunks.
   */
  async *stream(query: Query, chunkRows: number): AsyncGenerator<readonly Record<string, unknown>[]> {
    // On a read thread: the query's sort and each chunk's rows never hold the event loop.
    if (this.readThreads && !this.db.memory) {
      yield* this.readThreads.stream(query, chunkRows);
      return;
    }
    if (this.db.memory) {
      const { rows } = this.exec(query);
      for (let i = 0; i < rows.length; i += chunkRows) {
        yield rows.slice(i, i + chunkRows);
        await nextTurn();
      }
      return;
    }
    const reader = new Database(this.db.name, { readonly: true, fileMustExist: true });
    try {
      let chunk: Record<string, unknown>[] = [];
      for (const row of reader.prepare(query.text).iterate(...query.params)) {
        chunk.push(row as Record<string, unknown>);
        if (chunk.length < chunkRows) continue;
        yield chunk;
        chunk = [];
        await nextTurn();
      }
      if (chunk.length) yield chunk;
    } finally {
      reader.close();
    }
  }

  streamJson(query: Query, chunkRows: number, members: readonly RowJsonMember[]): AsyncIterable<Buffer> {
    if (this.readThreads && !this.db.memory) return this.readThreads.streamJson(query, chunkRows, members);
    return jsonChunks(this.stream(query, chunkRows), members);
  }

  write<T>(work: () => Work<T>): Promise<T> {
    // IMMEDIATE: the write lock is taken at BEGIN, which SqliteWriteLock retries until it is free.
    // A deferred transaction reads first and fails at once with SQLITE_BUSY_SNAPSHOT when another
    // process committed in between (seen as a 503 in the chaos suite, two instances on one file).
    return this.writes.run(() => this.db.transaction(() => drive(work(), this.exec)).immediate());
  }

  readonly isUniqueViolation = isUniqueViolation;

  isoTimestamp = (value: unknown): string => String(value);

  async close(): Promise<void> {
    await this.readThreads?.close();
    if (this.db.open) this.db.close();
  }
}
