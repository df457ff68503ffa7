import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A caller's request id when it is safe to echo, else a new one. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The one access-log line per request, whichever way it was answered. Plain arguments, so a
 * request that logs nothing (below the level) builds nothing; `path` may still hold the query.
 */
export function logRequest(
  logger: Logger,
  requestId: string,
  method: string,
  path: string,
  status: number,
  ms: number,
): void {
  if (!logger.isLevelEnabled('info')) return;
  const query = path.indexOf('?');
  logger.info(
    { requestId, method, path: query < 0 ? path : path.slice(0, query), status, ms: Math.round(ms) },
    'request',
  );
}

/**
 * Gives every request an id (a caller's, when safe to echo) and a logger that carries it, made only
 * when something logs: most requests log nothing below the configured level.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const requestId = requestIdFor(ctx.get('X-Request-Id'));
    ctx.set('X-Request-Id', requestId);
    ctx.state.requestId = requestId;
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      get: () => {
        child ??= logger.child({ requestId });
        return child;
      },
    });
    const started = performance.now();
    try {
      await next();
    } finally {
      logRequest(logger, requestId, ctx.method, ctx.path, ctx.status, performance.now() - started);
    }
  };
}
