import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// One row per signed-in device. Only SHA-256 digests of refresh tokens are kept: the current one,
// and the one it replaced, whose reappearance means a copy is in use. Deleting an account deletes
// its sessions (foreign keys are on for every connection).
export const migration: SqliteMigration = {
  version: 9,
  name: 'sessions',
  sql: `CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  uid TEXT NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  refresh_hash TEXT NOT NULL,
  previous_hash TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX ix_sessions_uid ON sessions (uid);
CREATE INDEX ix_users_role_email ON users (role, email);`,
};
