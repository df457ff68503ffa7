import { trace } from '@opentelemetry/api';
import type { Context } from 'koa';
import type { ReadThroughCache } from '../core/cache/read-through-cache';
import type { SharedReads } from '../core/cache/shared-reads';
import { cacheSpec } from './cache-key';
import { StreamedRepresentation } from './json-stream';
import {
  decodeRepresentation,
  encodeRepresentation,
  ifNoneMatchHits,
  type Representation,
} from './representation';
import type { ReadResponder, ReadResult } from './router';

type Outcome = 'HIT' | 'MISS' | 'BYPASS' | 'TOO_LARGE';

const CACHE_STATUS: Record<Outcome, string> = {
  HIT: 'anime-api; hit',
  MISS: 'anime-api; fwd=miss; stored',
  BYPASS: 'anime-api; fwd=bypass',
  TOO_LARGE: 'anime-api; fwd=miss; detail=too-large',
};
const X_CACHE: Record<Outcome, string> = { HIT: 'HIT', MISS: 'MISS', BYPASS: 'BYPASS', TOO_LARGE: 'MISS' };

/** Thrown out of a fill whose answer is over the entry limit, so nothing is stored. */
class NotCacheable extends Error {
  constructor(readonly streamed: StreamedRepresentation) {
    super('the response is over the cache entry limit');
  }
}

/** Keys whose last answer was over the entry limit: they skip the fill (and its lock) next time. */
const TOO_LARGE_KEYS_KEPT = 1024;

function report(ctx: Context, outcome: Outcome, timings: Record<string, number>, expose: boolean): void {
  trace.getActiveSpan()?.setAttributes({ 'cache.outcome': outcome.toLowerCase() });
  if (!expose) return;
  ctx.set('X-Cache', X_CACHE[outcome]);
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
  const tooLarge = new Set<string>();
  const rememberTooLarge = (key: string) => {
    tooLarge.add(key);
    if (tooLarge.size > TOO_LARGE_KEYS_KEPT) tooLarge.delete(tooLarge.values().next().value!);
  };
  /** A streamed answer can be sent once: a request that shared one already sent runs its own. */
  const own = async (result: ReadResult, produce: () => Promise<ReadResult>): Promise<ReadResult> => {
    if (!(result instanceof StreamedRepresentation) || result.claim()) return result;
    const fresh = await produce();
    if (fresh instanceof StreamedRepresentation) fresh.claim();
    return fresh;
  };
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
    produce: () => Promise<ReadResult>,
  ): Promise<ReadResult> {
    const started = performance.now();
    const timings: Record<string, number> = {};
    const spec = cacheSpec(name, { ...input.params, ...input.query } as never);
    const lookup = await cache.lookup(spec);
    if (!lookup) {
      const dbStart = performance.now();
      const result = await own(await sharedReads.run(spec.key, produce), produce);
      timings.db = performance.now() - dbStart;
      report(ctx, 'BYPASS', timings, expose);
      return result;
    }
    if (ifNoneMatchHits(ctx.get('If-None-Match'), lookup.etag)) {
      timings.cache = performance.now() - started;
      report(ctx, 'HIT', timings, expose);
      return { body: Buffer.alloc(0), contentType: 'application/json', etag: lookup.etag };
    }
    if (tooLarge.has(spec.key)) {
      const dbStart = performance.now();
      const fresh = await produce();
      timings.db = performance.now() - dbStart;
      if (fresh instanceof StreamedRepresentation) return tooLargeAnswer(ctx, fresh, lookup.etag, timings);
      // It shrank below the limit: cached again from the next request on.
      tooLarge.delete(spec.key);
      report(ctx, 'BYPASS', timings, expose);
      return { ...fresh, etag: lookup.etag };
    }
    const stored = await cache.get(lookup);
    timings.cache = performance.now() - started;
    if (stored) {
      report(ctx, 'HIT', timings, expose);
      return decodeRepresentation(stored);
    }
    let dbMs = 0;
    let bytes: Buffer;
    try {
      bytes = await cache.fill(lookup, async () => {
        const dbStart = performance.now();
        const fresh = await produce();
        dbMs = performance.now() - dbStart;
        if (fresh instanceof StreamedRepresentation) throw new NotCacheable(fresh);
        return encodeRepresentation({ ...fresh, etag: lookup.etag } satisfies Representation);
      });
    } catch (error) {
      if (!(error instanceof NotCacheable)) throw error;
      rememberTooLarge(spec.key);
      timings.db = dbMs;
      const result = await own(error.streamed, produce);
      if (result instanceof StreamedRepresentation) return tooLargeAnswer(ctx, result, lookup.etag, timings);
      report(ctx, 'BYPASS', timings, expose);
      return { ...result, etag: lookup.etag };
    }
    timings.db = dbMs;
    report(ctx, stored === undefined ? 'BYPASS' : 'MISS', timings, expose);
    return decodeRepresentation(bytes);
  }

  /**
   * An answer over the entry limit: streamed, not stored, and said so. Its validator is the
   * entry's (the generations read before the query), so If-None-Match still saves the transfer.
   */
  function tooLargeAnswer(
    ctx: Context,
    streamed: StreamedRepresentation,
    etag: string,
    timings: Record<string, number>,
  ): StreamedRepresentation {
    streamed.etag = etag;
    report(ctx, 'TOO_LARGE', timings, expose);
    return streamed;
  }
}
