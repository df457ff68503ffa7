import { MemoryCacheStore } from '../../api/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../../api/adapters/redis/redis-cache-store';
import { createRedisClient } from '../../api/adapters/redis/redis-client';
import { hasRedis, RedisServer } from '../support/redis-server';
import { describeCacheStoreContract } from './cache-store.contract';

describeCacheStoreContract('memory', async () => new MemoryCacheStore());

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (hasRedis) redis = await RedisServer.start();
});
afterAll(() => redis?.kill());
describeCacheStoreContract(
  'redis',
  async () => {
    const store = new RedisCacheStore(createRedisClient({ url: redis!.url, commandTimeoutMs: 1000 }));
    expect(await store.ready()).toBe(true);
    return store;
  },
  hasRedis,
);

describe('memory cache store bound', () => {
  it('evicts least recently used entries beyond its byte limit', async () => {
    const store = new MemoryCacheStore(2500);
    await store.set('a', Buffer.alloc(1000), 10_000);
    await store.set('b', Buffer.alloc(1000), 10_000);
    await store.get('a');
    await store.set('c', Buffer.alloc(1000), 10_000);
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).not.toBeNull();
    expect((await store.size()).bytes).toBeLessThanOrEqual(2500);
  });
});
