import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 1,
  name: 'catalogue',
  sql: `CREATE TABLE animes (
  id INTEGER PRIMARY KEY,
  source_id TEXT NOT NULL,
  title TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('TV', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC')),
  year INTEGER NULL CHECK (year BETWEEN 1900 AND 2100),
  score REAL NULL CHECK (score BETWEEN 0 AND 10),
  episodes INTEGER NULL CHECK (episodes BETWEEN 0 AND 100000),
  genres_json TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_animes_source_id ON animes (source_id);
CREATE INDEX ix_animes_type ON animes (type, id);
CREATE INDEX ix_animes_year ON animes (year, id);
CREATE INDEX ix_animes_score ON animes (score, id);
CREATE INDEX ix_animes_title ON animes (title COLLATE NOCASE, id);
CREATE TABLE genres (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE);
CREATE TABLE anime_genres (
  anime_id INTEGER NOT NULL REFERENCES animes (id) ON DELETE CASCADE,
  genre_id INTEGER NOT NULL REFERENCES genres (id),
  PRIMARY KEY (anime_id, genre_id)
) WITHOUT ROWID;
CREATE INDEX ix_anime_genres_item ON anime_genres (genre_id, anime_id);`,
};
