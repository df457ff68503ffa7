import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: TsqlMigration = {
  version: 4,
  name: 'data-factory-staging',
  batches: [
    `CREATE TABLE animes_staging (staged_seq BIGINT IDENTITY(1,1) NOT NULL, [source_id] NVARCHAR(MAX) NULL, [title] NVARCHAR(MAX) NULL, [type] NVARCHAR(MAX) NULL, [year] NVARCHAR(MAX) NULL, [score] NVARCHAR(MAX) NULL, [episodes] NVARCHAR(MAX) NULL, [genres] NVARCHAR(MAX) NULL)`,
    `CREATE TABLE ingest_rejects (id BIGINT IDENTITY(1,1) NOT NULL, source_id NVARCHAR(MAX) NULL, reason NVARCHAR(400) NOT NULL,
  rejected_at DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(), CONSTRAINT pk_ingest_rejects PRIMARY KEY (id))`,
  ],
};
