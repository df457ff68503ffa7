import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { type Config, cacheHeadersExposed } from '../config';
import type { Accounts } from '../core/auth/accounts';
import type { CacheCoherence } from '../core/cache/coherence';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import type { CacheStore } from '../core/ports/cache-store';
import type { IdentityProvider } from '../core/ports/identity-provider';
import type { RateLimiter } from '../core/ports/rate-limiter';
import { parseOrigins } from '../http/cors';
import type { HitLane } from '../http/hit-lane';
import { ReadLimit, RecentKeys, UncachedReadBudget } from '../http/read-limit';
import { createLogger } from '../logger';
import { Observability } from '../observability/observability';
import { openAccounts, openRateLimiter } from './accounts';
import { openResponseCache } from './cache';
import { type CatalogueStore, openConfiguredStore } from './catalogue-store';
import { composeHttpService, type HttpServiceProps } from './http';
import { openRedis } from './redis';

/** What a caller supplies instead of building it from configuration (tests, a second instance). */
export interface PlatformOverrides {
  /** An open store to share (two app instances over one database). @default from config */
  readonly store?: CatalogueStore;
  /** @default Firebase when configured, else the local provider over the store */
  readonly identity?: (store: CatalogueStore) => IdentityProvider;
  /** @default Redis when configured, else in-process */
  readonly rateLimiter?: RateLimiter;
  /** A cache built by the caller; it then owns its coherence. @default from config (CACHE_ENABLED) */
  readonly cache?: ReadThroughCache;
  /** @default a pino logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** @default a new Observability (repository timings; /metrics when METRICS_ENABLED without a port) */
  readonly observability?: Observability;
  /** App options over what configuration gives (tests of one protection). */
  readonly app?: Partial<
    Pick<HttpServiceProps, 'authRateLimits' | 'trustedProxyHops' | 'hsts' | 'exposeCacheHeaders' | 'hitLane'>
  >;
  /** Print a first-admin token outside production when none is configured (the API's start). @default false */
  readonly generateBootstrapToken?: boolean;
  /** Runs once the store is open, before the cache starts: main seeds an empty catalogue here. */
  readonly prepareStore?: (store: CatalogueStore) => Promise<void>;
}

/** The composed platform: what main serves, what the tests drive, what the ETL shares. */
export interface Platform {
  readonly config: Config;
  readonly log: Logger;
  readonly store: CatalogueStore;
  readonly accounts: Accounts;
  readonly rateLimiter: RateLimiter;
  readonly observability: Observability;
  readonly app: Koa;
  /** What an HTTP server mounts: the hit lane, then the app. */
  readonly handler: RequestListener;
  readonly hitLane?: HitLane;
  /** The configured response cache, when it was built here. */
  readonly responseCache?: { cache: ReadThroughCache; store: CacheStore; coherence: CacheCoherence };
  /** Stops what was opened here, in reverse order; a shared store is left open. */
  close(): Promise<void>;
}

/**
 * The one wiring of the platform, from configuration: store, Redis, cache and its coherence,
 * accounts, rate limits, observability and the Koa app. main, the CLIs and the tests all come
 * through here, so the tests exercise the production wiring.
 */
export async function openPlatform(config: Config, overrides: PlatformOverrides = {}): Promise<Platform> {
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const store =
    overrides.store ?? (await openConfiguredStore(config, { readThreads: config.SQLITE_READ_THREADS }));
  await overrides.prepareStore?.(store);
  const needsRedis = (config.CACHE_ENABLED && !overrides.cache) || !overrides.rateLimiter;
  const redis = needsRedis ? await openRedis(config) : undefined;
  const observability = overrides.observability ?? new Observability();
  const responseCache =
    config.CACHE_ENABLED && !overrides.cache
      ? openResponseCache(config, redis, store.outbox, store.repository, observability)
      : undefined;
  const cache = overrides.cache ?? responseCache?.cache;
  // Until the first check passes, reads bypass the cache: an earlier instance may have crashed
  // with invalidations still in the outbox.
  if (responseCache && !(await responseCache.coherence.start())) {
    log.warn('cache coherence check failed: reads bypass the cache until one passes');
  }
  // A supplied Observability is the caller's to point at its cache.
  if (cache && !overrides.observability) observability.observeCache(() => cache.stats());
  const accounts = openAccounts(
    config,
    store,
    log,
    { generateBootstrapToken: overrides.generateBootstrapToken ?? false },
    overrides.identity?.(store),
  );
  const rateLimiter = overrides.rateLimiter ?? openRateLimiter(redis?.reads);
  const http = composeHttpService({
    repository: observability.repository(store.repository),
    observability,
    metricsRoute: config.METRICS_ENABLED && config.METRICS_PORT === undefined,
    accounts,
    rateLimiter,
    logger: log,
    cache,
    trustedProxyHops: overrides.app?.trustedProxyHops ?? config.TRUSTED_PROXY_HOPS,
    hsts: overrides.app?.hsts ?? config.NODE_ENV === 'production',
    exposeCacheHeaders: overrides.app?.exposeCacheHeaders ?? cacheHeadersExposed(config),
    hitLane: overrides.app?.hitLane,
    build: config.BUILD_SHA,
    maxBufferedBytes: config.CACHE_MAX_ENTRY_BYTES,
    requestsInFlightPerClient: config.REQUESTS_IN_FLIGHT_PER_CLIENT || undefined,
    // Admission matters only below the entry limit; above it nothing is stored anyway.
    admission:
      config.CACHE_ADMIT_AFTER_BYTES > 0 && config.CACHE_ADMIT_AFTER_BYTES < config.CACHE_MAX_ENTRY_BYTES
        ? {
            bytes: config.CACHE_ADMIT_AFTER_BYTES,
            recent: new RecentKeys(config.UNCACHED_READS_WINDOW_SECONDS * 1000),
          }
        : undefined,
    readLimit: new ReadLimit(config.READ_CONCURRENCY, config.READ_QUEUE),
    cors: { origins: parseOrigins(config.CORS_ORIGINS), maxAgeSeconds: config.CORS_MAX_AGE_SECONDS },
    uncachedBudget:
      config.UNCACHED_READS_PER_CLIENT > 0
        ? new UncachedReadBudget(
            rateLimiter,
            config.UNCACHED_READS_PER_CLIENT,
            config.UNCACHED_READS_WINDOW_SECONDS * 1000,
            config.UNCACHED_READ_UNIT_BYTES,
          )
        : undefined,
    authRateLimits: overrides.app?.authRateLimits ?? {
      windowMs: config.AUTH_RATE_WINDOW_SECONDS * 1000,
      perIp: config.AUTH_RATE_LIMIT_PER_IP,
      perEmail: config.AUTH_RATE_LIMIT_PER_EMAIL,
      inFlightPerClient: config.AUTH_IN_FLIGHT_PER_CLIENT,
    },
  });
  return {
    config,
    log,
    store,
    accounts,
    rateLimiter,
    observability,
    ...http,
    responseCache,
    async close() {
      await responseCache?.coherence.stop();
      if (!overrides.rateLimiter) await rateLimiter.close();
      await accounts.identity.close();
      await responseCache?.store.close();
      redis?.disconnect();
      if (!overrides.store) await store.close();
    },
  };
}
