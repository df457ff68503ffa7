import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openPool } from '../adapters/mssql/connection';
import { migrate } from '../adapters/mssql/migrations';
import { MssqlAnimeRepository } from '../adapters/mssql/mssql-anime-repository';
import { MssqlCatalogueLoader } from '../adapters/mssql/mssql-catalogue-loader';
import { MssqlInvalidationOutbox } from '../adapters/mssql/mssql-invalidation-outbox';
import { MssqlUserStore } from '../adapters/mssql/mssql-user-store';
import { SqliteWriteLock } from '../adapters/sqlite/busy';
import { openDatabase } from '../adapters/sqlite/open-database';
import { SqliteAnimeRepository } from '../adapters/sqlite/sqlite-anime-repository';
import { SqliteCatalogueLoader } from '../adapters/sqlite/sqlite-catalogue-loader';
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

/** Picks the store adapter from configuration. Shared by the API's and the ETL's entry points. */
export function openCatalogueStore(
  config: Pick<Config, 'DATABASE_PATH'> & Partial<Pick<Config, 'SQLITE_BUSY_TIMEOUT_MS'>>,
): CatalogueStore {
  if (config.DATABASE_PATH !== ':memory:') mkdirSync(dirname(config.DATABASE_PATH), { recursive: true });
  const db = openDatabase(config.DATABASE_PATH, { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
  const writes = new SqliteWriteLock(db, config.SQLITE_BUSY_TIMEOUT_MS ?? 5000);
  const repository = new SqliteAnimeRepository(db, writes);
  const users = new SqliteUserStore(db, writes);
  return {
    repository,
    loader: new SqliteCatalogueLoader(db, writes),
    users,
    credentials: users,
    outbox: repository.outbox,
    close: () => repository.close(),
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
>;

/** SQL Server when configured (migrated on open), else the embedded SQLite store. */
export async function openConfiguredStore(config: StoreConfig): Promise<CatalogueStore> {
  if (databaseDriver(config) !== 'mssql') return openCatalogueStore(config);
  const pool = await openPool({
    connectionString: config.MSSQL_CONNECTION_STRING,
    server: config.SQL_SERVER,
    database: config.SQL_DATABASE,
    user: config.SQL_USERNAME,
    password: config.SQL_PASSWORD,
    authentication: config.MSSQL_AUTHENTICATION,
    poolMax: config.MSSQL_POOL_MAX,
  });
  await migrate(pool);
  const users = new MssqlUserStore(pool);
  const repository = new MssqlAnimeRepository(pool);
  return {
    repository,
    loader: new MssqlCatalogueLoader(pool),
    users,
    credentials: users,
    outbox: new MssqlInvalidationOutbox(pool),
    close: () => repository.close(),
  };
}
