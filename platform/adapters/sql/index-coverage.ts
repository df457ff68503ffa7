import { type AnimeField, columnFor, type TargetColumn } from '../../../catalogue/definition';
import { FILTERS, type FilterDefinition } from '../../core/domain/filters';
import { SORT_FIELDS } from '../../core/domain/query';

/**
 * Every column a list can filter or sort by has an index that leads with it, so a filter or a
 * sort never makes a page scan the catalogue. Exceptions, each served another way: `id` (the
 * rowid / clustered key), list columns (their link table, indexed by item) and substring filters
 * (the trigram search index).
 */
export function columnsNeedingIndex(
  filters: readonly FilterDefinition[] = FILTERS,
  sortFields: readonly (AnimeField | 'id')[] = SORT_FIELDS,
): TargetColumn[] {
  const fields = new Set<AnimeField>([
    ...filters.filter((f) => f.kind !== 'contains' && f.kind !== 'allOf').map((f) => f.field),
    ...sortFields.filter((field): field is AnimeField => field !== 'id'),
  ]);
  return [...fields].map((field) => columnFor(field)).filter((c) => c.kind !== 'textList');
}

/**
 * The columns `statements` (a dialect's migrations, in order) give an index on `animes` whose
 * leading key names them: `(year, id)`, `((score IS NULL), score)`, `([source], source_id)`.
 */
export function leadingIndexColumns(statements: readonly string[]): Set<string> {
  const live = new Map<string, string>(); // index name -> leading key
  for (const statement of statements) {
    for (const m of statement.matchAll(/CREATE\s+(?:UNIQUE\s+)?INDEX\s+(\w+)\s+ON\s+animes\s*\(/gi))
      live.set(m[1]!.toLowerCase(), leadingKey(statement.slice(m.index! + m[0].length)));
    for (const m of statement.matchAll(/DROP\s+INDEX\s+(\w+)/gi)) live.delete(m[1]!.toLowerCase());
  }
  const columns = new Set<string>();
  for (const key of live.values())
    for (const word of key.match(/\w+/g) ?? []) columns.add(word.toLowerCase());
  return columns;
}

/** The first key of an index's column list, `rest` starting just after its opening parenthesis. */
function leadingKey(rest: string): string {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i];
    if (ch === '(') depth++;
    else if (ch === ')' && depth-- === 0) return rest.slice(0, i);
    else if (ch === ',' && depth === 0) return rest.slice(0, i);
  }
  return rest;
}

/** Columns needing an index that `statements` leave without one. */
export function unindexedColumns(
  statements: readonly string[],
  needed = columnsNeedingIndex(),
): TargetColumn[] {
  const indexed = leadingIndexColumns(statements);
  return needed.filter((c) => !indexed.has(c.column.toLowerCase()));
}

/** The index `migration:new` adds for a column a filter or sort needs, per dialect. */
export function addIndexStatements(columns: readonly TargetColumn[]) {
  return {
    sqlite: columns.map((c) => `CREATE INDEX ix_animes_${c.column} ON animes (${c.column}, id);`),
    tsql: columns.map((c) => `CREATE INDEX ix_animes_${c.column} ON animes ([${c.column}], id)`),
  };
}
