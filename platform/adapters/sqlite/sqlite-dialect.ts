import { anyColumnLike, indexCovers, rowLimit, type SqlDialect } from '../sql/dialect';
import { SEARCH_INDEX } from './title-search';

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
      contains: (columns, text) => {
        const pattern = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
        const like = () => anyColumnLike(columns, (column) => `${column} LIKE ${bind(pattern)} ESCAPE '\\'`);
        // The trigram index finds no text shorter than a trigram; those few queries scan as before.
        if (!indexCovers(SEARCH_INDEX.columns, columns) || [...text].length < 3) return like();
        // The index's candidates are a superset of LIKE's matches (it folds case Unicode-wide, LIKE
        // only ASCII; it may match a column not asked for), so LIKE on the candidates keeps the
        // semantics exactly. Placeholders are positional: bound in the order the text shows them.
        const { table } = SEARCH_INDEX;
        const candidates = `a.id IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${bind(phrase(text))})`;
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
