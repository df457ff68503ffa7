import Router from '@koa/router';
import { trace } from '@opentelemetry/api';
import type { TObject } from '@sinclair/typebox';
import type { Context } from 'koa';
import { compileSchema, formatErrors } from '../../catalogue/validation';
import type { Principal } from '../core/auth/accounts';
import type { Authorize } from './authentication';
import { compileParamsParser, compileQueryParser } from './input';
import { badRequest } from './problem';
import { jsonRepresentation, type Representation, sendRepresentation } from './representation';
import type { RouteDefinition } from './route';

/** How a GET's representation is produced; the cache layer substitutes a caching version. */
export type ReadResponder = (
  route: RouteDefinition,
  ctx: Context,
  input: { query: Record<string, unknown>; params: Record<string, unknown> },
  produce: () => Promise<Representation>,
) => Promise<Representation>;

export const uncachedResponder: ReadResponder = (_route, _ctx, _input, produce) => produce();

const EMPTY = { type: 'object', properties: {}, additionalProperties: false } as unknown as TObject;

/** Registers every route with its validation; handlers see only typed, valid input. */
export function buildRouter(
  routes: readonly RouteDefinition[],
  options: { respond?: ReadResponder; authorize?: Authorize } = {},
): Router {
  const respond = options.respond ?? uncachedResponder;
  const tracer = trace.getTracer('anime-api');
  const router = new Router();
  for (const route of routes) {
    const parseQuery = compileQueryParser(route.query ?? EMPTY);
    const parseParams = compileParamsParser(route.params ?? EMPTY);
    const validateBody = route.body ? compileSchema(route.body) : undefined;
    router[route.method](route.path, async (ctx) => {
      let principal: Principal | undefined;
      if (route.access) {
        if (!options.authorize) throw new Error(`${route.operationId} needs an authorizer`);
        principal = await options.authorize(ctx, route.access);
        // Per-user answers must never land in a shared cache.
        ctx.set('Cache-Control', 'private, no-store');
      }
      const parsed = parseQuery(ctx.query as Record<string, string | string[]>) as Record<string, unknown>;
      const query = (route.canonicalQuery?.(parsed as never) ?? parsed) as Record<string, unknown>;
      const params = parseParams(ctx.params) as Record<string, unknown>;
      const body = (ctx.request as { body?: unknown }).body;
      if (validateBody && !validateBody(body)) throw badRequest(formatErrors(validateBody.errors, 'body'));
      const run = () => Promise.resolve(route.handler({ query, params, body, principal } as never, ctx));
      if (route.method === 'get') {
        const produce = async () => {
          const value = await run();
          return tracer.startActiveSpan('serialize', (span) => {
            try {
              return jsonRepresentation(value, {
                precompress: Boolean(route.cache),
                headers: route.responseHeaders?.(value as never),
              });
            } finally {
              span.end();
            }
          });
        };
        sendRepresentation(ctx, await respond(route, ctx, { query, params }, produce));
        return;
      }
      const result = await run();
      ctx.status = route.response.status;
      if (result !== undefined) ctx.body = result;
    });
  }
  return router;
}
