import type sql from 'mssql';
import { STAGING_TABLE } from '../../../catalogue/data-factory';
import { INDEXED_COLUMNS, LIST_COLUMNS, listTables, scalarColumnDefinitions } from '../../../catalogue/ddl';
import { ANIME_COLUMNS } from '../../../catalogue/definition';
import { mergeProcedure } from './merge-procedure';

/** A T-SQL migration: batches run in order in one transaction (CREATE TRIGGER must start a batch). */
export interface TsqlMigration {
  readonly version: number;
  readonly name: string;
  readonly batches: readonly string[];
}

const genres = listTables(LIST_COLUMNS[0]!);
const itemMaxLength = LIST_COLUMNS[0]!.kind === 'textList' ? LIST_COLUMNS[0]!.itemMaxLength : 64;

const dataVersionTrigger = (table: string) =>
  `CREATE TRIGGER trg_${table}_data_version ON ${table} AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted) RETURN;
  UPDATE data_version SET version = version + 1 WHERE id = 1;
END`;

/** The same schema as the SQLite migrations, derived from the same ingest definition. */
export const TSQL_MIGRATIONS: readonly TsqlMigration[] = [
  {
    version: 1,
    name: 'catalogue',
    batches: [
      `CREATE TABLE animes (
  id INT IDENTITY(1,1) NOT NULL,
  ${scalarColumnDefinitions('tsql').join(',\n  ')},
  genres_json NVARCHAR(MAX) NOT NULL DEFAULT N'[]',
  version INT NOT NULL DEFAULT 1,
  created_at DATETIME2(3) NOT NULL,
  updated_at DATETIME2(3) NOT NULL,
  CONSTRAINT pk_animes PRIMARY KEY (id)
)`,
      // Optimistic concurrency at the storage level too (version is what the API exposes).
      'ALTER TABLE animes ADD row_version ROWVERSION NOT NULL',
      'CREATE UNIQUE INDEX ux_animes_source_id ON animes (source_id)',
      ...INDEXED_COLUMNS.map((c) => `CREATE INDEX ix_animes_${c} ON animes (${c}, id)`),
      `CREATE TABLE ${genres.lookup} (id INT IDENTITY(1,1) NOT NULL, name NVARCHAR(${itemMaxLength}) NOT NULL,
  CONSTRAINT pk_${genres.lookup} PRIMARY KEY (id), CONSTRAINT ux_${genres.lookup}_name UNIQUE (name))`,
      `CREATE TABLE ${genres.link} (anime_id INT NOT NULL, ${genres.itemKey} INT NOT NULL,
  CONSTRAINT pk_${genres.link} PRIMARY KEY (anime_id, ${genres.itemKey}))`,
      `ALTER TABLE ${genres.link} ADD CONSTRAINT fk_${genres.link}_anime FOREIGN KEY (anime_id) REFERENCES animes (id) ON DELETE CASCADE`,
      `ALTER TABLE ${genres.link} ADD CONSTRAINT fk_${genres.link}_item FOREIGN KEY (${genres.itemKey}) REFERENCES ${genres.lookup} (id)`,
      `CREATE INDEX ix_${genres.link}_item ON ${genres.link} (${genres.itemKey}, anime_id)`,
    ],
  },
  {
    version: 2,
    name: 'data-version',
    batches: [
      // `accounted`: the version up to which API writes invalidated the cache themselves.
      `CREATE TABLE data_version (id INT NOT NULL CHECK (id = 1), version BIGINT NOT NULL, accounted BIGINT NOT NULL,
  CONSTRAINT pk_data_version PRIMARY KEY (id))`,
      'INSERT INTO data_version (id, version, accounted) VALUES (1, 1, 1)',
      dataVersionTrigger('animes'),
      dataVersionTrigger(genres.link),
    ],
  },
  {
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
  },
  {
    version: 4,
    name: 'data-factory-staging',
    batches: [
      // Data Factory lands the CSV here as text, one column per definition column.
      `CREATE TABLE ${STAGING_TABLE} (staged_seq BIGINT IDENTITY(1,1) NOT NULL, ${ANIME_COLUMNS.map((c) => `[${c.column}] NVARCHAR(MAX) NULL`).join(', ')})`,
      `CREATE TABLE ingest_rejects (id BIGINT IDENTITY(1,1) NOT NULL, source_id NVARCHAR(MAX) NULL, reason NVARCHAR(400) NOT NULL,
  rejected_at DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(), CONSTRAINT pk_ingest_rejects PRIMARY KEY (id))`,
      mergeProcedure(),
    ],
  },
];

/** Applies pending migrations in order, each in its own transaction. Returns the versions applied. */
export async function migrate(pool: sql.ConnectionPool, migrations = TSQL_MIGRATIONS): Promise<number[]> {
  await pool.request().batch(`IF OBJECT_ID(N'schema_migrations', N'U') IS NULL
  CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(100) NOT NULL, applied_at DATETIME2(3) NOT NULL)`);
  const applied = new Set(
    (await pool.request().query<{ version: number }>('SELECT version FROM schema_migrations')).recordset.map(
      (r) => r.version,
    ),
  );
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const transaction = pool.transaction();
    await transaction.begin();
    try {
      for (const batch of migration.batches) await transaction.request().batch(batch);
      await transaction
        .request()
        .input('version', migration.version)
        .input('name', migration.name)
        .query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, SYSUTCDATETIME())',
        );
      await transaction.commit();
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    }
    done.push(migration.version);
  }
  return done;
}
