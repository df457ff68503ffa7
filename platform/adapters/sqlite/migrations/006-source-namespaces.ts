import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// Rows from before sources existed came from the default ingest profile (the Kaggle layout) or
// from API creates that used its ids, so they stay in the kaggle namespace: a re-load of the same
// file still matches them instead of inserting a second copy.
export const migration: SqliteMigration = {
  version: 6,
  name: 'source-namespaces',
  sql: `ALTER TABLE animes ADD COLUMN source TEXT NOT NULL DEFAULT 'kaggle';
DROP INDEX ux_animes_source_id;
CREATE UNIQUE INDEX ux_animes_source_key ON animes (source, source_id);`,
};
