import Koa from 'koa';
import type { Logger } from 'pino';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import type { AnimeRepository } from '../core/ports/anime-repository';
import { cachingResponder } from './caching-responder';
import { errorMiddleware } from './error-middleware';
import { buildOpenApi } from './openapi';
import { requestContext } from './request-context';
import { buildRouter, type ReadResponder } from './router';
import { animeReadRoutes } from './routes/anime-reads';
import { catalogueFacetRoutes } from './routes/catalogue-facets';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';

export interface AppDependencies {
  repository: AnimeRepository;
  logger: Logger;
  /** Absent: every read goes to the database. */
  cache?: ReadThroughCache;
}

/** The app factory: everything it needs comes in as ports, so tests and main compose it the same way. */
export function createApp(deps: AppDependencies): Koa {
  const routes = [
    ...animeReadRoutes(deps.repository),
    ...catalogueFacetRoutes(deps.repository),
    ...healthRoutes(deps.repository),
  ];
  const respond: ReadResponder | undefined = deps.cache ? cachingResponder(deps.cache) : undefined;
  const router = buildRouter(routes, respond);
  mountDocs(router, buildOpenApi(routes, { title: 'anime-platform API', version: '1.0.0' }));
  const app = new Koa();
  app.proxy = true;
  app.use(requestContext(deps.logger));
  app.use(errorMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
