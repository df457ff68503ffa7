import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: SqliteMigration = {
  version: 4,
  name: 'accounts',
  sql: `CREATE TABLE users (
  uid TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at TEXT NOT NULL
);
CREATE TABLE local_credentials (
  uid TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT,
  password_hash TEXT NOT NULL
);`,
};
