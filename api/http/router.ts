import Router from '@koa/router';
import { trace } from '@opentelemetry/api';
import { Type } from '@sinclair/typebox';
import type { Context } from 'koa';
import { compileSchema, formatErrors } from '../../catalogue/validation';
import type { Principal } from '../../platform/core/auth/accounts';
import { cacheSpec } from '../../platform/core/cache/cache-keys';
import type { Representation } from '../../platform/core/cache/stored-representation';
import type { Authorize } from './authentication';
import { bufferOrStream, ChunkedBody, StreamedRepresentation, sendStreamed } from './chunked-body';
import { compileBodyEnumSpelling, compileParamsParser, compileQueryParser } from './input';
import { jsonRepresentation } from './json-representation';
import { admits } from './negotiation';
import { badRequest, HttpProblem } from './problem';
import type { ReadLimit, UncachedReadBudget } from './read-limit';
import { notInCache, onlyIfCached } from './request-cache-control';
import type { RouteDefinition } from './route';
import { sendRepresentation } from './send-representation';

/** A GET's answer: a buffered representation, or a stream for a body over the buffering limit. */
export type ReadResult = Representation | StreamedRepresentation;

/**
 * Produces a GET's representation from the database. A list-all longer than `bufferBytes` is
 * streamed from where the buffering stopped. @default bufferBytes the router's maxBufferedBytes
 */
export type Produce = (bufferBytes?: number) => Promise<ReadResult>;

/** How a GET's representation is produced; the cache layer substitutes a caching version. */
export type ReadResponder = (
  route: RouteDefinition,
  ctx: Context,
  input: { query: Record<string, unknown>; params: Record<string, unknown> },
  produce: Produce,
) => Promise<ReadResult>;

/** Above this, a streamed body is sent as it is produced instead of buffered (and not cached). */
const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Without a cache there is nothing to buffer a long list for: past this much (enough for a page's
 * ETag and 304s) it streams from the first chunk.
 */
const UNCACHED_BUFFER_BYTES = 64 * 1024;

const uncachedResponder: ReadResponder = async (route, ctx, _input, produce) => {
  // With no cache nothing is cached: a catalogue read that asks for the cache alone gets 504.
  if (route.cache && onlyIfCached(ctx)) throw notInCache();
  return produce(UNCACHED_BUFFER_BYTES);
};

const EMPTY = Type.Object({}, { additionalProperties: false });

/** Registers every route with its validation; handlers see only typed, valid input. */
export function buildRouter(
  routes: readonly RouteDefinition[],
  options: {
    respond?: ReadResponder;
    authorize?: Authorize;
    maxBufferedBytes?: number;
    /** Bounds the catalogue reads (routes with a cache spec) in flight. */
    readLimit?: ReadLimit;
    /** Charges each catalogue read that reaches the database to its client. */
    uncachedBudget?: UncachedReadBudget;
  } = {},
): Router {
  const respond = options.respond ?? uncachedResponder;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const tracer = trace.getTracer('anime-api');
  const router = new Router();
  for (const route of routes) {
    const parseQuery = compileQueryParser(route.query ?? EMPTY);
    const parseParams = compileParamsParser(route.params ?? EMPTY);
    const validateBody = route.body ? compileSchema(route.body) : undefined;
    const spellBodyEnums = route.body ? compileBodyEnumSpelling(route.body) : undefined;
    // A preference the route has no parameter for is ignored, as RFC 7240 asks, not a 400.
    const known = new Set(Object.keys(route.query?.properties ?? {}));
    const fromHeaders = route.queryFromHeaders;
    const statedQuery =
      fromHeaders &&
      ((ctx: Context) =>
        Object.fromEntries(Object.entries(fromHeaders(ctx)).filter(([name]) => known.has(name))));
    router[route.method](route.path, async (ctx) => {
      let principal: Principal | undefined;
      if (route.access) {
        if (!options.authorize) throw new Error(`${route.operationId} needs an authorizer`);
        principal = await options.authorize(ctx, route.access);
        // Per-user answers must never land in a shared cache.
        ctx.set('Cache-Control', 'private, no-store');
      }
      // false: a body that is not JSON (null, or an empty one: no body, which the schema then names).
      if (validateBody && ctx.request.length !== 0 && ctx.is('json') === false)
        throw new HttpProblem(
          415,
          `the body must be application/json, not ${ctx.get('Content-Type') || 'untyped'}`,
        );
      const stated = statedQuery?.(ctx);
      const raw = stated ? { ...stated, ...ctx.query } : ctx.query;
      // The URL alone no longer names the answer, so the hit lane must not learn it.
      if (stated && Object.keys(stated).some((name) => !(name in ctx.query)))
        ctx.state.variedByHeaders = true;
      const parsed = parseQuery(raw as Record<string, string | string[]>) as Record<string, unknown>;
      const csv = parsed.format === 'csv';
      // A response with no body satisfies any Accept (and a problem answer is problem+json).
      const bodiless = !route.response.schema;
      if (!bodiless && !admits(ctx.get('Accept'), csv ? 'text/csv' : 'application/json')) {
        const served = csv
          ? 'text/csv (format=csv)'
          : `application/json${route.response.csv ? ' or text/csv' : ''}`;
        throw new HttpProblem(
          406,
          `${route.path} is served as ${served}, which the Accept header does not admit`,
        );
      }
      const query = (route.canonicalQuery?.(parsed) ?? parsed) as Record<string, unknown>;
      const params = parseParams(ctx.params) as Record<string, unknown>;
      const body = (ctx.request as { body?: unknown }).body;
      spellBodyEnums?.(body);
      if (validateBody && !validateBody(body)) throw badRequest(formatErrors(validateBody.errors, 'body'));
      const run = () => Promise.resolve(route.handler({ query, params, body, principal }, ctx));
      if (route.method === 'get') {
        const read = async (bufferBytes = maxBufferedBytes): Promise<ReadResult> => {
          const value = await run();
          if (value instanceof ChunkedBody)
            return bufferOrStream(value, Math.min(bufferBytes, maxBufferedBytes));
          // `as never` below: the route table erases each route's body type (etag and responseHeaders
          // take `never`); the value is the one this route's own handler returned, as defineRoute typed it.
          return tracer.startActiveSpan('serialize', (span) => {
            try {
              return jsonRepresentation(value, {
                etag: route.etag?.(value as never),
                headers: route.responseHeaders?.(value as never),
              });
            } finally {
              span.end();
            }
          });
        };
        const limit = route.cache ? options.readLimit : undefined;
        const budget = route.cache ? options.uncachedBudget : undefined;
        const limited: Produce = limit ? (bytes) => limit.run(() => read(bytes)) : read;
        // Charged by the answer's size, and once per key and client in the budget's window.
        const produce: Produce = budget
          ? async (bytes) => {
              // Validated by the route's schemas, so every value is a parameter value: the cast only restores that type.
              const key = cacheSpec(route.cache!.name, { ...params, ...query } as never).key;
              const charge = await budget.spend(ctx, key);
              let result: ReadResult;
              try {
                result = await limited(bytes);
              } catch (error) {
                charge.settle(0);
                throw error;
              }
              if (result instanceof StreamedRepresentation) result.whenSent((sent) => charge.settle(sent));
              else charge.settle(result.body.length);
              return result;
            }
          : limited;
        const result = await respond(route, ctx, { query, params }, produce);
        if (result instanceof StreamedRepresentation) sendStreamed(ctx, result);
        else sendRepresentation(ctx, result);
        return;
      }
      const result = await run();
      // The erased body type again: result is what this route's handler returned.
      if (route.etag && result !== undefined) ctx.set('ETag', route.etag(result as never));
      ctx.status = route.response.status;
      if (result !== undefined) ctx.body = result;
    });
  }
  return router;
}
