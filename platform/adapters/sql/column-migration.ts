import { STAGING_TABLE } from '../../../catalogue/data-factory';
import { columnDefinition } from '../../../catalogue/ddl';
import { ANIME_COLUMNS, type TargetColumn } from '../../../catalogue/definition';
import { storedColumn } from './anime-row';

/** Definition columns whose stored column is not among `existing` (the migrated table's columns). */
export function missingColumns(
  existing: readonly string[],
  columns: readonly TargetColumn[] = ANIME_COLUMNS,
) {
  const have = new Set(existing);
  return columns.filter((column) => !have.has(storedColumn(column)));
}

/**
 * The statements that add `columns` to a migrated schema, per dialect: what `npm run migration:new`
 * writes into the next frozen migration. Only nullable scalar columns can be added without a
 * decision about existing rows, so anything else is refused with its name.
 */
export function addColumnStatements(columns: readonly TargetColumn[]) {
  for (const column of columns) {
    if (column.kind === 'textList')
      throw new Error(`${column.column} is a list column: write its lookup and link tables by hand`);
    if (!column.nullable)
      throw new Error(
        `${column.column} is NOT NULL: existing rows need a value, write that migration by hand`,
      );
  }
  return {
    sqlite: columns.map((c) => `ALTER TABLE animes ADD COLUMN ${columnDefinition(c, 'sqlite')};`).join('\n'),
    tsql: columns.flatMap((c) => [
      `ALTER TABLE animes ADD ${columnDefinition(c, 'tsql')}`,
      // Data Factory lands every definition column as text.
      `ALTER TABLE ${STAGING_TABLE} ADD [${c.column}] NVARCHAR(MAX) NULL`,
    ]),
  };
}
