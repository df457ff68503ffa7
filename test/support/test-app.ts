import pino from 'pino';
import { openCatalogueStore } from '../../api/composition/catalogue-store';
import type { AnimeInput } from '../../api/core/domain/anime';
import { createApp } from '../../api/http/app';
import { fixtureRecords } from './fixtures';

/** A real app over a real (in-memory SQLite) store, loaded with the fixture catalogue. */
export async function createTestApp(records: AnimeInput[] = fixtureRecords()) {
  const store = openCatalogueStore({ DATABASE_PATH: ':memory:' });
  const load = await store.loader.begin('upsert');
  await load.stage(records);
  await load.commit();
  const app = createApp({ repository: store.repository, logger: pino({ level: 'silent' }) });
  return { app, store, server: app.callback() };
}
