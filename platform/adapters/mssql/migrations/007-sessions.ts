import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// One row per signed-in device; only SHA-256 digests (hex) of refresh tokens, the current one and
// the one it replaced. Deleting an account deletes its sessions.
export const migration: TsqlMigration = {
  version: 7,
  name: 'sessions',
  batches: [
    `CREATE TABLE sessions (id NVARCHAR(36) NOT NULL, uid NVARCHAR(128) NOT NULL, refresh_hash NVARCHAR(64) NOT NULL,
  previous_hash NVARCHAR(64) NULL, created_at DATETIME2(3) NOT NULL, expires_at DATETIME2(3) NOT NULL,
  revoked_at DATETIME2(3) NULL, CONSTRAINT pk_sessions PRIMARY KEY (id),
  CONSTRAINT fk_sessions_users FOREIGN KEY (uid) REFERENCES users (uid) ON DELETE CASCADE)`,
    'CREATE INDEX ix_sessions_uid ON sessions (uid)',
    'CREATE INDEX ix_users_role_email ON users (role, email)',
  ],
};
