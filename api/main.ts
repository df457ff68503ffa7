// First, and kept first (a side-effect import is a boundary for import sorting): telemetry patches
// http and koa as they load.
import './instrument';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { adminBootstrapToken } from '../composition/accounts';
import { openConfiguredStore } from '../composition/catalogue-store';
import { seedIfEmpty } from '../composition/seed';
import { type Config, listenHost, loadConfig, webConcurrency } from '../platform/config';
import { createLogger } from '../platform/logger';
import { createHttpServer } from './http/server';
import { telemetry } from './instrument';
import { openApi } from './service';
import { runWorkerPool } from './workers';

/**
 * The primary of WEB_CONCURRENCY workers: what must happen once (the first-start seed, and outside
 * production a secret and a bootstrap token that every worker shares), then the workers.
 */
async function startWorkerPool(config: Config, log: Logger, count: number): Promise<void> {
  // The store is opened here only to seed: in production (SEED_ON_EMPTY=false) the primary opens none.
  if (config.SEED_ON_EMPTY) {
    const store = await openConfiguredStore(config, { readThreads: 0 });
    try {
      await seedIfEmpty(config, store, log);
    } finally {
      await store.close();
    }
  }
  const env: Record<string, string> = { SEED_ON_EMPTY: 'false' };
  if (!config.JWT_SECRET) {
    // Only outside production (config refuses it there); one per worker would reject each other's tokens.
    log.warn('JWT_SECRET is not set: the workers share a random secret; tokens will not survive a restart');
    env.JWT_SECRET = randomBytes(32).toString('base64url');
  }
  const token = adminBootstrapToken(config, true);
  if (token) env.ADMIN_BOOTSTRAP_TOKEN = token;
  runWorkerPool({ count, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS, log, env });
}

/** The API's process: the platform from configuration, its HTTP server, and a graceful shutdown. */
async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`usage: npm start            (development: tsx, embedded defaults)
       npm run start:prod   (node dist/api/main.js, after npm run build)

Serves the catalogue API on HOST:PORT (127.0.0.1:3000 in development). With nothing configured it
runs on SQLite (DATABASE_PATH), an in-process cache, the local identity provider and, on an empty
database, a generated dataset it loads first. REDIS_URL, SQL_SERVER (or MSSQL_CONNECTION_STRING),
FIREBASE_PROJECT_ID and APPLICATIONINSIGHTS_CONNECTION_STRING switch in the real parts; every
variable is in docs/configuration.md. WEB_CONCURRENCY runs that many worker processes on the one
port (default the CPUs in production with Redis, else 1). SIGTERM or Ctrl-C drains and stops it.`);
    return;
  }
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const workers = webConcurrency(config);
  if (workers > 1 && cluster.isPrimary) return startWorkerPool(config, log, workers);
  const platform = await openApi(config, { logger: log, generateBootstrapToken: true });
  const { handler, observability } = platform;
  log.info(
    {
      cache: config.CACHE_ENABLED ? (config.REDIS_URL ? 'redis' : 'memory') : 'off',
      telemetry: telemetry.mode,
      identity: platform.accounts.identity.name,
      rateLimits: config.REDIS_URL ? 'redis' : 'memory',
    },
    'platform open',
  );
  const host = listenHost(config);
  const server: Server = createHttpServer(handler, log, {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerClient: config.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    firstRequestTimeoutMs: config.HTTP_FIRST_REQUEST_TIMEOUT_MS,
  });
  // A port that is taken is a configuration problem: one line that names the setting, no stack.
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
    const why = error.code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    console.error(`PORT ${config.PORT} on ${host} ${why}: stop what holds it, or set PORT to another port`);
    process.exit(1);
  });
  server.listen(config.PORT, host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    log.info({ host, port }, `anime API listening; docs at http://${shown}:${port}/docs`);
  });
  // A private Prometheus port (no auth: bind it to an internal interface).
  const metricsServer =
    config.METRICS_ENABLED && config.METRICS_PORT !== undefined
      ? createServer(async (_req, res) => {
          res.setHeader('Content-Type', observability.registry.contentType);
          res.end(await observability.registry.metrics());
        }).listen(config.METRICS_PORT, config.METRICS_HOST)
      : undefined;
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
    metricsServer?.close();
    server.close(async () => {
      await platform.close();
      await telemetry.shutdown().catch(() => undefined);
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
