import { rowLimit, type SqlDialect } from '../sql/dialect';
import { SEARCH_INDEXES } from './title-search';

/** The text as one FTS5 phrase: in double quotes, each inner quote doubled, so nothing in it is syntax. */
function phrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  rules(params) {
    const bind = (value: unknown) => {
      params.push(value);
      return '?';
    };
    return {
      bind,
      titleExpr: 'a.title COLLATE NOCASE',
      contains: (column, text) => {
        const like = () =>
          `a.${column} LIKE ${bind(`%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)} ESCAPE '\\'`;
        const index = SEARCH_INDEXES[column];
        // The trigram index finds no text shorter than a trigram; those few queries scan as before.
        if (!index || [...text].length < 3) return like();
        // The index's candidates are a superset of LIKE's matches (it folds case Unicode-wide, LIKE
        // only ASCII), so LIKE on the candidates keeps today's semantics exactly. Placeholders are
        // positional: bound in the order the text shows them.
        const candidates = `a.id IN (SELECT rowid FROM ${index} WHERE ${index} MATCH ${bind(phrase(text))})`;
        return `${candidates} AND ${like()}`;
      },
      // Exactly the expression migration 008's sort indexes are keyed by.
      nullsLastKey: (column) => `(a.${column} IS NULL)`,
    };
  },
  top: () => '',
  limit: (rows) => ` LIMIT ${rowLimit(rows)}`,
  // BEGIN IMMEDIATE takes the database's write lock for the whole transaction.
  holdLock: '',
  // The same text as Date#toISOString, so timestamps sort and compare as strings.
  now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
  returningId: ' RETURNING id',
  jsonIntegers: (placeholder) => `SELECT value FROM json_each(${placeholder})`,
};
