import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteWriteLock } from '../platform/adapters/sqlite/busy';
import { openDatabase } from '../platform/adapters/sqlite/open-database';
import { SqliteReadThreads } from '../platform/adapters/sqlite/read-threads';
import { SqliteCatalogueLoader } from '../platform/adapters/sqlite/sqlite-catalogue-loader';
import { SqliteExecutor } from '../platform/adapters/sqlite/sqlite-executor';
import { SqliteUserStore } from '../platform/adapters/sqlite/sqlite-user-store';
import { type Config, databaseDriver } from '../platform/config';
import { type CatalogueStore, overSql, type StoreConfig } from './sql-store';

export type { CatalogueStore } from './sql-store';

/** The embedded store, with its connection for tools and tests that must reach SQLite itself. */
export interface SqliteCatalogueStore extends CatalogueStore {
  readonly connection: import('better-sqlite3').Database;
}

/** Picks the store adapter from configuration. Shared by the API's and the ETL's entry points. */
export function openSqliteCatalogueStore(
  config: Pick<Config, 'DATABASE_PATH'> &
    Partial<Pick<Config, 'SQLITE_BUSY_TIMEOUT_MS' | 'SQLITE_READ_THREADS'>>,
): SqliteCatalogueStore {
  if (config.DATABASE_PATH !== ':memory:') mkdirSync(dirname(config.DATABASE_PATH), { recursive: true });
  const db = openDatabase(config.DATABASE_PATH, { busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS });
  const writes = new SqliteWriteLock(db, config.SQLITE_BUSY_TIMEOUT_MS ?? 5000);
  const users = new SqliteUserStore(db, writes);
  // Tools and tests that name no threads read on their own thread, as does an in-memory database.
  const threads = config.DATABASE_PATH === ':memory:' ? 0 : (config.SQLITE_READ_THREADS ?? 0);
  const readThreads =
    threads > 0
      ? new SqliteReadThreads({
          path: config.DATABASE_PATH,
          threads,
          busyTimeoutMs: config.SQLITE_BUSY_TIMEOUT_MS,
        })
      : undefined;
  return {
    ...overSql(new SqliteExecutor(db, writes, readThreads)),
    loader: new SqliteCatalogueLoader(db, writes),
    users,
    credentials: users,
    sessions: users,
    connection: db,
  };
}

/**
 * SQL Server when configured (migrated on open, or with DB_MIGRATIONS=check only checked), else
 * the embedded SQLite store, with read threads only where the caller asks for them: the API does
 * (SQLITE_READ_THREADS), the ETL and the CLIs read on their own thread.
 */
export async function openConfiguredStore(
  config: StoreConfig,
  { readThreads = 0 }: { readonly readThreads?: number } = {},
): Promise<CatalogueStore> {
  if (databaseDriver(config) !== 'mssql')
    return openSqliteCatalogueStore({ ...config, SQLITE_READ_THREADS: readThreads });
  // Loaded only when configured: the SQL Server driver costs ~35 MB of memory to load.
  const { openMssqlStore } = await import('./mssql-store');
  return openMssqlStore(config);
}
