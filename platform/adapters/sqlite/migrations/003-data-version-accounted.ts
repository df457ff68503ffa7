import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 3,
  name: 'data-version-accounted',
  sql: `ALTER TABLE data_version ADD COLUMN accounted INTEGER NOT NULL DEFAULT 0; UPDATE data_version SET accounted = version;`,
};
