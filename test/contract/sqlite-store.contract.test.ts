import { openCatalogueStore } from '../../api/composition/catalogue-store';
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
