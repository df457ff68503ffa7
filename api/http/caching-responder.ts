import { trace } from '@opentelemetry/api';
import type { Context } from 'koa';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import type { SharedReads } from '../core/cache/shared-reads';
import { cacheSpec } from './cache-key';
import {
  decodeRepresentation,
  encodeRepresentation,
  ifNoneMatchHits,
  type Representation,
} from './representation';
import type { ReadResponder } from './router';

type Outcome = 'HIT' | 'MISS' | 'BYPASS';

const CACHE_STATUS: Record<Outcome, string> = {
  HIT: 'anime-api; hit',
  MISS: 'anime-api; fwd=miss; stored',
  BYPASS: 'anime-api; fwd=bypass',
};

function report(ctx: Context, outcome: Outcome, timings: Record<string, number>, expose: boolean): void {
  trace.getActiveSpan()?.setAttributes({ 'cache.outcome': outcome.toLowerCase() });
  if (!expose) return;
  ctx.set('X-Cache', outcome);
  ctx.set('Cache-Status', CACHE_STATUS[outcome]);
  ctx.set(
    'Server-Timing',
    Object.entries(timings)
      .map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`)
      .join(', '),
  );
}

/**
 * Serves cacheable GETs from the read-through cache: 304s and hits never touch the database. When
 * the cache is bypassed, concurrent requests for one key share their database read.
 */
export function cachingResponder(
  cache: ReadThroughCache,
  sharedReads: SharedReads,
  options: { exposeCacheHeaders: boolean } = { exposeCacheHeaders: true },
): ReadResponder {
  const expose = options.exposeCacheHeaders;
  const tracer = trace.getTracer('anime-api');
  return async (route, ctx, input, produce) => {
    if (!route.cache) return produce();
    return tracer.startActiveSpan('cache.lookup', { attributes: { 'cache.key': route.cache.name } }, (span) =>
      serve(route.cache!.name, ctx, input, produce).finally(() => span.end()),
    );
  };

  async function serve(
    name: string,
    ctx: Context,
    input: Parameters<ReadResponder>[2],
    produce: () => Promise<Representation>,
  ): Promise<Representation> {
    const started = performance.now();
    const timings: Record<string, number> = {};
    const spec = cacheSpec(name, { ...input.params, ...input.query } as never);
    const lookup = await cache.lookup(spec);
    if (!lookup) {
      const dbStart = performance.now();
      const representation = await sharedReads.run(spec.key, produce);
      timings.db = performance.now() - dbStart;
      report(ctx, 'BYPASS', timings, expose);
      return representation;
    }
    if (ifNoneMatchHits(ctx.get('If-None-Match'), lookup.etag)) {
      timings.cache = performance.now() - started;
      report(ctx, 'HIT', timings, expose);
      return { body: Buffer.alloc(0), contentType: 'application/json', etag: lookup.etag };
    }
    const stored = await cache.get(lookup);
    timings.cache = performance.now() - started;
    if (stored) {
      report(ctx, 'HIT', timings, expose);
      return decodeRepresentation(stored);
    }
    let dbMs = 0;
    const bytes = await cache.fill(lookup, async () => {
      const dbStart = performance.now();
      const fresh = await produce();
      dbMs = performance.now() - dbStart;
      return encodeRepresentation({ ...fresh, etag: lookup.etag } satisfies Representation);
    });
    timings.db = dbMs;
    report(ctx, stored === undefined ? 'BYPASS' : 'MISS', timings, expose);
    return decodeRepresentation(bytes);
  }
}
