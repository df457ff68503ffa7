import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 2,
  name: 'data-version',
  sql: `CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO data_version (id, version) VALUES (1, 1);
CREATE TRIGGER trg_animes_insert_data_version AFTER INSERT ON animes
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER trg_anime_genres_insert_data_version AFTER INSERT ON anime_genres
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER trg_animes_update_data_version AFTER UPDATE ON animes
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER trg_anime_genres_update_data_version AFTER UPDATE ON anime_genres
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER trg_animes_delete_data_version AFTER DELETE ON animes
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER trg_anime_genres_delete_data_version AFTER DELETE ON anime_genres
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;`,
};
