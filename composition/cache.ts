import type { Cluster, Redis } from 'ioredis';
import { MemoryCacheStore } from '../platform/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../platform/adapters/redis/redis-cache-store';
import type { Config } from '../platform/config';
import type { CacheObserver } from '../platform/core/cache/cache-observer';
import { CacheCoherence, type ChangeMarker } from '../platform/core/cache/coherence';
import { ReadThroughCache } from '../platform/core/cache/read-through-cache';
import { TwoTierCacheStore } from '../platform/core/cache/two-tier-store';
import type { CacheStore } from '../platform/core/ports/cache-store';
import type { InvalidationOutbox } from '../platform/core/ports/invalidation-outbox';

type CacheConfig = Pick<
  Config,
  | 'CACHE_MAX_BYTES'
  | 'CACHE_L1_MAX_BYTES'
  | 'CACHE_TTL_SECONDS'
  | 'CACHE_FILL_WAIT_MS'
  | 'CACHE_LEASE_MS'
  | 'CACHE_CHECK_INTERVAL_MS'
>;

const RETIRE_EVERY_MS = 5 * 60_000;

/** The Redis connections of the cache: reads on a short budget, invalidations on their own. */
export interface CacheRedis {
  readonly reads: Redis | Cluster;
  readonly writes: Redis | Cluster;
}

/**
 * Redis when configured (shared by every instance, with an in-process L1 unless it is sized 0),
 * else the in-process store alone. Either way writes go through the outbox and the coherence
 * checks; call `coherence.start()` before serving.
 */
export function openResponseCache(
  config: CacheConfig,
  redis: CacheRedis | undefined,
  outbox: InvalidationOutbox,
  marker: ChangeMarker,
  observer?: CacheObserver,
): { cache: ReadThroughCache; store: CacheStore; coherence: CacheCoherence } {
  let store: CacheStore;
  if (redis) {
    const shared = new RedisCacheStore(redis.reads, redis.writes);
    // A counter idle for longer than an entry lives has no entry left to protect.
    shared.retireIdleGenerationsEvery(RETIRE_EVERY_MS, config.CACHE_TTL_SECONDS * 1000 + 60_000);
    store = shared;
  } else store = new MemoryCacheStore(config.CACHE_MAX_BYTES);
  let l1Hits: (() => number) | undefined;
  if (redis && config.CACHE_L1_MAX_BYTES > 0) {
    const tiered = new TwoTierCacheStore(new MemoryCacheStore(config.CACHE_L1_MAX_BYTES), store);
    l1Hits = () => tiered.l1Hits;
    store = tiered;
  }
  const coherence = new CacheCoherence((tags) => store.bump(tags), outbox, marker, {
    leaseMs: config.CACHE_LEASE_MS,
    checkIntervalMs: config.CACHE_CHECK_INTERVAL_MS,
  });
  const cache = new ReadThroughCache(store, {
    ttlMs: config.CACHE_TTL_SECONDS * 1000,
    fillWaitMs: config.CACHE_FILL_WAIT_MS,
    coherence,
    l1Hits,
    observer,
  });
  return { cache, store, coherence };
}
