import request from 'supertest';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { createRedisClient, redisReady } from '../../platform/adapters/redis/redis-client';
import { cacheSpec } from '../../platform/core/cache/cache-keys';
import { CircuitBreaker } from '../../platform/core/cache/circuit-breaker';
import { CacheCoherence } from '../../platform/core/cache/coherence';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { TwoTierCacheStore } from '../../platform/core/cache/two-tier-store';
import { CatalogueWrites } from '../../platform/core/catalogue-writes';
import { coherentCache } from '../support/coherent-cache';
import { describeIf } from '../support/real-component';
import { hasRedis, RedisServer } from '../support/redis-server';
import { createTestApp, signedUpAdmin, signedUpUser } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeIf(hasRedis)('the cache across instances, over a real Redis', () => {
  let redis: RedisServer;
  const stores: RedisCacheStore[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await redis?.kill();
  });

  async function redisStore() {
    const store = new RedisCacheStore(createRedisClient({ url: redis.url, commandTimeoutMs: 200 }));
    await store.ready();
    stores.push(store);
    return store;
  }

  it('costs one database query cluster-wide for concurrent misses on one key', async () => {
    const caches = [new ReadThroughCache(await redisStore()), new ReadThroughCache(await redisStore())];
    const spec = cacheSpec('anime:list', { type: ['OVA'], probe: Math.random() });
    let queries = 0;
    const produce = async () => {
      queries++;
      await sleep(100);
      return Buffer.from('the list');
    };
    const read = async (cache: ReadThroughCache) => {
      const lookup = (await cache.lookup(spec))!;
      return (await cache.get(lookup)) ?? (await cache.fill(lookup, produce));
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => read(caches[i % 2]!)));
    expect(results.every((r) => r.toString() === 'the list')).toBe(true);
    expect(queries).toBe(1);
    const waited = (await caches[0]!.stats()).sharedFills + (await caches[1]!.stats()).sharedFills;
    expect(waited).toBe(1); // the other instance's one fill; the rest joined in-process
  });

  it('bounds the wait: a lock whose holder never fills costs only fillWaitMs', async () => {
    const store = await redisStore();
    const cache = new ReadThroughCache(store, { fillWaitMs: 300 });
    const spec = cacheSpec('anime:list', { probe: Math.random() });
    const lookup = (await cache.lookup(spec))!;
    expect(await store.tryLock(lookup.storeKey, 60_000)).not.toBeNull(); // a holder that died
    const started = Date.now();
    const value = await cache.fill(lookup, async () => Buffer.from('queried itself'));
    const waited = Date.now() - started;
    expect(value.toString()).toBe('queried itself');
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(2000);
  });

  it('serves L1 hits validated by the shared generations, and never an invalidated one', async () => {
    const tiered = new TwoTierCacheStore(new MemoryCacheStore(), await redisStore());
    const cacheA = new ReadThroughCache(tiered, { l1Hits: () => tiered.l1Hits });
    const a = await createTestApp({ cache: cacheA });
    const other = new ReadThroughCache(await redisStore());
    const writes = new CatalogueWrites(a.store.repository, other); // a write made through another instance
    const path = '/animes/all?type=TV';
    const [first] = (await request(a.server).get(path).expect(200)).body;
    await request(a.server).get(path).expect(200);
    const hitsBefore = tiered.l1Hits;
    expect((await request(a.server).get(path)).headers['x-cache']).toBe('HIT');
    expect(tiered.l1Hits).toBe(hitsBefore + 1);
    await writes.update(first.id, { ...first, title: 'changed elsewhere' });
    const after = await request(a.server).get(path).expect(200);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body[0].title).toBe('changed elsewhere');
    // Redis losing its data must not resurrect an L1 entry: generations only move forward.
    await request(a.server).get(path).expect(200);
    await stores[stores.length - 1]!.client.flushall();
    expect((await request(a.server).get(path)).headers['x-cache']).toBe('MISS');
    expect((await cacheA.stats()).l1Hits).toBe(tiered.l1Hits);
    await a.store.close();
  });

  it('keeps outage invalidations in the durable outbox; every instance replays them before reuse', async () => {
    const a = await createTestApp({});
    const outbox = a.store.outbox;
    const coherentA = await coherentCache(await redisStore(), a.store, { breaker: new CircuitBreaker(2000) });
    const coherentB = await coherentCache(await redisStore(), a.store, { breaker: new CircuitBreaker(2000) });
    const appA = await createTestApp({ store: a.store, cache: coherentA.cache });
    const appB = await createTestApp({ store: a.store, cache: coherentB.cache });
    const writes = new CatalogueWrites(a.store.repository, coherentA.cache);
    const path = '/animes/all?type=MOVIE';
    const [movie] = (await request(appA.server).get(path).expect(200)).body;
    for (const app of [appA, appB]) {
      await request(app.server).get(path).expect(200);
      expect((await request(app.server).get(path)).headers['x-cache']).toBe('HIT');
    }

    // A network blip, not a restart: Redis stops answering for a while and comes back with all its
    // data, so the pre-write entries are still there, reachable under the un-bumped generations.
    const admin = createRedisClient({ url: redis.url, commandTimeoutMs: 1000 });
    await redisReady(admin);
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const pausedUntil = Date.now() + 1500;
    for (const app of [appA, appB])
      expect((await request(app.server).get(path)).headers['x-cache']).toBe('BYPASS');
    const writeStarted = Date.now();
    await writes.update(movie.id, { ...movie, title: 'written during the outage' });
    // Nobody could apply it: the write was held for the lease (600 ms), then acknowledged.
    expect(Date.now() - writeStarted).toBeGreaterThanOrEqual(600);
    expect(await outbox.size()).toBe(1);
    expect((await coherentB.cache.stats()).pendingInvalidations).toBe(1); // shared, durable
    for (const app of [appB, appA]) {
      const res = await request(app.server).get(path).expect(200);
      expect(res.headers['x-cache']).toBe('BYPASS');
      expect(res.body[0].title).toBe('written during the outage');
    }
    await sleep(pausedUntil - Date.now() + 500);
    admin.disconnect();
    for (let i = 0; i < 3; i++) {
      for (const app of [appB, appA]) {
        const res = await request(app.server).get(path).expect(200);
        expect(res.body[0].title).toBe('written during the outage');
      }
    }
    expect((await request(appA.server).get(path)).headers['x-cache']).toBe('HIT');
    expect(await outbox.size()).toBe(0);
    await coherentA.stop();
    await coherentB.stop();
    await a.store.close();
  });

  it('lets the check of an instance that saw no outage apply what a crashed writer left', async () => {
    const { store } = await createTestApp({});
    const redisStoreFor = await redisStore();
    const coherence = new CacheCoherence((tags) => redisStoreFor.bump(tags), store.outbox, store.repository);
    await store.outbox.append(['type:OVA', 'all']);
    const [before] = await redisStoreFor.generations(['type:OVA']);
    expect(coherence.usable()).toBe(false);
    expect(await coherence.check()).toBe(true);
    expect(coherence.usable()).toBe(true);
    expect(await store.outbox.size()).toBe(0);
    const [after] = await redisStoreFor.generations(['type:OVA']);
    expect(after).toBe(before! + 1);
    await store.close();
  });
});

describe('cache admin endpoints', () => {
  it('are admin-only; stats count, purge empties every entry at once', async () => {
    const ctx = await createTestApp({ cache: new ReadThroughCache(new MemoryCacheStore()) });
    const admin = await signedUpAdmin(ctx.server);
    const user = await signedUpUser(ctx.server, 'user@example.test');
    await request(ctx.server).get('/admin/cache/stats').expect(401);
    await request(ctx.server).get('/admin/cache/stats').set(user).expect(403);
    await request(ctx.server).post('/admin/cache/purge').set(user).expect(403);

    await request(ctx.server).get('/animes/all').expect(200);
    await request(ctx.server).get('/animes/all').expect(200);
    const stats = (await request(ctx.server).get('/admin/cache/stats').set(admin).expect(200)).body;
    expect(stats).toMatchObject({
      hits: 1,
      misses: 1,
      hitRatio: 0.5,
      breaker: 'closed',
      pendingInvalidations: 0,
    });
    expect(stats.entries).toBeGreaterThanOrEqual(1);
    expect(stats.bytes).toBeGreaterThan(1000);

    await request(ctx.server).post('/admin/cache/purge').set(admin).expect(204);
    expect((await request(ctx.server).get('/animes/all')).headers['x-cache']).toBe('MISS');
    const after = (await request(ctx.server).get('/admin/cache/stats').set(admin)).body;
    expect(after.invalidations.epoch).toBe(1);
    await ctx.store.close();
  });
});
