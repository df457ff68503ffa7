/** The dialect port, in one place: what differs between SQLite and T-SQL in a statement's text. */

/**
 * The dialect's part of WHERE / ORDER BY / seek fragments (filter-sql.ts writes the rest once). Values never
 * enter the SQL text: each one becomes a placeholder made by `bind`, so user input cannot change
 * the statement.
 */
export interface SqlDialectRules {
  /** Adds a parameter and returns its placeholder (`?` or `@p3`). */
  bind(value: unknown): string;
  /** Expression that orders and compares titles case-insensitively. */
  titleExpr: string;
  /**
   * One of `columns` (of `animes a`) contains `text` literally (LIKE with the dialect's own
   * escaping of %, _ and [), or the same rows through an index the dialect has for those columns.
   */
  contains(columns: readonly string[], text: string): string;
  /**
   * What orders the rows of a nullable sort column (of `animes a`) with NULLs last: 1 when it is
   * NULL, else 0, as the sort indexes of the dialect key it.
   */
  nullsLastKey(column: string): string;
}

/**
 * What differs between the SQL dialects in the text of a statement. Everything else (the
 * catalogue's queries and its write protocol) is written once, in catalogue-sql.ts and
 * sql-anime-repository.ts.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'tsql';
  /** Filter and sort rules whose `bind` appends to `params` (positional, in order). */
  rules(params: unknown[]): SqlDialectRules;
  /** A prefix for SELECT's column list and a suffix for the statement that cut it to `rows`. */
  top(rows: number): string;
  limit(rows: number): string;
  /** A table hint that holds the rows read until COMMIT ('' where the transaction already does). */
  readonly holdLock: string;
  /** The current UTC time as the dialect stores timestamps. */
  readonly now: string;
  /** Appended to an INSERT so that it returns the new row's id as column `id`. */
  readonly returningId: string;
  /** A subquery of the values of a JSON array of integers. */
  jsonIntegers(placeholder: string): string;
}

/**
 * Row limits are written as literals (the T-SQL parser the tests use cannot read TOP (@p)); they
 * come from integers the route schema bounded, and are checked again here, never text.
 */
export function rowLimit(rows: number): number {
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > 100_001)
    throw new RangeError(`bad row limit ${rows}`);
  return rows;
}

/** `column LIKE pattern` for each column (of `animes a`), any of them: `like` writes one. */
export function anyColumnLike(columns: readonly string[], like: (column: string) => string): string {
  const each = columns.map((column) => like(`a.${column}`));
  return each.length === 1 ? each[0]! : `(${each.join(' OR ')})`;
}

/** Whether an index over `indexed` holds every one of `columns`. */
export function indexCovers(indexed: readonly string[], columns: readonly string[]): boolean {
  return columns.every((column) => indexed.includes(column));
}
