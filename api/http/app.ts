import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Accounts } from '../core/auth/accounts';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import { SharedReads } from '../core/cache/shared-reads';
import { CatalogueWrites, type Invalidator } from '../core/catalogue-writes';
import type { AnimeRepository } from '../core/ports/anime-repository';
import type { RateLimiter } from '../core/ports/rate-limiter';
import type { Observability } from '../observability/observability';
import { authorizer } from './authentication';
import type { Admission } from './caching-responder';
import { cachingResponder, TooLargeKeys } from './caching-responder';
import { type CorsProps, corsPolicy } from './cors';
import { errorMiddleware } from './error-middleware';
import { answerHitsFirst, HitLane } from './hit-lane';
import { inFlightShare } from './in-flight';
import { buildOpenApi, documentedHeaders } from './openapi';
import type { ReadLimit, UncachedReadBudget } from './read-limit';
import { requestContext } from './request-context';
import { buildRouter } from './router';
import { animeReadRoutes } from './routes/anime-reads';
import { animeWriteRoutes } from './routes/anime-writes';
import { authRoutes } from './routes/auth';
import { cacheAdminRoutes } from './routes/cache-admin';
import { catalogueFacetRoutes } from './routes/catalogue-facets';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { userAdminRoutes } from './routes/user-admin';
import { securityHeaderSet, securityHeaders } from './security-headers';
import { type AuthRateLimits, AuthThrottle } from './throttle';

export interface AppDependencies {
  repository: AnimeRepository;
  accounts: Accounts;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Absent: every read goes to the database. */
  cache?: ReadThroughCache;
  /** @default DEFAULT_AUTH_RATE_LIMITS */
  authRateLimits?: AuthRateLimits;
  /** Spans around invalidations and the admin-only /metrics (Prometheus). @default none */
  observability?: Observability;
  /**
   * Proxies in front of the app whose X-Forwarded-For entries are believed, counted from the
   * app's side; 0 trusts no forwarding header at all. @default 0
   */
  trustedProxyHops?: number;
  /** Strict-Transport-Security, for a deployment behind TLS. @default false */
  hsts?: boolean;
  /**
   * X-Cache, Cache-Status and Server-Timing on responses: useful when developing, but they tell
   * anyone whether a query was run recently. @default true
   */
  exposeCacheHeaders?: boolean;
  /** Bodies up to this are buffered (and cacheable); larger streamed ones are sent as produced. @default 8 MiB */
  maxBufferedBytes?: number;
  /** Requests one client may have in progress at once. @default no limit */
  requestsInFlightPerClient?: number;
  /** Large answers enter the cache only on a repeat. @default every answer is stored */
  admission?: Admission;
  /** Catalogue reads in flight and waiting, beyond which a read is refused with 503. @default unbounded */
  readLimit?: ReadLimit;
  /** Reads that reach the database, per client address, beyond which 429. @default unlimited */
  uncachedBudget?: UncachedReadBudget;
  /**
   * Cache hits of public reads answered before Koa, for URLs Koa has resolved before (see
   * hit-lane.ts). Off only to compare the two ways in tests. @default true
   */
  hitLane?: boolean;
  /** Browser origins allowed to call the API. @default none */
  cors?: CorsProps;
  /** The commit this build is, reported by /health so a deploy can tell the new container answers. @default 'dev' */
  build?: string;
}

/** The app factory: everything it needs comes in as ports, so tests and main compose it the same way. */
export function createApp(deps: AppDependencies): Koa {
  const cache = deps.cache;
  const observability = deps.observability;
  const invalidator: Invalidator | undefined =
    cache && observability
      ? {
          invalidate: (tags, outboxId) =>
            observability.span('cache.invalidate', { 'cache.tags': tags.length }, () =>
              cache.invalidate(tags, outboxId),
            ),
        }
      : cache;
  const writes = new CatalogueWrites(deps.repository, invalidator);
  const routes = [
    ...animeReadRoutes(deps.repository),
    ...animeWriteRoutes(writes),
    ...catalogueFacetRoutes(deps.repository),
    ...authRoutes(deps.accounts, new AuthThrottle(deps.rateLimiter, deps.authRateLimits)),
    ...userAdminRoutes(deps.accounts),
    ...(deps.cache ? cacheAdminRoutes(deps.cache) : []),
    ...healthRoutes(deps.repository, deps.build ?? 'dev'),
  ];
  const authorize = authorizer(deps.accounts);
  const report = { expose: deps.exposeCacheHeaders ?? true };
  const security = securityHeaderSet({ hsts: deps.hsts ?? false });
  const tooLarge = new TooLargeKeys();
  const lane =
    deps.cache && deps.hitLane !== false
      ? new HitLane({ cache: deps.cache, report, securityHeaders: security, logger: deps.logger, tooLarge })
      : undefined;
  const router = buildRouter(routes, {
    respond: deps.cache
      ? cachingResponder(deps.cache, new SharedReads(() => deps.repository.dataVersion()), {
          report,
          tooLarge,
          lane,
          admission: deps.admission,
        })
      : undefined,
    authorize,
    maxBufferedBytes: deps.maxBufferedBytes,
    readLimit: deps.readLimit,
    uncachedBudget: deps.uncachedBudget,
  });
  if (observability) {
    // Prometheus text for people who self-host; admin-only (or use METRICS_PORT for a private port).
    router.get('/metrics', async (ctx) => {
      await authorize(ctx, 'admin');
      ctx.set('Cache-Control', 'no-store');
      ctx.type = observability.registry.contentType;
      ctx.body = await observability.registry.metrics();
    });
  }
  const document = buildOpenApi(routes, { title: 'anime-platform API', version: '1.0.0' });
  mountDocs(router, document);
  const hops = deps.trustedProxyHops ?? 0;
  // With n trusted hops Koa keeps the last n X-Forwarded-For entries and takes the first of them:
  // the address the outermost trusted proxy saw. Anything a client wrote before it is ignored.
  const app = new Koa({ proxy: hops > 0, maxIpsCount: hops });
  // Errors outside the middleware chain (a client that hung up mid-body, a malformed chunk) go to
  // our log, not stderr. A parser error carries the raw request bytes (`rawPacket`: headers and
  // body, tokens and passwords included), so only its name, message and code are logged.
  app.on('error', (error: NodeJS.ErrnoException) => {
    const byClient =
      error.code === 'ECONNRESET' ||
      error.code === 'EPIPE' ||
      error.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      String(error.code).startsWith('HPE_');
    const err = {
      type: error.name,
      message: error.message,
      code: error.code,
      stack: byClient ? undefined : error.stack,
    };
    deps.logger[byClient ? 'debug' : 'error']({ err }, 'response stream failed');
  });
  app.use(requestContext(deps.logger));
  app.use(errorMiddleware(deps.logger));
  app.use(securityHeaders(security));
  if (deps.requestsInFlightPerClient) app.use(inFlightShare(deps.requestsInFlightPerClient));
  const corsMiddleware = deps.cors ? corsPolicy(deps.cors, documentedHeaders(document)) : undefined;
  if (corsMiddleware) app.use(corsMiddleware);
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', jsonStrict: true }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  if (lane) answerHitsFirst(app, lane);
  return app;
}
