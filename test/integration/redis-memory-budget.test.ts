import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { createRedisClient, redisReady } from '../../platform/adapters/redis/redis-client';
import { RATE_WINDOW_KEYS, RedisRateLimiter } from '../../platform/adapters/redis/redis-rate-limiter';
import { describeIf } from '../support/real-component';
import { RedisCluster } from '../support/redis-cluster';
import { hasRedis, RedisServer } from '../support/redis-server';

const LOCKED = 40;
const WINDOW_MS = 300_000;

/**
 * Redis at its memory limit under the eviction policy the infra deploys (volatile-lru), flooded
 * with cache entries as a client cycling keys would. Security state and generation counters must
 * come through; a window kept the old way (INCR + PEXPIRE) is the negative control.
 */
describeIf(hasRedis)('Redis memory budget: cache pressure evicts only cache entries', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await RedisServer.start(['--maxmemory', '8mb', '--maxmemory-policy', 'volatile-lru']);
    client = createRedisClient({ url: redis.url, commandTimeoutMs: 2000 }) as Redis;
    await redisReady(client);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.kill();
  });

  it('keeps every lockout and generation counter while entries are evicted', async () => {
    const limiter = new RedisRateLimiter(client);
    const store = new RedisCacheStore(client);
    const emails = Array.from({ length: LOCKED }, () => `auth:email:${randomUUID()}@example.com`);
    for (const email of emails) {
      await limiter.consume(email, 1, WINDOW_MS);
      expect((await limiter.consume(email, 1, WINDOW_MS)).allowed).toBe(false);
    }
    const oldStyle = emails.map((e) => `legacy:${e}`);
    for (const key of oldStyle) await client.multi().incr(key).pexpire(key, WINDOW_MS).exec();
    const tags = Array.from({ length: LOCKED }, (_, i) => `id:${i}`);
    await store.bump(tags);
    const generations = await store.generations(tags);

    // 4x the memory limit in 16 KiB entries, each with the entry TTL.
    const entry = Buffer.alloc(16 * 1024, 'x');
    for (let i = 0; i < 2048; i++) await store.set(`anime:list:cycled=${i}`, entry, 60_000);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await client.info('stats'))?.[1]);
    expect(evicted).toBeGreaterThan(1000);

    for (const email of emails) expect((await limiter.consume(email, 1, WINDOW_MS)).allowed).toBe(false);
    expect(await store.generations(tags)).toEqual(generations);
    // The negative control: the same windows with a TTL did not survive the same run.
    const survivors = (await client.exists(...oldStyle)) as number;
    expect(survivors).toBeLessThan(LOCKED / 2);
  });

  it('sweeps ended windows as it goes, so keys without a TTL do not pile up', async () => {
    const limiter = new RedisRateLimiter(client);
    for (let i = 0; i < 20; i++) await limiter.consume(`short:${i}`, 5, 100);
    const fields = await client.hlen(RATE_WINDOW_KEYS[0]);
    await new Promise((r) => setTimeout(r, 150));
    await limiter.consume('short:after', 5, 100);
    expect(await client.hlen(RATE_WINDOW_KEYS[0])).toBeLessThanOrEqual(fields - 19);
    expect(await client.zscore(RATE_WINDOW_KEYS[1], 'anime:ratelimit:short:0')).toBeNull();
  });
});

/** Counters idle for longer than an entry lives are deleted; counters in use stay. */
async function retiresIdleCounters(store: RedisCacheStore) {
  const idle = `idle-${randomUUID()}`;
  const busy = `busy-${randomUUID()}`;
  const [idleBefore] = await store.generations([idle]);
  await store.generations([busy]);
  // Redis counts idle time in whole seconds from its LRU clock.
  await new Promise((r) => setTimeout(r, 2600));
  const [busyBefore] = await store.generations([busy]);
  expect(await store.retireIdleGenerations(2000)).toBeGreaterThanOrEqual(1);
  expect(await store.generations([busy])).toEqual([busyBefore]);
  const [idleAfter] = await store.generations([idle]);
  // Recreated above every value it had: an entry keyed by the old one can never match.
  expect(idleAfter).toBeGreaterThan(idleBefore!);
}

describeIf(hasRedis)('retiring idle generation counters', () => {
  let redis: RedisServer;
  let cluster: RedisCluster;
  beforeAll(async () => {
    redis = await RedisServer.start(['--maxmemory-policy', 'volatile-lru']);
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(async () => {
    await redis?.kill();
    await cluster?.stop();
  });

  it('on one server', async () => {
    const store = new RedisCacheStore(createRedisClient({ url: redis.url, commandTimeoutMs: 1000 }));
    await store.ready();
    await retiresIdleCounters(store);
    await store.close();
  });

  it('on a cluster', async () => {
    const store = new RedisCacheStore(
      createRedisClient({ url: cluster.url, cluster: true, commandTimeoutMs: 1000 }),
    );
    await store.ready(10_000);
    await retiresIdleCounters(store);
    await store.close();
  });

  it('deletes nothing under an LFU policy, where Redis keeps no idle time', async () => {
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    const store = new RedisCacheStore(createRedisClient({ url: redis.url, commandTimeoutMs: 1000 }));
    await store.ready();
    await store.generations(['lfu-tag']);
    expect(await store.retireIdleGenerations(0)).toBe(0);
    redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru');
    await store.close();
  });
});
