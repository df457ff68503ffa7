import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_INGEST_PROFILE, resolveProfile } from '../../catalogue/profiles';
import { type MssqlSettings, openPool } from '../adapters/mssql/connection';
import { assertSchemaCurrent, migrate } from '../adapters/mssql/migrations';
import { MssqlCatalogueLoader } from '../adapters/mssql/mssql-catalogue-loader';
import { MssqlExecutor } from '../adapters/mssql/mssql-executor';
import { MssqlUserStore } from '../adapters/mssql/mssql-user-store';
import { SqlAnimeRepository } from '../adapters/sql/sql-anime-repository';
import type { SqlExecutor } from '../adapters/sql/sql-executor';
import { SqlInvalidationOutbox } from '../adapters/sql/sql-invalidation-outbox';
import { SqliteWriteLock } from '../adapters/sqlite/busy';
import { openDatabase } from '../adapters/sqlite/open-database';
import { SqliteCatalogueLoader } from '../adapters/sqlite/sqlite-catalogue-loader';
import { SqliteExecutor } from '../adapters/sqlite/sqlite-executor';
import { SqliteUserStore } from '../adapters/sqlite/sqlite-user-store';
import { type Config, databaseDriver } from '../config';
import type { AnimeRepository } from '../core/ports/anime-repository';
import type { CatalogueLoader } from '../core/ports/catalogue-loader';
import type { CredentialStore } from '../core/ports/credential-store';
import type { InvalidationOutbox } from '../core/ports/invalidation-outbox';
import type { UserRepository } from '../core/ports/user-repository';

export interface CatalogueStore {
  repository: AnimeRepository;
  loader: CatalogueLoader;
  users: UserRepository;
  credentials: CredentialStore;
  outbox: InvalidationOutbox;
  close(): Promise<void>;
}

/** The catalogue and its outbox over one SQL dialect. */
export function overSql(executor: SqlExecutor): Pick<CatalogueStore, 'repository' | 'outbox' | 'close'> {
  return {
    repository: new SqlAnimeRepository(executor),
    outbox: new SqlInvalidationOutbox(executor),
    close: () => executor.close(),
  };
}

/** The embedded store, with its connection for tools and tests that must reach SQLite itself. */
export interface SqliteCatalogueStore extends CatalogueStore {
  readonly connection: import('better-sqlite3').Database;
}

/** Picks the store adapter from configuration. Shared by the API's and the ETL's entry points. */
export function openCatalogueStore(
  config: Pick<Config, 'DATABASE_PATH'> & Partial<Pick<Config, 'SQLITE_BUSY_TIMEOUT_MS'>>,
): SqliteCatalogueStore {
  if (config.DATABASE_PATH !== ':memory:') mkdirSync(dirname(config.DATABASE_PATH), { recursive: true });
  const db = openDatabase(config.DATABASE_PATH, { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
  const writes = new SqliteWriteLock(db, config.SQLITE_BUSY_TIMEOUT_MS ?? 5000);
  const users = new SqliteUserStore(db, writes);
  return {
    ...overSql(new SqliteExecutor(db, writes)),
    loader: new SqliteCatalogueLoader(db, writes),
    users,
    credentials: users,
    connection: db,
  };
}

type StoreConfig = Pick<
  Config,
  | 'DATABASE_PATH'
  | 'SQLITE_BUSY_TIMEOUT_MS'
  | 'DB_DRIVER'
  | 'MSSQL_CONNECTION_STRING'
  | 'SQL_SERVER'
  | 'SQL_DATABASE'
  | 'SQL_USERNAME'
  | 'SQL_PASSWORD'
  | 'MSSQL_AUTHENTICATION'
  | 'MSSQL_POOL_MAX'
> &
  Partial<Pick<Config, 'INGEST_PROFILE' | 'DB_MIGRATIONS'>>;

/** The SQL Server connection the configuration names (for the store and the database bootstrap). */
export function mssqlSettings(
  config: Omit<StoreConfig, 'DATABASE_PATH' | 'SQLITE_BUSY_TIMEOUT_MS' | 'DB_DRIVER'>,
): MssqlSettings {
  return {
    connectionString: config.MSSQL_CONNECTION_STRING,
    server: config.SQL_SERVER,
    database: config.SQL_DATABASE,
    user: config.SQL_USERNAME,
    password: config.SQL_PASSWORD,
    authentication: config.MSSQL_AUTHENTICATION,
    poolMax: config.MSSQL_POOL_MAX,
  };
}

/**
 * SQL Server when configured (migrated on open, or with DB_MIGRATIONS=check only checked), else
 * the embedded SQLite store.
 */
export async function openConfiguredStore(config: StoreConfig): Promise<CatalogueStore> {
  if (databaseDriver(config) !== 'mssql') return openCatalogueStore(config);
  const pool = await openPool(mssqlSettings(config));
  try {
    if (config.DB_MIGRATIONS === 'check') await assertSchemaCurrent(pool);
    else
      await migrate(pool, { profile: resolveProfile(config.INGEST_PROFILE ?? DEFAULT_INGEST_PROFILE.name) });
  } catch (error) {
    await pool.close();
    throw error;
  }
  const users = new MssqlUserStore(pool);
  return {
    ...overSql(new MssqlExecutor(pool)),
    loader: new MssqlCatalogueLoader(pool),
    users,
    credentials: users,
  };
}
