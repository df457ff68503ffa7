import Database from 'better-sqlite3';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { MIGRATIONS, migrate } from '../../platform/adapters/sqlite/migrations';
import { fixtureRecords, loadRecords } from '../support/fixtures';
import { listAll } from '../support/list-all';

/**
 * The SQLite trigram index behind `q` (migration 007). The contract suite holds its results to the
 * LIKE oracle; this shows the index is what answers, and that an upgraded database gets it filled.
 */
const ID_ORDER = { field: 'id', descending: false } as const;

describe('the title search index (SQLite)', () => {
  it('is what answers a search of three or more characters (negative control: an index out of step misses rows)', async () => {
    const store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
    try {
      await loadRecords(store.loader, fixtureRecords());
      const seen = (
        await store.repository.create({ ...fixtureRecords(1)[0]!, sourceId: 'in-step', title: 'Qwertyuiop' })
      ).after!;
      expect((await listAll(store.repository, { q: 'ERTYU' }, ID_ORDER)).map((a) => a.id)).toEqual([seen.id]);

      store.connection.exec('DROP TRIGGER trg_animes_title_search_insert');
      const unseen = (
        await store.repository.create({ ...fixtureRecords(1)[0]!, sourceId: 'out-of-step', title: 'Zxcvbnm' })
      ).after!;
      // A LIKE scan would find it; the index never heard of it.
      expect(await listAll(store.repository, { q: 'xcvbn' }, ID_ORDER)).toEqual([]);
      // Under three characters there is no trigram to look up: those scan, and find it.
      expect((await listAll(store.repository, { q: 'Zx' }, ID_ORDER)).map((a) => a.id)).toEqual([unseen.id]);
      const plan = store.connection
        .prepare(
          'EXPLAIN QUERY PLAN SELECT rowid FROM animes_title_search WHERE animes_title_search MATCH \'"abc"\'',
        )
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/VIRTUAL TABLE INDEX/);
    } finally {
      await store.close();
    }
  });

  it('is filled from the titles already there when a database is upgraded to it', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 7),
    );
    const now = new Date().toISOString();
    const insert = db.prepare(
      "INSERT INTO animes (source, source_id, title, type, genres_json, created_at, updated_at) VALUES ('kaggle', ?, ?, 'TV', '[]', ?, ?)",
    );
    insert.run('1', '魔法少女まどか☆マギカ', now, now);
    insert.run('2', 'Cowboy Bebop', now, now);
    expect(
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version <= 7),
      ),
    ).toEqual([7]);
    const match = db
      .prepare('SELECT rowid AS id FROM animes_title_search WHERE animes_title_search MATCH ?')
      .pluck();
    expect(match.all('"まどか"')).toEqual([1]);
    expect(match.all('"BOY BE"')).toEqual([2]);
    db.close();
  });
});
