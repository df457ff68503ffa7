import type { Cluster, Redis } from 'ioredis';
import { MemoryCacheStore } from '../adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../adapters/redis/redis-cache-store';
import type { Config } from '../config';
import type { CacheStore } from '../core/ports/cache-store';

/** Redis when configured (shared by every instance), else the in-process store. */
export function openCacheStore(
  config: Pick<Config, 'CACHE_MAX_BYTES'>,
  redis: Redis | Cluster | undefined,
): CacheStore {
  return redis ? new RedisCacheStore(redis) : new MemoryCacheStore(config.CACHE_MAX_BYTES);
}
