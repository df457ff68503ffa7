import { openSqliteCatalogueStore, type SqliteCatalogueStore } from '../../composition/catalogue-store';
import { SORT_FIELDS } from '../../platform/core/domain/query';
import { fixtureRecords, loadRecords } from '../support/fixtures';

/**
 * The first page of every sort reads an index in order (SQLite, migration 008) instead of sorting
 * the catalogue: checked on the query plans of the statements the repository really runs.
 */
async function plansOfFirstPages(store: SqliteCatalogueStore, filter = {}) {
  const statements: string[] = [];
  const prepare = store.connection.prepare.bind(store.connection);
  store.connection.prepare = ((text: string) => {
    statements.push(text);
    return prepare(text);
  }) as typeof store.connection.prepare;
  const plans: Record<string, string> = {};
  try {
    for (const field of SORT_FIELDS)
      for (const descending of [false, true]) {
        statements.length = 0;
        await store.repository.list(filter, { field, descending }, { limit: 50 });
        const page = statements.find((s) => /ORDER BY/.test(s));
        if (!page) throw new Error(`no list statement seen for ${field}`);
        plans[`${descending ? '-' : ''}${field}`] = (
          prepare(`EXPLAIN QUERY PLAN ${page}`).all() as { detail: string }[]
        )
          .map((row) => row.detail)
          .join('; ');
      }
  } finally {
    store.connection.prepare = prepare as typeof store.connection.prepare;
  }
  return plans;
}

/** A fresh store, so the repository prepares (and the test sees) every statement anew. */
async function loadedStore(): Promise<SqliteCatalogueStore> {
  const store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
  await loadRecords(store.loader, fixtureRecords());
  return store;
}

describe('sort indexes (SQLite)', () => {
  it('serve the first page of every sort and direction without sorting the rows', async () => {
    const store = await loadedStore();
    try {
      const plans = await plansOfFirstPages(store);
      expect(Object.keys(plans)).toHaveLength(SORT_FIELDS.length * 2);
      // A sort of the ids within equal titles ("for last term") is allowed: it is bounded by a tie.
      for (const [sort, plan] of Object.entries(plans))
        expect([sort, plan]).not.toEqual([sort, expect.stringContaining('TEMP B-TREE FOR ORDER BY')]);
    } finally {
      await store.close();
    }
  });

  it('negative control: without them, the score and year sorts sort every row', async () => {
    const store = await loadedStore();
    try {
      for (const index of ['score_sort', 'score_sort_desc', 'year_sort', 'year_sort_desc'])
        store.connection.exec(`DROP INDEX ix_animes_${index}`);
      const plans = await plansOfFirstPages(store);
      for (const sort of ['score', '-score', 'year', '-year'])
        expect([sort, plans[sort]]).toEqual([sort, expect.stringContaining('USE TEMP B-TREE FOR ORDER BY')]);
    } finally {
      await store.close();
    }
  });
});
