import { openSqliteCatalogueStore, type SqliteCatalogueStore } from '../../composition/catalogue-store';
import { catalogueSql } from '../../platform/adapters/sql/catalogue-sql';
import { MIGRATIONS } from '../../platform/adapters/sqlite/migrations';
import { sqliteDialect } from '../../platform/adapters/sqlite/sqlite-dialect';
import type { AnimeFilter, AnimeSort, SeekPosition } from '../../platform/core/domain/query';
import { SORT_FIELDS } from '../../platform/core/domain/query';
import { fixtureRecords, loadRecords } from '../support/fixtures';

const sql = catalogueSql(sqliteDialect);

/** The filter-and-sort pairs a page must read in index order (no sort of every matching row). */
const SERVED_TOGETHER: readonly { filter: AnimeFilter; sorts: readonly ('score' | 'year')[] }[] = [
  { filter: { type: ['TV'] }, sorts: ['score', 'year'] },
];

const sortsOf = (fields: readonly string[]): AnimeSort[] =>
  fields.flatMap((field) => [
    { field, descending: false },
    { field, descending: true },
  ]) as AnimeSort[];

/** A sort of every matching row; a title read backwards sorts only equal titles' ids ("FOR LAST TERM"). */
const SORTS_EVERY_ROW = /USE TEMP B-TREE FOR ORDER BY/;

const AFTER: SeekPosition = { value: 7, id: 100 };

describe('query plans: a page reads its rows in order (SQLite, the fixture catalogue, migrated and loaded by the ETL path)', () => {
  let store: SqliteCatalogueStore;
  const plan = (filter: AnimeFilter, sort: AnimeSort, after?: SeekPosition, migrations = store) => {
    const query = sql.list(filter, sort, { limit: 50, after });
    return (
      migrations.connection.prepare(`EXPLAIN QUERY PLAN ${query.text}`).all(...query.params) as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join('; ');
  };

  beforeAll(async () => {
    store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' }) as SqliteCatalogueStore;
    await loadRecords(store.loader, fixtureRecords());
  });
  afterAll(() => store.close());

  it.each(sortsOf(SORT_FIELDS).map((sort) => [`${sort.descending ? '-' : ''}${sort.field}`, sort]))(
    'the whole catalogue sorted by %s, first page and after a cursor',
    (_name, sort) => {
      expect(plan({}, sort)).not.toMatch(SORTS_EVERY_ROW);
      expect(plan({}, sort, AFTER)).not.toMatch(SORTS_EVERY_ROW);
    },
  );

  for (const { filter, sorts } of SERVED_TOGETHER) {
    it.each(sortsOf(sorts).map((sort) => [`${sort.descending ? '-' : ''}${sort.field}`, sort]))(
      `${JSON.stringify(filter)} sorted by %s, first page and after a cursor`,
      (_name, sort) => {
        expect(plan(filter, sort)).not.toMatch(SORTS_EVERY_ROW);
        expect(plan(filter, sort, AFTER)).not.toMatch(SORTS_EVERY_ROW);
      },
    );
  }

  it('sorts every TV row without the type-and-sort indexes (negative control)', async () => {
    const before = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' }) as SqliteCatalogueStore;
    try {
      for (const name of ['score', 'year'])
        for (const suffix of ['', '_desc'])
          before.connection.exec(`DROP INDEX ix_animes_type_${name}_sort${suffix}`);
      expect(plan({ type: ['TV'] }, { field: 'score', descending: true }, undefined, before)).toMatch(
        SORTS_EVERY_ROW,
      );
    } finally {
      await before.close();
    }
  });

  it('the indexes come from a migration (not from the test)', () => {
    expect(MIGRATIONS.some((m) => m.sql.includes('ix_animes_type_score_sort_desc'))).toBe(true);
  });
});
