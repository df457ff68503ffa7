import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { writeDataset } from '../etl/generate';
import { loadCsv } from '../etl/load-csv';
import { kaggleAnimes } from '../pipelines/ingest/profiles/kaggle-animes';
import { openAccounts, openRateLimiter } from './composition/accounts';
import { openResponseCache } from './composition/cache';
import { type CatalogueStore, openConfiguredStore } from './composition/catalogue-store';
import { openRedis } from './composition/redis';
import { type Config, loadConfig } from './config';
import { DataVersionPoller } from './core/cache/data-version-poller';
import { createApp } from './http/app';
import { createLogger } from './logger';

/** First start on an empty store: generate the dataset and load it through the ETL. */
async function seedIfEmpty(config: Config, store: CatalogueStore, log: ReturnType<typeof createLogger>) {
  if (!config.SEED_ON_EMPTY || !(await store.loader.isEmpty())) return;
  if (!existsSync(config.SEED_FILE)) {
    log.info({ rows: config.SEED_ROWS, file: config.SEED_FILE }, 'generating the dataset');
    await writeDataset(config.SEED_FILE, config.SEED_ROWS);
  }
  const summary = await loadCsv({
    input: config.SEED_FILE,
    profile: kaggleAnimes,
    loader: store.loader,
    mode: 'upsert',
  });
  log.info(summary, 'loaded the dataset');
}

/** The API's composition root: configuration, adapters, the app, and a graceful shutdown. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const store = await openConfiguredStore(config);
  await seedIfEmpty(config, store, log);
  const redis = await openRedis(config);
  const responseCache = config.CACHE_ENABLED ? openResponseCache(config, redis, store.outbox) : undefined;
  const cache = responseCache?.cache;
  const poller = cache
    ? new DataVersionPoller(store.repository, cache, config.DATA_VERSION_POLL_MS)
    : undefined;
  poller?.start((error) => log.warn({ err: error }, 'data version poll failed'));
  log.info({ cache: config.CACHE_ENABLED ? (config.REDIS_URL ? 'redis' : 'memory') : 'off' }, 'cache');
  const accounts = openAccounts(config, store, log);
  const rateLimiter = openRateLimiter(redis);
  log.info({ identity: accounts.identity.name, rateLimits: redis ? 'redis' : 'memory' }, 'accounts');
  const app = createApp({
    repository: store.repository,
    accounts,
    rateLimiter,
    logger: log,
    cache,
    authRateLimits: {
      windowMs: config.AUTH_RATE_WINDOW_SECONDS * 1000,
      perIp: config.AUTH_RATE_LIMIT_PER_IP,
      perEmail: config.AUTH_RATE_LIMIT_PER_EMAIL,
    },
  });
  const server: Server = app.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    log.info({ port }, `anime API listening; docs at http://localhost:${port}/docs`);
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.close(async () => {
      await poller?.stop();
      await rateLimiter.close();
      await accounts.identity.close();
      await responseCache?.store.close();
      redis?.disconnect();
      await store.close();
      log.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
