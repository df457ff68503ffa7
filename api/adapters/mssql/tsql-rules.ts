import type { SqlDialectRules } from '../sql/filter-sql';

export interface BoundParameter {
  name: string;
  value: unknown;
}

/** T-SQL takes named `@pN` parameters; LIKE specials are escaped with brackets, T-SQL's own way. */
export function tsqlRules(params: BoundParameter[]): SqlDialectRules {
  const bind = (value: unknown) => {
    const name = `p${params.length}`;
    params.push({ name, value });
    return `@${name}`;
  };
  return {
    bind,
    titleExpr: 'a.title',
    contains: (expr, text) => `${expr} LIKE ${bind(`%${text.replace(/[[%_]/g, (ch) => `[${ch}]`)}%`)}`,
    isNull: (expr) => `CASE WHEN ${expr} IS NULL THEN 1 ELSE 0 END`,
  };
}

/**
 * TOP takes the page size as a literal (the T-SQL parser our tests use cannot read TOP (@p)); it
 * is an integer the route schema already bounded, checked again here, never text.
 */
export function topLiteral(rows: number): string {
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > 100_001)
    throw new RangeError(`bad row limit ${rows}`);
  return `TOP ${rows} `;
}
