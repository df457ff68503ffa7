import { rowLimit, type SqlDialect } from '../sql/dialect';

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
      // LIKE specials are escaped with brackets, T-SQL's own way.
      contains: (column, text) =>
        `a.${column} LIKE ${bind(`%${text.replace(/[[%_]/g, (ch) => `[${ch}]`)}%`)}`,
      isNull: (expr) => `CASE WHEN ${expr} IS NULL THEN 1 ELSE 0 END`,
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
