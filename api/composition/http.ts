import type { RequestListener } from 'node:http';
import type Koa from 'koa';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import { SharedReads } from '../core/cache/shared-reads';
import { CatalogueWrites, type Invalidator } from '../core/catalogue-writes';
import { type AppDependencies, createApp } from '../http/app';
import { TooLargeKeys } from '../http/cached-read';
import { type Admission, cachingResponder } from '../http/caching-responder';
import { HitLane } from '../http/hit-lane';
import { securityHeaderSet } from '../http/security-headers';
import type { Observability } from '../observability/observability';

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
