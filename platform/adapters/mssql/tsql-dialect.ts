import { anyColumnLike, indexCovers, rowLimit, type SqlDialect } from '../sql/dialect';

/** The trigram table over both titles of a row (migrations 006 and 009), and the columns it holds. */
const TRIGRAM_INDEX = {
  table: 'anime_title_trigrams',
  row: 'anime_id',
  columns: ['title', 'original_title'],
} as const;

/** How many of a text's trigrams a search asks for: enough to narrow, few enough to plan quickly. */
const MAX_TRIGRAMS = 6;

/**
 * Distinct 3-unit windows of `text`, by UTF-16 code unit as T-SQL's SUBSTRING counts them, spread
 * over the text (first and last included). Fewer than all of them only widens the candidates.
 */
export function requiredTrigrams(text: string): string[] {
  const windows = [
    ...new Set(Array.from({ length: Math.max(0, text.length - 2) }, (_, i) => text.slice(i, i + 3))),
  ];
  if (windows.length <= MAX_TRIGRAMS) return windows;
  const step = (windows.length - 1) / (MAX_TRIGRAMS - 1);
  return Array.from({ length: MAX_TRIGRAMS }, (_, i) => windows[Math.round(i * step)]!);
}

/** The name tedious gets for the i-th positional parameter. */
export const parameterName = (index: number) => `p${index}`;

export const tsqlDialect: SqlDialect = {
  name: 'tsql',
  rules(params) {
    const bind = (value: unknown) => {
      params.push(value);
      return `@${parameterName(params.length - 1)}`;
    };
    return {
      bind,
      titleExpr: 'a.title',
      contains: (columns, text) => {
        // LIKE specials are escaped with brackets, T-SQL's own way.
        const pattern = `%${text.replace(/[[%_]/g, (ch) => `[${ch}]`)}%`;
        const like = () => anyColumnLike(columns, (column) => `${column} LIKE ${bind(pattern)}`);
        const required = indexCovers(TRIGRAM_INDEX.columns, columns) ? requiredTrigrams(text) : [];
        if (required.length === 0) return like();
        // A row one of whose titles contains the text has each of these trigrams (compared under
        // the columns' collation, as LIKE compares): they narrow the candidates, LIKE decides.
        // Placeholders are numbered in the order they are bound, whatever the text's order.
        const candidates = required.map(
          (trigram) =>
            `a.id IN (SELECT ${TRIGRAM_INDEX.row} FROM ${TRIGRAM_INDEX.table} WHERE trigram = ${bind(trigram)})`,
        );
        return [...candidates, like()].join(' AND ');
      },
      // The persisted flags migration 006 indexes.
      nullsLastKey: (column) => `a.${column}_missing`,
    };
  },
  top: (rows) => `TOP ${rowLimit(rows)} `,
  limit: () => '',
  holdLock: ' WITH (UPDLOCK, HOLDLOCK)',
  now: 'SYSUTCDATETIME()',
  // Not OUTPUT INSERTED: a table with triggers refuses OUTPUT without INTO.
  returningId: '; SELECT CAST(SCOPE_IDENTITY() AS BIGINT) AS id',
  jsonIntegers: (placeholder) => `SELECT CAST(value AS BIGINT) FROM OPENJSON(${placeholder})`,
};
