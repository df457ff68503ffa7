import { ANIME_COLUMNS, type TargetColumn } from './definition';

/**
 * Table layout shared by every SQL dialect, derived from the definition: scalar columns live in
 * `animes`; list columns become a lookup table plus a link table (for genres: `genres`, `anime_genres`).
 */
export type SqlDialect = 'sqlite' | 'tsql';

export const SCALAR_COLUMNS = ANIME_COLUMNS.filter((c) => c.kind !== 'textList');
export const LIST_COLUMNS = ANIME_COLUMNS.filter((c) => c.kind === 'textList');

/**
 * A T-SQL column type as data, so the DDL text and a driver's bulk-insert column type come from
 * one description. List columns have none in the live tables; staged, they are JSON text.
 */
export type TsqlType =
  | { readonly name: 'NVARCHAR'; readonly length: number | 'MAX' }
  | { readonly name: 'INT' }
  | { readonly name: 'DECIMAL'; readonly precision: number; readonly scale: number };

export function tsqlType(column: TargetColumn): TsqlType {
  switch (column.kind) {
    case 'text':
      return { name: 'NVARCHAR', length: column.maxLength };
    case 'enum':
      return { name: 'NVARCHAR', length: Math.max(...column.values.map((v) => v.length)) };
    case 'integer':
      return { name: 'INT' };
    case 'decimal':
      return { name: 'DECIMAL', precision: String(column.max).length + column.scale, scale: column.scale };
    case 'textList':
      return { name: 'NVARCHAR', length: 'MAX' };
  }
}

export function tsqlTypeText(type: TsqlType): string {
  switch (type.name) {
    case 'NVARCHAR':
      return `NVARCHAR(${type.length})`;
    case 'INT':
      return 'INT';
    case 'DECIMAL':
      return `DECIMAL(${type.precision},${type.scale})`;
  }
}

const SQLITE_TYPES: Record<Exclude<TargetColumn['kind'], 'textList'>, string> = {
  text: 'TEXT',
  enum: 'TEXT',
  integer: 'INTEGER',
  decimal: 'REAL',
};

/** The SQL type that stores a scalar column. */
function sqlType(column: TargetColumn, dialect: SqlDialect): string {
  if (column.kind === 'textList') throw new Error(`${column.column} is a list column and has no scalar type`);
  return dialect === 'tsql' ? tsqlTypeText(tsqlType(column)) : SQLITE_TYPES[column.kind];
}

function checkConstraint(column: TargetColumn, dialect: SqlDialect): string {
  const name = dialect === 'tsql' ? `[${column.column}]` : column.column;
  switch (column.kind) {
    case 'enum':
      return ` CHECK (${name} IN (${column.values.map((v) => `'${v}'`).join(', ')}))`;
    case 'integer':
    case 'decimal':
      return ` CHECK (${name} BETWEEN ${column.min} AND ${column.max})`;
    default:
      return '';
  }
}

/** `col TYPE [NOT] NULL CHECK (...)` for one scalar column. */
export function columnDefinition(column: TargetColumn, dialect: SqlDialect): string {
  const name = dialect === 'tsql' ? `[${column.column}]` : column.column;
  const nullability = column.nullable ? 'NULL' : 'NOT NULL';
  return `${name} ${sqlType(column, dialect)} ${nullability}${checkConstraint(column, dialect)}`;
}

/** Lookup and link table names for a list column, e.g. genres -> genres + anime_genres. */
export function listTables(column: TargetColumn): { lookup: string; link: string; itemKey: string } {
  const singular = column.column.replace(/s$/, '');
  return { lookup: column.column, link: `anime_${column.column}`, itemKey: `${singular}_id` };
}
