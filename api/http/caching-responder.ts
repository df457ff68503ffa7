import { trace } from '@opentelemetry/api';
import type { Context } from 'koa';
import { cacheSpec } from '../../platform/core/cache/cache-keys';
import type { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import type { SharedReads } from '../../platform/core/cache/shared-reads';
import {
  decodeRepresentation,
  encodeRepresentation,
  type Representation,
} from '../../platform/core/cache/stored-representation';
import { type CacheOutcome, type CacheReport, cacheReportHeaders } from './cache-report';
import { decideCachedRead, TooLargeKeys } from './cached-read';
import { StreamedRepresentation } from './chunked-body';
import { withCodings } from './compression';
import type { Handoff, HitLane } from './hit-lane';
import type { RecentKeys } from './read-limit';
import { notInCache, onlyIfCached } from './request-cache-control';
import type { RouteDefinition } from './route';
import type { Produce, ReadResponder, ReadResult } from './router';

/** Thrown out of a fill whose answer is not stored: over the entry limit, or not admitted yet. */
class NotCacheable extends Error {
  constructor(
    readonly streamed: StreamedRepresentation,
    readonly admitted: boolean,
  ) {
    super(admitted ? 'the response is over the cache entry limit' : 'a large one-off is not stored');
  }
}

/**
 * Admission, not only eviction (TinyLFU's doorkeeper): an answer over `bytes` is stored only when
 * its key was asked for before within the window. A one-off large variant is streamed from the
 * database, compressed on the fly, and never enters the cache, so cycling variants cannot fill it.
 */
export interface Admission {
  readonly bytes: number;
  readonly recent: RecentKeys;
}

/**
 * Serves cacheable GETs from the read-through cache: 304s and hits never touch the database. When
 * the cache is bypassed, concurrent requests for one key share their database read.
 */
export function cachingResponder(
  cache: ReadThroughCache,
  sharedReads: SharedReads,
  options: {
    report: CacheReport;
    /** Shared with the hit lane. @default its own */
    tooLarge?: TooLargeKeys;
    /** Learns the URLs of public reads, and hands on what it looked up. @default none */
    lane?: HitLane;
    /** @default every answer up to the entry limit is stored */
    admission?: Admission;
  } = { report: { expose: true } },
): ReadResponder {
  const { report: reporting, lane, admission } = options;
  const report = (ctx: Context, outcome: CacheOutcome, timings: Record<string, number>) =>
    ctx.set(cacheReportHeaders(reporting, outcome, timings));
  const tracer = trace.getTracer('anime-api');
  const tooLarge = options.tooLarge ?? new TooLargeKeys();
  /** A streamed answer can be sent once: a request that shared one already sent runs its own. */
  const own = async (result: ReadResult, produce: Produce): Promise<ReadResult> => {
    if (!(result instanceof StreamedRepresentation) || result.claim()) return result;
    const fresh = await produce();
    if (fresh instanceof StreamedRepresentation) fresh.claim();
    return fresh;
  };
  return async (route, ctx, input, produce) => {
    if (!route.cache) return produce();
    const handoff = lane?.takeHandoff(ctx.req);
    return tracer.startActiveSpan('cache.lookup', { attributes: { 'cache.key': route.cache.name } }, (span) =>
      serve(route, ctx, input, produce, handoff).finally(() => span.end()),
    );
  };

  async function serve(
    route: RouteDefinition,
    ctx: Context,
    input: Parameters<ReadResponder>[2],
    produce: Produce,
    handoff: Handoff | undefined,
  ): Promise<ReadResult> {
    const started = performance.now();
    const timings: Record<string, number> = {};
    // Validated by the route's schemas, so every value is a parameter value: the cast restores that type.
    const spec = handoff?.spec ?? cacheSpec(route.cache!.name, { ...input.params, ...input.query } as never);
    const ownEtag = Boolean(route.etag);
    if (lane && !route.access && !ctx.state.variedByHeaders)
      lane.remember(ctx.url, route.path, spec, ownEtag);
    const read =
      handoff?.read ??
      (await decideCachedRead(cache, tooLarge, spec, { ifNoneMatch: ctx.get('If-None-Match'), ownEtag }));
    timings.cache = performance.now() - started;
    if (read.kind === 'answer') {
      report(ctx, 'HIT', timings);
      return read.representation;
    }
    // Refused before any read is shared or any fill is locked, so nobody else waits on a 504.
    if (onlyIfCached(ctx)) throw notInCache();
    if (read.kind === 'bypass') {
      const dbStart = performance.now();
      const result = await own(await sharedReads.run(spec.key, produce), produce);
      timings.db = performance.now() - dbStart;
      report(ctx, 'BYPASS', timings);
      return result;
    }
    const { lookup } = read;
    // A route with a validator of its own (a record's version) keeps it; others take the entry's.
    const validated = <T extends { etag: string }>(r: T): T => (ownEtag ? r : { ...r, etag: lookup.etag });
    if (read.kind === 'too-large') {
      // Known too large under these generations: streamed from the first chunk, nothing buffered.
      // A write moves the generations, and the next request measures the list again.
      const dbStart = performance.now();
      const fresh = await produce(0);
      timings.db = performance.now() - dbStart;
      if (fresh instanceof StreamedRepresentation) return tooLargeAnswer(ctx, fresh, lookup.etag, timings);
      report(ctx, 'BYPASS', timings);
      return validated(fresh);
    }
    let dbMs = 0;
    let bytes: Buffer;
    // The first miss of a key in the window may buffer only up to the admission size.
    const admitted = !admission || admission.recent.seen(spec.key);
    try {
      bytes = await cache.fill(lookup, async () => {
        const dbStart = performance.now();
        const fresh = await produce(admitted ? undefined : admission!.bytes);
        dbMs = performance.now() - dbStart;
        if (fresh instanceof StreamedRepresentation) throw new NotCacheable(fresh, admitted);
        return encodeRepresentation(await withCodings(validated(fresh) satisfies Representation));
      });
    } catch (error) {
      if (!(error instanceof NotCacheable)) throw error;
      if (error.admitted) tooLarge.remember(lookup.storeKey);
      timings.db = dbMs;
      const result = await own(error.streamed, produce);
      if (result instanceof StreamedRepresentation)
        return tooLargeAnswer(
          ctx,
          result,
          lookup.etag,
          timings,
          error.admitted ? 'TOO_LARGE' : 'NOT_ADMITTED',
        );
      report(ctx, 'BYPASS', timings);
      return validated(result);
    }
    timings.db = dbMs;
    report(ctx, read.storeDown ? 'BYPASS' : 'MISS', timings);
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
    outcome: 'TOO_LARGE' | 'NOT_ADMITTED' = 'TOO_LARGE',
  ): StreamedRepresentation {
    streamed.etag = etag;
    report(ctx, outcome, timings);
    return streamed;
  }
}
