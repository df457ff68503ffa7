import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
export const migration: TsqlMigration = {
  version: 3,
  name: 'accounts-and-outbox',
  batches: [
    `CREATE TABLE users (uid NVARCHAR(128) NOT NULL, email NVARCHAR(254) NOT NULL, display_name NVARCHAR(100) NULL,
  role NVARCHAR(16) NOT NULL, created_at DATETIME2(3) NOT NULL, CONSTRAINT pk_users PRIMARY KEY (uid),
  CONSTRAINT ux_users_email UNIQUE (email), CONSTRAINT ck_users_role CHECK (role IN (N'user', N'admin')))`,
    `CREATE TABLE local_credentials (uid NVARCHAR(128) NOT NULL, email NVARCHAR(254) NOT NULL, display_name NVARCHAR(100) NULL,
  password_hash NVARCHAR(256) NOT NULL, CONSTRAINT pk_local_credentials PRIMARY KEY (uid),
  CONSTRAINT ux_local_credentials_email UNIQUE (email))`,
    `CREATE TABLE cache_outbox (id BIGINT IDENTITY(1,1) NOT NULL, tags_json NVARCHAR(MAX) NOT NULL, created_at DATETIME2(3) NOT NULL,
  CONSTRAINT pk_cache_outbox PRIMARY KEY (id))`,
  ],
};
