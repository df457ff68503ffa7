import type { SqlDialectRules } from './filter-sql';

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
