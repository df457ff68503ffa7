import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import { openPlatform, type Platform, type PlatformOverrides } from '../composition/platform';
import { type Config, cacheHeadersExposed } from '../platform/config';
import type { ReadThroughCache } from '../platform/core/cache/read-through-cache';
import { SharedReads } from '../platform/core/cache/shared-reads';
import { CatalogueWrites, type Invalidator } from '../platform/core/catalogue-writes';
import type { Observability } from '../platform/observability/observability';
import { type AppDependencies, createApp } from './http/app';
import { TooLargeKeys } from './http/cached-read';
import { type Admission, cachingResponder } from './http/caching-responder';
import { parseOrigins } from './http/cors';
import { HitLane } from './http/hit-lane';
import { ReadLimit, RecentKeys, UncachedReadBudget } from './http/read-limit';
import { securityHeaderSet } from './http/security-headers';

/** What the HTTP service is built from: the ports, the cache, and the app's own options. */
export interface HttpServiceProps
  extends Omit<AppDependencies, 'writes' | 'respond' | 'securityHeaders' | 'metrics' | 'cache'> {
  /** Absent: every read goes to the database. */
  readonly cache?: ReadThroughCache;
  /** Spans around invalidations. @default none */
  readonly observability?: Observability;
  /** Serve the admin-only /metrics from the app. @default false */
  readonly metricsRoute?: boolean;
  /** Strict-Transport-Security, for a deployment behind TLS. @default false */
  readonly hsts?: boolean;
  /**
   * X-Cache, Cache-Status and Server-Timing on responses: useful when developing, but they tell
   * anyone whether a query was run recently. @default true
   */
  readonly exposeCacheHeaders?: boolean;
  /** Large answers enter the cache only on a repeat. @default every answer is stored */
  readonly admission?: Admission;
  /**
   * Cache hits of public reads answered before Koa, for URLs Koa has resolved before (see
   * hit-lane.ts). Off only to compare the two ways in tests. @default true
   */
  readonly hitLane?: boolean;
}

/** The HTTP service: the Koa app, and the request listener a server mounts (the hit lane, then Koa). */
export interface HttpService {
  readonly app: Koa;
  readonly handler: RequestListener;
  /** The hit lane in front of the app, when the cache is on and the lane is not turned off. */
  readonly hitLane?: HitLane;
}

/**
 * Wires the HTTP service: the one write path with its (traced) invalidations, the caching
 * responder and the hit lane over one set of too-large keys, and the app's route table.
 */
export function composeHttpService(props: HttpServiceProps): HttpService {
  const { cache, observability } = props;
  const invalidator: Invalidator | undefined =
    cache && observability
      ? {
          invalidate: (tags, outboxId) =>
            observability.span('cache.invalidate', { 'cache.tags': tags.length }, () =>
              cache.invalidate(tags, outboxId),
            ),
        }
      : cache;
  const security = securityHeaderSet({ hsts: props.hsts ?? false });
  const report = { expose: props.exposeCacheHeaders ?? true };
  const tooLarge = new TooLargeKeys();
  const lane =
    cache && props.hitLane !== false
      ? new HitLane({ cache, report, securityHeaders: security, logger: props.logger, tooLarge })
      : undefined;
  const app = createApp({
    ...props,
    writes: new CatalogueWrites(props.repository, invalidator),
    securityHeaders: security,
    respond: cache
      ? cachingResponder(cache, new SharedReads(() => props.repository.dataVersion()), {
          report,
          tooLarge,
          lane,
          admission: props.admission,
        })
      : undefined,
    metrics: props.metricsRoute && observability ? observability.registry : undefined,
  });
  const koa = app.callback();
  return { app, handler: lane ? lane.or(koa) : koa, hitLane: lane };
}

/** What a caller supplies instead of configuration: the platform's parts, and the app's options. */
export interface ApiOverrides extends PlatformOverrides {
  /** App options over what configuration gives (tests of one protection). */
  readonly app?: Partial<
    Pick<HttpServiceProps, 'authRateLimits' | 'trustedProxyHops' | 'hsts' | 'exposeCacheHeaders' | 'hitLane'>
  >;
}

/** The API: the platform from configuration, and the HTTP service over it. */
export type Api = Platform & HttpService;

/**
 * The API from configuration: openPlatform, then the HTTP service with the options configuration
 * gives (limits, CORS, admission, budgets). main, the client generator and the tests come through
 * here, so the tests exercise the production wiring.
 */
export async function openApi(config: Config, overrides: ApiOverrides = {}): Promise<Api> {
  const platform = await openPlatform(config, overrides);
  const { observability, rateLimiter } = platform;
  const http = composeHttpService({
    repository: observability.repository(platform.store.repository),
    observability,
    metricsRoute: config.METRICS_ENABLED && config.METRICS_PORT === undefined,
    accounts: platform.accounts,
    rateLimiter,
    logger: platform.log,
    cache: platform.cache,
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
  return { ...platform, ...http };
}
