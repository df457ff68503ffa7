import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: TsqlMigration = {
  version: 1,
  name: 'catalogue',
  batches: [
    `CREATE TABLE animes (
  id INT IDENTITY(1,1) NOT NULL,
  [source_id] NVARCHAR(64) NOT NULL,
  [title] NVARCHAR(500) NOT NULL,
  [type] NVARCHAR(7) NOT NULL CHECK ([type] IN ('TV', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC')),
  [year] INT NULL CHECK ([year] BETWEEN 1900 AND 2100),
  [score] DECIMAL(4,2) NULL CHECK ([score] BETWEEN 0 AND 10),
  [episodes] INT NULL CHECK ([episodes] BETWEEN 0 AND 100000),
  genres_json NVARCHAR(MAX) NOT NULL DEFAULT N'[]',
  version INT NOT NULL DEFAULT 1,
  created_at DATETIME2(3) NOT NULL,
  updated_at DATETIME2(3) NOT NULL,
  CONSTRAINT pk_animes PRIMARY KEY (id)
)`,
    `ALTER TABLE animes ADD row_version ROWVERSION NOT NULL`,
    `CREATE UNIQUE INDEX ux_animes_source_id ON animes (source_id)`,
    `CREATE INDEX ix_animes_type ON animes (type, id)`,
    `CREATE INDEX ix_animes_year ON animes (year, id)`,
    `CREATE INDEX ix_animes_score ON animes (score, id)`,
    `CREATE INDEX ix_animes_title ON animes (title, id)`,
    `CREATE TABLE genres (id INT IDENTITY(1,1) NOT NULL, name NVARCHAR(64) NOT NULL,
  CONSTRAINT pk_genres PRIMARY KEY (id), CONSTRAINT ux_genres_name UNIQUE (name))`,
    `CREATE TABLE anime_genres (anime_id INT NOT NULL, genre_id INT NOT NULL,
  CONSTRAINT pk_anime_genres PRIMARY KEY (anime_id, genre_id))`,
    `ALTER TABLE anime_genres ADD CONSTRAINT fk_anime_genres_anime FOREIGN KEY (anime_id) REFERENCES animes (id) ON DELETE CASCADE`,
    `ALTER TABLE anime_genres ADD CONSTRAINT fk_anime_genres_item FOREIGN KEY (genre_id) REFERENCES genres (id)`,
    `CREATE INDEX ix_anime_genres_item ON anime_genres (genre_id, anime_id)`,
  ],
};
