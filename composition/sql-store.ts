import { SqlAnimeRepository } from '../platform/adapters/sql/sql-anime-repository';
import type { SqlExecutor } from '../platform/adapters/sql/sql-executor';
import { SqlInvalidationOutbox } from '../platform/adapters/sql/sql-invalidation-outbox';
import type { Config } from '../platform/config';
import type { AnimeRepository } from '../platform/core/ports/anime-repository';
import type { CatalogueLoader } from '../platform/core/ports/catalogue-loader';
import type { CredentialStore } from '../platform/core/ports/credential-store';
import type { InvalidationOutbox } from '../platform/core/ports/invalidation-outbox';
import type { SessionRepository } from '../platform/core/ports/session-repository';
import type { UserRepository } from '../platform/core/ports/user-repository';

export interface CatalogueStore {
  repository: AnimeRepository;
  loader: CatalogueLoader;
  users: UserRepository;
  credentials: CredentialStore;
  sessions: SessionRepository;
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

export type StoreConfig = Pick<
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
