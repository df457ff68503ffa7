import type { Query } from './catalogue-sql';
import type { SqlDialect } from './dialect';
import { type RowJsonMember, rowJsonEncoder } from './row-json';

export type Rows = readonly Record<string, unknown>[];

export interface ExecResult {
  readonly rows: Rows;
  /** Rows changed by the statement (0 for a SELECT). */
  readonly changes: number;
}

/**
 * A unit of write work written once for every dialect: it yields each statement and receives its
 * result. The SQLite executor drives it synchronously inside one better-sqlite3 transaction (no
 * other callback can run in the middle); the SQL Server executor drives it with awaits.
 */
export type Work<T> = Generator<Query, T, ExecResult>;

/**
 * The dialect port: how statements run, in a transaction and under the dialect's own retry or
 * busy handling. Each call takes a factory, so that a retried transaction starts its work anew.
 */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * The rows of each SELECT, in order. On SQLite they are read from one snapshot, on the read
   * threads when the store has them, so a long scan never holds the event loop.
   */
  read(queries: readonly Query[]): Promise<Rows[]>;
  /**
   * The rows of one SELECT in chunks of at most `chunkRows`, read as the consumer asks for them
   * and from one consistent view of the data: memory stays bounded whatever the result's size,
   * and no chunk holds the event loop for long. Ending the iteration early releases the query.
   */
  stream(query: Query, chunkRows: number): AsyncIterable<readonly Record<string, unknown>[]>;
  /**
   * The same rows as JSON array items, each chunk `,{...},{...}` (see row-json.cjs), written
   * where the rows are read: on a read thread a chunk crosses to the event loop as bytes only.
   * An executor without threads encodes on the event loop (`jsonChunks`).
   */
  streamJson(query: Query, chunkRows: number, members: readonly RowJsonMember[]): AsyncIterable<Buffer>;
  /** One write transaction (READ COMMITTED with the dialect's locks; IMMEDIATE on SQLite). */
  write<T>(work: () => Work<T>): Promise<T>;
  isUniqueViolation(error: unknown): boolean;
  /** A stored timestamp to ISO-8601. */
  isoTimestamp(value: unknown): string;
  close(): Promise<void>;
}

/** A stream's rows as JSON chunks, encoded here: for executors whose rows are already on this thread. */
export async function* jsonChunks(
  rows: AsyncIterable<readonly Record<string, unknown>[]>,
  members: readonly RowJsonMember[],
): AsyncGenerator<Buffer> {
  const encode = rowJsonEncoder(members);
  for await (const chunk of rows) if (chunk.length) yield Buffer.from(encode(chunk));
}

/** The rows of one SELECT. */
export async function readRows(db: SqlExecutor, query: Query): Promise<Rows> {
  return (await db.read([query]))[0]!;
}

/** Work of one statement, for its rows. */
export function* rowsOf(query: Query): Work<readonly Record<string, unknown>[]> {
  return (yield query).rows;
}

export function drive<T>(work: Work<T>, exec: (query: Query) => ExecResult): T {
  let step = work.next();
  while (!step.done) step = work.next(exec(step.value));
  return step.value;
}

export async function driveAsync<T>(work: Work<T>, exec: (query: Query) => Promise<ExecResult>): Promise<T> {
  let step = work.next();
  while (!step.done) step = work.next(await exec(step.value));
  return step.value;
}
