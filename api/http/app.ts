import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Accounts } from '../../platform/core/auth/accounts';
import type { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import type { CatalogueWrites } from '../../platform/core/catalogue-writes';
import type { AnimeRepository } from '../../platform/core/ports/anime-repository';
import type { RateLimiter } from '../../platform/core/ports/rate-limiter';
import { authorizer } from './authentication';
import { type CorsProps, corsPolicy } from './cors';
import { errorMiddleware } from './error-middleware';
import { inFlightShare } from './in-flight';
import { buildOpenApi, documentedHeaders } from './openapi';
import type { ReadLimit, UncachedReadBudget } from './read-limit';
import { requestContext } from './request-context';
import { buildRouter, type ReadResponder } from './router';
import { animeReadRoutes } from './routes/anime-reads';
import { animeWriteRoutes } from './routes/anime-writes';
import { authRoutes } from './routes/auth';
import { cacheAdminRoutes } from './routes/cache-admin';
import { catalogueFacetRoutes } from './routes/catalogue-facets';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { type MetricsRegistry, mountMetrics } from './routes/metrics';
import { userAdminRoutes } from './routes/user-admin';
import { securityHeaders } from './security-headers';
import { type AuthRateLimits, AuthThrottle } from './throttle';

export interface AppDependencies {
  readonly repository: AnimeRepository;
  /** The one write path (writes and their invalidations). */
  readonly writes: CatalogueWrites;
  readonly accounts: Accounts;
  readonly rateLimiter: RateLimiter;
  readonly logger: Logger;
  /** The headers every response carries (securityHeaderSet), shared with the hit lane. */
  readonly securityHeaders: Readonly<Record<string, string>>;
  /** How cacheable reads are answered (the caching responder). @default every read goes to the database */
  readonly respond?: ReadResponder;
  /** The cache behind `respond`, for its admin routes (stats, purge). @default no such routes */
  readonly cache?: ReadThroughCache;
  /** @default DEFAULT_AUTH_RATE_LIMITS */
  readonly authRateLimits?: AuthRateLimits;
  /** The admin-only /metrics (Prometheus). @default none */
  readonly metrics?: MetricsRegistry;
  /**
   * Proxies in front of the app whose X-Forwarded-For entries are believed, counted from the
   * app's side; 0 trusts no forwarding header at all. @default 0
   */
  readonly trustedProxyHops?: number;
  /** Bodies up to this are buffered (and cacheable); larger streamed ones are sent as produced. @default 8 MiB */
  readonly maxBufferedBytes?: number;
  /** Requests one client may have in progress at once. @default no limit */
  readonly requestsInFlightPerClient?: number;
  /** Catalogue reads in flight and waiting, beyond which a read is refused with 503. @default unbounded */
  readonly readLimit?: ReadLimit;
  /** Reads that reach the database, per client address, beyond which 429. @default unlimited */
  readonly uncachedBudget?: UncachedReadBudget;
  /** Browser origins allowed to call the API. @default none */
  readonly cors?: CorsProps;
  /** The commit this build is, reported by /health so a deploy can tell the new container answers. @default 'dev' */
  readonly build?: string;
}

/**
 * The app: its route table and its one middleware pipeline. Everything it needs comes in built
 * (api/service.ts wires the cache, the writes and the hit lane), so tests and main compose
 * it the same way.
 */
export function createApp(deps: AppDependencies): Koa {
  const routes = [
    ...animeReadRoutes(deps.repository),
    ...animeWriteRoutes(deps.writes),
    ...catalogueFacetRoutes(deps.repository),
    ...authRoutes(deps.accounts, new AuthThrottle(deps.rateLimiter, deps.authRateLimits)),
    ...userAdminRoutes(deps.accounts),
    ...(deps.cache ? cacheAdminRoutes(deps.cache) : []),
    ...healthRoutes(deps.repository, deps.build ?? 'dev'),
  ];
  const authorize = authorizer(deps.accounts);
  const router = buildRouter(routes, {
    respond: deps.respond,
    authorize,
    maxBufferedBytes: deps.maxBufferedBytes,
    readLimit: deps.readLimit,
    uncachedBudget: deps.uncachedBudget,
  });
  if (deps.metrics) mountMetrics(router, deps.metrics, authorize);
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
  app.use(securityHeaders(deps.securityHeaders));
  if (deps.requestsInFlightPerClient) app.use(inFlightShare(deps.requestsInFlightPerClient));
  const corsMiddleware = deps.cors ? corsPolicy(deps.cors, documentedHeaders(document)) : undefined;
  if (corsMiddleware) app.use(corsMiddleware);
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', jsonStrict: true }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
