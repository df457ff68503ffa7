import type { Logger } from 'pino';
import type { Config } from '../platform/config';
import type { Accounts } from '../platform/core/auth/accounts';
import type { CacheCoherence } from '../platform/core/cache/coherence';
import type { ReadThroughCache } from '../platform/core/cache/read-through-cache';
import type { CacheStore } from '../platform/core/ports/cache-store';
import type { IdentityProvider } from '../platform/core/ports/identity-provider';
import type { RateLimiter } from '../platform/core/ports/rate-limiter';
import { createLogger } from '../platform/logger';
import { Observability } from '../platform/observability/observability';
import { openAccounts, openRateLimiter } from './accounts';
import { openResponseCache } from './cache';
import { type CatalogueStore, openConfiguredStore } from './catalogue-store';
import { openRedis } from './redis';
import { seedIfEmpty } from './seed';

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
  /** Print a first-admin token outside production when none is configured (the API's start). @default false */
  readonly generateBootstrapToken?: boolean;
}

/** The composed platform: what the HTTP service is built over (api/service.ts) and the tests drive. */
export interface Platform {
  readonly config: Config;
  readonly log: Logger;
  readonly store: CatalogueStore;
  readonly accounts: Accounts;
  readonly rateLimiter: RateLimiter;
  readonly observability: Observability;
  /** The read-through cache the service answers from: the caller's, else the configured one. */
  readonly cache?: ReadThroughCache;
  /** The configured response cache, when it was built here. */
  readonly responseCache?: { cache: ReadThroughCache; store: CacheStore; coherence: CacheCoherence };
  /** Stops what was opened here, in reverse order; a shared store is left open. */
  close(): Promise<void>;
}

/**
 * The one wiring of the platform, from configuration: store, Redis, cache and its coherence,
 * accounts, rate limits and observability. The API (api/service.ts openApi) and the tests come
 * through here, so the tests exercise the production wiring; nothing here knows about HTTP.
 */
export async function openPlatform(config: Config, overrides: PlatformOverrides = {}): Promise<Platform> {
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const store =
    overrides.store ?? (await openConfiguredStore(config, { readThreads: config.SQLITE_READ_THREADS }));
  // Before the cache starts: a seed is a load, and its invalidations precede the first read.
  if (!overrides.store) await seedIfEmpty(config, store, log);
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
  return {
    config,
    log,
    store,
    accounts,
    rateLimiter,
    observability,
    cache,
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
