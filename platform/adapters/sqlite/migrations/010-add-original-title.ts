import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 10,
  name: 'add-original-title',
  sql: `ALTER TABLE animes ADD COLUMN original_title TEXT NULL;`,
};
