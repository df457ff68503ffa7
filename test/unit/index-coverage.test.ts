import Database from 'better-sqlite3';
import { TSQL_MIGRATIONS } from '../../api/adapters/mssql/migrations';
import {
  addIndexStatements,
  columnsNeedingIndex,
  unindexedColumns,
} from '../../api/adapters/sql/index-coverage';
import { MIGRATIONS, migrate } from '../../api/adapters/sqlite/migrations';
import { FILTERS, type FilterDefinition } from '../../api/core/domain/filters';
import { SORT_FIELDS } from '../../api/core/domain/query';

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

/** What the architecture's recipe adds for a new filter on a column without an index. */
const MIN_EPISODES: FilterDefinition = {
  param: 'minEpisodesExample',
  field: 'episodes',
  kind: 'min',
  tagged: false,
  description: 'At least this many episodes',
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
    const needed = columnsNeedingIndex([...FILTERS, MIN_EPISODES]);
    expect(columnsOf(unindexedColumns(liveSqliteIndexes(), needed))).toEqual(['episodes']);
    expect(columnsOf(unindexedColumns(tsqlStatements, needed))).toEqual(['episodes']);
    // The statements migration:new writes for it close the gap.
    const added = addIndexStatements(unindexedColumns(tsqlStatements, needed));
    const withIndex = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'episodes-index', sql: added.sqlite.join('\n') },
    ];
    expect(columnsOf(unindexedColumns(liveSqliteIndexes(withIndex), needed))).toEqual([]);
    expect(columnsOf(unindexedColumns([...tsqlStatements, ...added.tsql], needed))).toEqual([]);
    // A dropped index no longer counts.
    expect(columnsOf(unindexedColumns([...tsqlStatements, 'DROP INDEX ix_animes_type ON animes']))).toEqual([
      'type',
    ]);
  });
});
