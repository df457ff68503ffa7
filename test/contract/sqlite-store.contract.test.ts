import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteCatalogueStore } from '../../composition/catalogue-store';
import { describeAccountStoreContract } from './account-store.contract';
import { describeCatalogueStoreContract } from './anime-repository.contract';

/** A store over a fresh database: in memory, or a file read by the API's read threads. */
function freshStore(readThreads: number) {
  if (!readThreads) return openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
  const dir = mkdtempSync(join(tmpdir(), 'anime-contract-'));
  const store = openSqliteCatalogueStore({
    DATABASE_PATH: join(dir, 'anime.db'),
    SQLITE_READ_THREADS: readThreads,
  });
  return {
    ...store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const [name, readThreads] of [
  ['sqlite', 0],
  // Every read on another thread and connection than the writes: read-your-writes must still hold.
  ['sqlite, reads on 2 threads', 2],
] as const) {
  describeCatalogueStoreContract(name, async () => {
    const store = freshStore(readThreads);
    return {
      repository: store.repository,
      loader: store.loader,
      outbox: store.outbox,
      users: store.users,
      dispose: store.close,
    };
  });
}

describeAccountStoreContract('sqlite', async () => {
  const store = openSqliteCatalogueStore({ DATABASE_PATH: ':memory:' });
  return {
    users: store.users,
    sessions: store.sessions,
    credentials: store.credentials,
    dispose: store.close,
  };
});
