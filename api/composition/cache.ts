import { MemoryCacheStore } from '../adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../adapters/redis/redis-cache-store';
import type { Config } from '../config';
import type { CacheStore } from '../core/ports/cache-store';

/** Redis when REDIS_URL is set (shared by every instance), else the in-process store. */
export async function openCacheStore(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER' | 'REDIS_TIMEOUT_MS' | 'CACHE_MAX_BYTES'>,
): Promise<CacheStore> {
  if (config.REDIS_URL) {
    const store = new RedisCacheStore({
      url: config.REDIS_URL,
      cluster: config.REDIS_CLUSTER,
      commandTimeoutMs: config.REDIS_TIMEOUT_MS,
    });
    // Start even when Redis is down: the breaker bypasses the cache until it answers.
    await store.ready();
    return store;
  }
  return new MemoryCacheStore(config.CACHE_MAX_BYTES);
}
