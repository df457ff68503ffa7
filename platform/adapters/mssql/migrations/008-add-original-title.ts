import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: TsqlMigration = {
  version: 8,
  name: 'add-original-title',
  batches: [
    `ALTER TABLE animes ADD [original_title] NVARCHAR(500) NULL`,
    `ALTER TABLE animes_staging ADD [original_title] NVARCHAR(MAX) NULL`,
  ],
};
