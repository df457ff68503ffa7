import type Database from 'better-sqlite3';
import type { AnimeInput } from '../../core/domain/anime';
import type { CatalogueLoad, CatalogueLoader, LoadMode, LoadResult } from '../../core/ports/catalogue-loader';

const STAGED_COLUMNS = 'source_id, title, type, year, score, episodes, genres_json';
const CHANGED = `a.title IS NOT s.title OR a.type IS NOT s.type OR a.year IS NOT s.year OR a.score IS NOT s.score
  OR a.episodes IS NOT s.episodes OR a.genres_json IS NOT s.genres_json`;

/** Drops the secondary indexes of `tables` and returns the function that recreates them. */
function suspendIndexes(db: Database.Database, tables: string[]): () => void {
  const indexes = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name NOT LIKE 'ux_%'
       AND tbl_name IN (${tables.map(() => '?').join(', ')})`,
    )
    .all(...tables) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  return () => {
    for (const index of indexes) db.exec(index.sql);
  };
}

/**
 * Stages records in a connection-private TEMP table, so nothing is visible (or left behind) until
 * the single merge transaction in `commit`. A killed process loses only its staging table.
 */
class SqliteCatalogueLoad implements CatalogueLoad {
  private readonly insertStaged: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly mode: LoadMode,
  ) {
    db.exec(`DROP TABLE IF EXISTS temp.staging_animes;
      CREATE TEMP TABLE staging_animes (source_id TEXT PRIMARY KEY, title TEXT NOT NULL, type TEXT NOT NULL,
        year INTEGER, score REAL, episodes INTEGER, genres_json TEXT NOT NULL)`);
    // A later row for the same source id replaces an earlier one, as a re-run of the file would.
    this.insertStaged = db.prepare(
      `INSERT OR REPLACE INTO staging_animes (${STAGED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async stage(records: readonly AnimeInput[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of records) {
        this.insertStaged.run(
          r.sourceId,
          r.title,
          r.type,
          r.year,
          r.score,
          r.episodes,
          JSON.stringify(r.genres),
        );
      }
    })();
  }

  async commit(): Promise<LoadResult> {
    const db = this.db;
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const now = new Date().toISOString();
    const result = db.transaction((): LoadResult => {
      db.exec(`DROP TABLE IF EXISTS temp.changed_animes;
        CREATE TEMP TABLE changed_animes AS
          SELECT a.id, a.genres_json IS NOT s.genres_json AS genres_changed
          FROM animes a JOIN staging_animes s ON s.source_id = a.source_id WHERE ${CHANGED}`);
      const deleted =
        this.mode === 'replace'
          ? db
              .prepare(
                'DELETE FROM animes WHERE NOT EXISTS (SELECT 1 FROM staging_animes s WHERE s.source_id = animes.source_id)',
              )
              .run().changes
          : 0;
      const updated = count('SELECT COUNT(*) AS n FROM changed_animes');
      db.exec(
        `DELETE FROM anime_genres WHERE anime_id IN (SELECT id FROM changed_animes WHERE genres_changed)`,
      );
      db.prepare(
        `UPDATE animes SET title = s.title, type = s.type, year = s.year, score = s.score, episodes = s.episodes,
           genres_json = s.genres_json, version = animes.version + 1, updated_at = ?
         FROM staging_animes s WHERE s.source_id = animes.source_id AND animes.id IN (SELECT id FROM changed_animes)`,
      ).run(now);
      const maxIdBefore = count('SELECT COALESCE(MAX(id), 0) AS n FROM animes');
      const existing = count('SELECT COUNT(*) AS n FROM animes');
      const staged = count('SELECT COUNT(*) AS n FROM staging_animes');
      // Inserting mostly new rows is faster into bare tables, with the indexes rebuilt by sorting after.
      const rebuild =
        staged - updated > existing ? suspendIndexes(db, ['animes', 'anime_genres']) : undefined;
      const inserted = db
        .prepare(
          `INSERT INTO animes (${STAGED_COLUMNS}, version, created_at, updated_at)
           SELECT ${STAGED_COLUMNS}, 1, ?, ? FROM staging_animes s
           WHERE NOT EXISTS (SELECT 1 FROM animes a WHERE a.source_id = s.source_id) ORDER BY s.rowid`,
        )
        .run(now, now).changes;
      db.exec(`INSERT INTO genres (name) SELECT DISTINCT j.value FROM staging_animes s, json_each(s.genres_json) j
          WHERE true ON CONFLICT (name) DO NOTHING`);
      db.prepare(
        `INSERT OR IGNORE INTO anime_genres (anime_id, genre_id)
         SELECT a.id, g.id FROM animes a JOIN staging_animes s ON s.source_id = a.source_id, json_each(s.genres_json) j
         JOIN genres g ON g.name = j.value
         WHERE a.id > ? OR a.id IN (SELECT id FROM changed_animes WHERE genres_changed)`,
      ).run(maxIdBefore);
      rebuild?.();
      db.exec('DELETE FROM genres WHERE id NOT IN (SELECT genre_id FROM anime_genres)');
      const dataVersion = count('SELECT version AS n FROM data_version WHERE id = 1');
      return { inserted, updated, unchanged: staged - inserted - updated, deleted, dataVersion };
    })();
    await this.abort();
    return result;
  }

  async abort(): Promise<void> {
    this.db.exec('DROP TABLE IF EXISTS temp.staging_animes; DROP TABLE IF EXISTS temp.changed_animes');
  }
}

export class SqliteCatalogueLoader implements CatalogueLoader {
  constructor(private readonly db: Database.Database) {}

  async begin(mode: LoadMode): Promise<CatalogueLoad> {
    return new SqliteCatalogueLoad(this.db, mode);
  }

  async isEmpty(): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM animes LIMIT 1').get() === undefined;
  }
}
