import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 5,
  name: 'cache-outbox',
  sql: `CREATE TABLE cache_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, tags_json TEXT NOT NULL, created_at TEXT NOT NULL);`,
};
