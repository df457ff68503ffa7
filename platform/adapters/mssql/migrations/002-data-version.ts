import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: TsqlMigration = {
  version: 2,
  name: 'data-version',
  batches: [
    `CREATE TABLE data_version (id INT NOT NULL CHECK (id = 1), version BIGINT NOT NULL, accounted BIGINT NOT NULL,
  CONSTRAINT pk_data_version PRIMARY KEY (id))`,
    `INSERT INTO data_version (id, version, accounted) VALUES (1, 1, 1)`,
    `CREATE TRIGGER trg_animes_data_version ON animes AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted) RETURN;
  UPDATE data_version SET version = version + 1 WHERE id = 1;
END`,
    `CREATE TRIGGER trg_anime_genres_data_version ON anime_genres AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted) RETURN;
  UPDATE data_version SET version = version + 1 WHERE id = 1;
END`,
  ],
};
