import type { CacheSpec } from '../../platform/core/cache/cache-keys';
import type { CacheLookup, ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { decodeRepresentation, type Representation } from '../../platform/core/cache/stored-representation';
import { ifNoneMatchHits } from './entity-tags';

/** Entries (key and generations) whose last answer was over the entry limit: they are streamed. */
export class TooLargeKeys extends Set<string> {
  constructor(private readonly kept = 1024) {
    super();
  }

  remember(key: string): void {
    this.add(key);
    if (this.size > this.kept) this.delete(this.values().next().value!);
  }
}

/**
 * What the cache says of one read, decided once wherever the request is answered (the hit lane
 * before Koa, or the caching responder inside it), so both answer a request the same way:
 * - `bypass`: the cache may not be used now (coherence, breaker); read the database;
 * - `answer`: a hit, or a 304 from the entry's tag alone: no database, nothing more to look up;
 * - `too-large`: this entry was over the limit under these generations: stream it from the database;
 * - `fill`: not stored yet: read the database under the fill lock and store it. `storeDown`: the
 *   store failed to answer, so the read is reported as a bypass.
 */
export type CachedRead =
  | { readonly kind: 'bypass' }
  | {
      readonly kind: 'answer';
      readonly lookup: CacheLookup;
      readonly representation: Representation;
      readonly notModified: boolean;
    }
  | { readonly kind: 'too-large'; readonly lookup: CacheLookup }
  | { readonly kind: 'fill'; readonly lookup: CacheLookup; readonly storeDown: boolean };

export interface CachedReadRequest {
  readonly ifNoneMatch?: string;
  /** The route's answer carries its own validator (a record's version): a 304 needs the entry. */
  readonly ownEtag: boolean;
}

const BYPASS: CachedRead = { kind: 'bypass' };
const EMPTY = Buffer.alloc(0);

export async function decideCachedRead(
  cache: ReadThroughCache,
  tooLarge: ReadonlySet<string>,
  spec: CacheSpec,
  request: CachedReadRequest,
): Promise<CachedRead> {
  const lookup = await cache.lookup(spec);
  if (!lookup) return BYPASS;
  // The entry's tag answers If-None-Match without reading it, unless the route has its own.
  if (!request.ownEtag && ifNoneMatchHits(request.ifNoneMatch, lookup.etag)) {
    const representation = { body: EMPTY, contentType: 'application/json', etag: lookup.etag };
    return { kind: 'answer', lookup, representation, notModified: true };
  }
  if (tooLarge.has(lookup.storeKey)) return { kind: 'too-large', lookup };
  const stored = await cache.get(lookup);
  if (stored)
    return { kind: 'answer', lookup, representation: decodeRepresentation(stored), notModified: false };
  return { kind: 'fill', lookup, storeDown: stored === undefined };
}
