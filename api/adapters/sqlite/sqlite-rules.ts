import type { SqlDialectRules } from '../sql/filter-sql';

/** SQLite takes positional `?` parameters, collected in call order. */
export function sqliteRules(params: unknown[]): SqlDialectRules {
  return {
    bind(value) {
      params.push(value);
      return '?';
    },
    titleExpr: 'a.title COLLATE NOCASE',
    likeSpecials: /[\\%_]/g,
    isNull: (expr) => `(${expr} IS NULL)`,
  };
}
