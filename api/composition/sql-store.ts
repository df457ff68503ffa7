import { SqlAnimeRepository } from '../adapters/sql/sql-anime-repository';
import type { SqlExecutor } from '../adapters/sql/sql-executor';
import { SqlInvalidationOutbox } from '../adapters/sql/sql-invalidation-outbox';
import type { Config } from '../config';
import type { AnimeRepository } from '../core/ports/anime-repository';
import type { CatalogueLoader } from '../core/ports/catalogue-loader';
import type { CredentialStore } from '../core/ports/credential-store';
import type { InvalidationOutbox } from '../core/ports/invalidation-outbox';
import type { SessionRepository } from '../core/ports/session-repository';
import type { UserRepository } from '../core/ports/user-repository';

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
