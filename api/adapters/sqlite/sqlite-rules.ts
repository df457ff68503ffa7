import type { SqlDialectRules } from '../sql/filter-sql';

/** SQLite takes positional `?` parameters, collected in call order. */
export function sqliteRules(params: unknown[]): SqlDialectRules {
  return {
    bind(value) {
      params.push(value);
      return '?';
    },
    titleExpr: 'a.title COLLATE NOCASE',
    contains(expr, text) {
      return `${expr} LIKE ${this.bind(`%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)} ESCAPE '\\'`;
    },
    isNull: (expr) => `(${expr} IS NULL)`,
  };
}
