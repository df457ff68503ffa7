import { rowLimit, type SqlDialect } from '../sql/dialect';

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
      contains: (expr, text) =>
        `${expr} LIKE ${bind(`%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)} ESCAPE '\\'`,
      isNull: (expr) => `(${expr} IS NULL)`,
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
