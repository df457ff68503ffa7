import Database from 'better-sqlite3';
import { ANIME_COLUMNS } from '../../catalogue/definition';
import { TSQL_MIGRATIONS } from '../../platform/adapters/mssql/migrations';
import {
  addIndexStatements,
  columnsNeedingIndex,
  leadingIndexColumns,
  unindexedColumns,
} from '../../platform/adapters/sql/index-coverage';
import { MIGRATIONS, migrate } from '../../platform/adapters/sqlite/migrations';
import { FILTERS, type FilterDefinition } from '../../platform/core/domain/filters';
import { SORT_FIELDS } from '../../platform/core/domain/query';

/** The CREATE INDEX statements a migrated SQLite database really has on animes. */
function liveSqliteIndexes(migrations = MIGRATIONS): string[] {
  const db = new Database(':memory:');
  try {
    migrate(db, migrations);
    return (
      db
        .prepare(
          "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'animes' AND sql IS NOT NULL",
        )
        .all() as { sql: string }[]
    ).map((row) => row.sql);
  } finally {
    db.close();
  }
}

const tsqlStatements = TSQL_MIGRATIONS.flatMap((m) => m.batches);
const columnsOf = (columns: readonly { column: string }[]) => columns.map((c) => c.column);

/**
 * A new filter on a column that has no index yet (episodes today; whichever column that is once
 * the recipe has been followed for it), as the architecture's recipe adds one.
 */
const UNINDEXED = ANIME_COLUMNS.find(
  (c) => c.kind !== 'textList' && !leadingIndexColumns(liveSqliteIndexes()).has(c.column),
)!;
const NEW_FILTER: FilterDefinition = {
  param: 'workedExampleFilter',
  field: UNINDEXED.field,
  kind: 'in',
  tagged: false,
  description: 'A filter on a column without an index',
};

describe('every column a list filters or sorts by has an index leading with it', () => {
  it('names the filter and sort columns (id, lists and substring search are served otherwise)', () => {
    const needed = columnsOf(columnsNeedingIndex());
    expect(needed).toEqual(expect.arrayContaining(['type', 'year', 'score', 'source', 'title']));
    expect(needed).not.toContain('genres');
    expect(needed.length).toBe(new Set(needed).size);
    for (const field of SORT_FIELDS.filter((f) => f !== 'id')) expect(needed).toContain(field);
    expect(FILTERS.length).toBeGreaterThan(5);
  });

  it('SQLite: a migrated database has one for each', () => {
    expect(columnsOf(unindexedColumns(liveSqliteIndexes()))).toEqual([]);
  });

  it('SQL Server: the migrations create one for each, and drop none of them', () => {
    expect(columnsOf(unindexedColumns(tsqlStatements))).toEqual([]);
  });

  it('a filter on an unindexed column is named, in both dialects, until its index migration exists (negative control)', () => {
    const needed = columnsNeedingIndex([...FILTERS, NEW_FILTER]);
    expect(columnsOf(unindexedColumns(liveSqliteIndexes(), needed))).toEqual([UNINDEXED.column]);
    expect(columnsOf(unindexedColumns(tsqlStatements, needed))).toEqual([UNINDEXED.column]);
    // The statements migration:new writes for it close the gap.
    const added = addIndexStatements(unindexedColumns(tsqlStatements, needed));
    const withIndex = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'worked-example-index', sql: added.sqlite.join('\n') },
    ];
    expect(columnsOf(unindexedColumns(liveSqliteIndexes(withIndex), needed))).toEqual([]);
    expect(columnsOf(unindexedColumns([...tsqlStatements, ...added.tsql], needed))).toEqual([]);
    // A dropped index no longer counts: drop every index leading with type.
    const leadingWithType = [
      ...tsqlStatements.join('\n').matchAll(/CREATE\s+INDEX\s+(\w+)\s+ON\s+animes\s*\(\s*\[?type\b/gi),
    ].map((m) => `DROP INDEX ${m[1]} ON animes`);
    expect(leadingWithType.length).toBeGreaterThan(1);
    expect(columnsOf(unindexedColumns([...tsqlStatements, ...leadingWithType]))).toEqual(['type']);
    expect(columnsOf(unindexedColumns([...tsqlStatements, ...leadingWithType.slice(1)]))).toEqual([]);
  });
});
