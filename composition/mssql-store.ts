import { DEFAULT_INGEST_PROFILE, resolveProfile } from '../catalogue/profiles';
import { type MssqlSettings, openPool } from '../platform/adapters/mssql/connection';
import { assertSchemaCurrent, migrate } from '../platform/adapters/mssql/migrations';
import { MssqlCatalogueLoader } from '../platform/adapters/mssql/mssql-catalogue-loader';
import { MssqlExecutor } from '../platform/adapters/mssql/mssql-executor';
import { MssqlUserStore } from '../platform/adapters/mssql/mssql-user-store';
import { type CatalogueStore, overSql, type StoreConfig } from './sql-store';

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

/** The SQL Server store: migrated on open, or with DB_MIGRATIONS=check only checked. */
export async function openMssqlStore(config: StoreConfig): Promise<CatalogueStore> {
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
    sessions: users,
  };
}
