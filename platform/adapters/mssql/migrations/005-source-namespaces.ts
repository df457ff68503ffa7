import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// Rows from before sources existed stay in the kaggle namespace (see the SQLite migration 6).
// Separate batches: a batch that adds a column cannot also compile a statement that uses it. A NOT
// NULL column with a default gives every existing row the default.
export const migration: TsqlMigration = {
  version: 5,
  name: 'source-namespaces',
  batches: [
    `ALTER TABLE animes ADD [source] NVARCHAR(32) NOT NULL DEFAULT N'kaggle'`,
    `DROP INDEX ux_animes_source_id ON animes`,
    `CREATE UNIQUE INDEX ux_animes_source_key ON animes ([source], source_id)`,
  ],
};
