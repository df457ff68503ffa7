import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../adapters/sqlite/open-database';
import { SqliteAnimeRepository } from '../adapters/sqlite/sqlite-anime-repository';
import { SqliteCatalogueLoader } from '../adapters/sqlite/sqlite-catalogue-loader';
import { SqliteInvalidationOutbox } from '../adapters/sqlite/sqlite-invalidation-outbox';
import { SqliteUserStore } from '../adapters/sqlite/sqlite-user-store';
import type { Config } from '../config';
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
export function openCatalogueStore(config: Pick<Config, 'DATABASE_PATH'>): CatalogueStore {
  if (config.DATABASE_PATH !== ':memory:') mkdirSync(dirname(config.DATABASE_PATH), { recursive: true });
  const db = openDatabase(config.DATABASE_PATH);
  const repository = new SqliteAnimeRepository(db);
  const users = new SqliteUserStore(db);
  return {
    repository,
    loader: new SqliteCatalogueLoader(db),
    users,
    credentials: users,
    outbox: new SqliteInvalidationOutbox(db),
    close: () => repository.close(),
  };
}
