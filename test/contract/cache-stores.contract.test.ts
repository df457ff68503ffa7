import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { createRedisClient } from '../../platform/adapters/redis/redis-client';
import { TwoTierCacheStore } from '../../platform/core/cache/two-tier-store';
import { describeIf } from '../support/real-component';
import { RedisCluster } from '../support/redis-cluster';
import { hasRedis, RedisServer } from '../support/redis-server';
import { describeCacheStoreContract } from './cache-store.contract';

describeCacheStoreContract('memory', async () => new MemoryCacheStore());

describeIf(hasRedis)('redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.kill());
  const open = async () => {
    const store = new RedisCacheStore(createRedisClient({ url: redis.url, commandTimeoutMs: 1000 }));
    expect(await store.ready()).toBe(true);
    return store;
  };

  describeCacheStoreContract('redis', open);
  describeCacheStoreContract(
    'memory L1 over redis',
    async () => new TwoTierCacheStore(new MemoryCacheStore(), await open()),
  );

  it('never reuses a generation after Redis loses its data', async () => {
    const store = await open();
    const tags = ['type:OVA', `never-bumped-${Math.random()}`];
    await store.bump([tags[0]!]);
    const before = await store.generations(tags);
    await store.client.flushall();
    const after = await store.generations(tags);
    expect(after[0]).toBeGreaterThan(before[0]!);
    expect(after[1]).toBeGreaterThan(before[1]!);
    await store.close();
  });
});

describeIf(hasRedis)('redis cluster (3 masters)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(() => cluster?.stop());

  describeCacheStoreContract('redis cluster', async () => {
    const store = new RedisCacheStore(
      createRedisClient({ url: cluster.url, cluster: true, commandTimeoutMs: 1000 }),
    );
    expect(await store.ready(10_000)).toBe(true);
    return store;
  });

  it('keeps every generation counter in one slot and spreads entries over the masters', async () => {
    const store = new RedisCacheStore(
      createRedisClient({ url: cluster.url, cluster: true, commandTimeoutMs: 1000 }),
    );
    await store.ready(10_000);
    // One script over many counters works only if they share a slot.
    await store.bump(['type:OVA', 'genre:action', 'year:2001', 'id:1', 'all']);
    for (let i = 0; i < 60; i++) await store.set(`anime:list:probe=${i}`, Buffer.from('x'), 10_000);
    const client = store.client as import('ioredis').Cluster;
    const perMaster = await Promise.all(client.nodes('master').map((n) => n.dbsize()));
    expect(perMaster).toHaveLength(3);
    expect(perMaster.filter((n) => n > 0)).toHaveLength(3);
    await store.close();
  });
});

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
