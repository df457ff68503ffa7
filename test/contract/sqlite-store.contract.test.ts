import { openCatalogueStore } from '../../api/composition/catalogue-store';
import { describeAccountStoreContract } from './account-store.contract';
import { describeCatalogueStoreContract } from './anime-repository.contract';

describeCatalogueStoreContract('sqlite', async () => {
  const store = openCatalogueStore({ DATABASE_PATH: ':memory:' });
  return {
    repository: store.repository,
    loader: store.loader,
    outbox: store.outbox,
    users: store.users,
    dispose: store.close,
  };
});

describeAccountStoreContract('sqlite', async () => {
  const store = openCatalogueStore({ DATABASE_PATH: ':memory:' });
  return {
    users: store.users,
    sessions: store.sessions,
    credentials: store.credentials,
    dispose: store.close,
  };
});
