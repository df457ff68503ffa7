import request from 'supertest';
import type { CatalogueStore, SqliteCatalogueStore } from '../../composition/catalogue-store';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { createRedisClient } from '../../platform/adapters/redis/redis-client';
import { CircuitBreaker } from '../../platform/core/cache/circuit-breaker';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { CatalogueWrites } from '../../platform/core/catalogue-writes';
import type { CacheStore } from '../../platform/core/ports/cache-store';
import { coherentCache } from '../support/coherent-cache';
import { animeRecord, fixtureRecords, loadRecords } from '../support/fixtures';
import { listAll } from '../support/list-all';
import { describeIf } from '../support/real-component';
import { hasRedis, RedisServer } from '../support/redis-server';
import { createTestApp } from '../support/test-app';

async function stack(cacheStore: CacheStore, breaker?: CircuitBreaker, shared?: CatalogueStore) {
  const store = shared ?? (await createTestApp()).store;
  const { cache, coherence } = await coherentCache(cacheStore, store, { breaker });
  const { server } = await createTestApp({ store, cache });
  const writes = new CatalogueWrites(store.repository, cache);
  return {
    store,
    cache,
    coherence,
    writes,
    server,
    db: (store as SqliteCatalogueStore).connection,
  };
}

describe('response cache over the in-process store', () => {
  let s: Awaited<ReturnType<typeof stack>>;
  beforeAll(async () => {
    s = await stack(new MemoryCacheStore());
  });
  afterAll(async () => {
    await s.coherence.stop();
    await s.store.close();
  });

  it('misses, then hits without the database, with cache headers', async () => {
    const first = await request(s.server).get('/animes?type=OVA&limit=5').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.headers['cache-status']).toContain('fwd=miss');
    expect(first.headers['server-timing']).toMatch(/cache;dur=[\d.]+, db;dur=[\d.]+/);
    s.db.prepare('SELECT 1').get();
    const second = await request(s.server).get('/animes?limit=5&type=ova').expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(second.headers.link).toBe(first.headers.link);
    expect(second.headers.etag).toBe(first.headers.etag);
    const revalidated = await request(s.server)
      .get('/animes?type=OVA&limit=5')
      .set('If-None-Match', first.headers.etag!);
    expect(revalidated.status).toBe(304);
  });

  it('invalidates on create, update (old and new tags) and delete, for every tag kind', async () => {
    const read = async (path: string) => (await request(s.server).get(path).expect(200)).body;
    const ids = (list: { id: number }[]) => list.map((a) => a.id);
    const paths = [
      '/animes/all?type=OVA',
      '/animes/all?type=TV',
      '/animes/all?genre=Drama',
      '/animes/all?year=1995',
      '/genres',
      '/stats',
    ];
    for (const path of paths) await read(path);
    const created = await s.writes.create(
      animeRecord({
        source: 'api',
        sourceId: 'cache-1',
        title: 'Cache Test',
        type: 'OVA',
        year: 1995,
        score: 5,
        episodes: 1,
        genres: ['Drama'],
      }),
    );
    expect(ids(await read('/animes/all?type=OVA'))).toContain(created.id);
    expect(ids(await read('/animes/all?genre=drama'))).toContain(created.id);
    expect(ids(await read('/animes/all?year=1995'))).toContain(created.id);
    expect((await read(`/animes/${created.id}`)).title).toBe('Cache Test');
    const stats = await read('/stats');

    await s.writes.update(created.id, { ...created, type: 'TV', year: 1996, genres: ['Comedy'] });
    expect(ids(await read('/animes/all?type=OVA'))).not.toContain(created.id);
    expect(ids(await read('/animes/all?type=TV'))).toContain(created.id);
    expect(ids(await read('/animes/all?genre=Drama'))).not.toContain(created.id);
    expect(ids(await read('/animes/all?year=1995'))).not.toContain(created.id);
    expect((await read(`/animes/${created.id}`)).type).toBe('TV');

    await s.writes.remove(created.id);
    expect(ids(await read('/animes/all?type=TV'))).not.toContain(created.id);
    await request(s.server).get(`/animes/${created.id}`).expect(404);
    expect((await read('/stats')).total).toBe(stats.total - 1);
  });

  it('keeps unrelated entries cached: a TV write leaves OVA lists alone', async () => {
    await request(s.server).get('/animes/all?type=MUSIC').expect(200);
    const [tv] = (await request(s.server).get('/animes/all?type=TV').expect(200)).body;
    await s.writes.update(tv.id, { ...tv, title: `${tv.title}!` });
    expect((await request(s.server).get('/animes/all?type=MUSIC')).headers['x-cache']).toBe('HIT');
    expect((await request(s.server).get('/animes/all?type=TV')).headers['x-cache']).toBe('MISS');
  });

  it('never serves pre-write data after a fill that raced a write (race injection)', async () => {
    const path = '/animes/all?type=SPECIAL';
    const [victim] = (await request(s.server).get(path).expect(200)).body;
    await s.writes.update(victim.id, { ...victim, title: 'before' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reachedStore!: () => void;
    const atStore = new Promise<void>((resolve) => {
      reachedStore = resolve;
    });
    s.cache.beforeStore = async () => {
      s.cache.beforeStore = undefined;
      reachedStore();
      await held; // the fill has read 'before' from the database and now waits to store it
    };
    const slowRead = request(s.server).get(path);
    const slow = new Promise<request.Response>((resolve, reject) => slowRead.then(resolve, reject));
    await atStore;
    await s.writes.update(victim.id, { ...victim, title: 'after' }); // acknowledged
    release();
    expect((await slow).body.find((a: { id: number }) => a.id === victim.id).title).toBe('before');
    for (let i = 0; i < 5; i++) {
      const later = await request(s.server).get(path).expect(200);
      expect(later.body.find((a: { id: number }) => a.id === victim.id).title).toBe('after');
    }
  });

  it('invalidates outside writes (direct SQL, ETL loads) at the next coherence check', async () => {
    const path = '/animes/all?type=MOVIE';
    const [movie] = (await request(s.server).get(path).expect(200)).body;
    await s.writes.update(movie.id, { ...movie, episodes: 2 });
    const marker = await s.store.repository.changeMarker();
    expect(marker.accounted).toBe(marker.version); // API writes invalidate precisely: no flush needed
    await request(s.server).get(path).expect(200); // warm the entry again
    s.db.prepare('UPDATE animes SET title = ? WHERE id = ?').run('Changed by SQL', movie.id);
    await s.coherence.check(); // what the timer runs every 50 ms, run now instead of waiting for it
    expect((await request(s.server).get(path)).body[0].title).toBe('Changed by SQL');
    await loadRecords(s.store.loader, [{ ...fixtureRecords()[0]!, title: 'Changed by ETL' }]);
    await s.coherence.check();
    expect((await request(s.server).get('/animes/all?q=Changed%20by%20ETL')).body).toHaveLength(1);
    expect((await request(s.server).get('/animes/1')).body.title).toBe('Changed by ETL');
  });
});

describe('while the cache is bypassed', () => {
  it('a herd shares one database read per key, and a request after a write never joins an older one', async () => {
    const breaker = new CircuitBreaker(60_000, 1);
    const cache = new ReadThroughCache(new MemoryCacheStore(), { breaker });
    const base = await createTestApp({ cache });
    // The real SQLite repository, with its list-all reads held until the test lets them go.
    const held: (() => void)[] = [];
    let listAllCalls = 0;
    const repository = Object.create(base.store.repository) as typeof base.store.repository;
    repository.streamAllJson = async function* (...args) {
      listAllCalls++;
      await new Promise<void>((resolve) => held.push(resolve));
      yield* base.store.repository.streamAllJson(...args);
    };
    const { server } = await createTestApp({ cache, store: { ...base.store, repository } });
    const writes = new CatalogueWrites(base.store.repository, cache);
    breaker.failed();
    const path = '/animes/all?type=OVA';
    const settled = async () => {
      for (let i = 0; i < 20 && held.length < listAllCalls; i++) await new Promise((r) => setTimeout(r, 5));
    };

    const herd = Array.from({ length: 20 }, () => request(server).get(path));
    const responses = herd.map((r) => r.then((res) => res));
    await new Promise((r) => setTimeout(r, 100));
    await settled();
    expect(listAllCalls).toBe(1);

    const [target] = await listAll(
      base.store.repository,
      { type: ['OVA'] },
      { field: 'id', descending: false },
    );
    await writes.update(target!.id, { ...target!, title: 'written while bypassed' });
    const late = request(server)
      .get(path)
      .then((res) => res);
    await new Promise((r) => setTimeout(r, 100));
    await settled();
    expect(listAllCalls).toBe(2);
    for (const release of held.splice(0)) release();

    const bodies = (await Promise.all(responses)).map((res) => {
      expect(res.headers['x-cache']).toBe('BYPASS');
      return JSON.stringify(res.body);
    });
    expect(new Set(bodies).size).toBe(1);
    expect((await late).body.find((a: { id: number }) => a.id === target!.id).title).toBe(
      'written while bypassed',
    );
    await base.store.close();
  });
});

describeIf(hasRedis)('response cache over a real Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.kill());

  async function redisStack(shared?: CatalogueStore) {
    const store = new RedisCacheStore(createRedisClient({ url: redis.url, commandTimeoutMs: 50 }));
    await store.ready();
    return { ...(await stack(store, new CircuitBreaker(200), shared)), redisStore: store };
  }

  it('keeps two API instances coherent: no read started after an acknowledged write is stale', async () => {
    const a = await redisStack();
    const b = await redisStack(a.store); // both instances share Redis and one database
    const writes = new CatalogueWrites(a.store.repository, a.cache);
    const bOverA = b.server;
    const path = '/animes/all?type=ONA';
    const [target] = (await request(a.server).get(path).expect(200)).body;
    let acknowledged = 0;
    let stale = 0;
    let reads = 0;
    const deadline = Date.now() + 2500;
    const reader = async (server: typeof a.server) => {
      while (Date.now() < deadline) {
        const floor = acknowledged;
        const res = await request(server).get(path).expect(200);
        reads++;
        const seen = Number(res.body.find((x: { id: number }) => x.id === target.id)?.episodes ?? -1);
        if (seen < floor) stale++;
      }
    };
    const writer = async () => {
      for (let n = 1; Date.now() < deadline; n++) {
        await writes.update(target.id, { ...target, episodes: n });
        acknowledged = n;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([reader(a.server), reader(bOverA), reader(a.server), writer()]);
    console.log(`coherence: ${reads} reads, ${acknowledged} writes, ${stale} stale`);
    expect(reads).toBeGreaterThan(50);
    expect(acknowledged).toBeGreaterThan(10);
    expect(stale).toBe(0);
    for (const s of [a, b]) {
      await s.coherence.stop();
      await s.redisStore.close();
    }
    await a.store.close();
  });

  it('survives Redis being killed mid-traffic: no 5xx, writes held then replayed, nothing stale after', async () => {
    const s = await redisStack();
    const path = '/animes/all?type=OVA';
    const [target] = (await request(s.server).get(path).expect(200)).body;
    expect((await request(s.server).get(path)).headers['x-cache']).toBe('HIT');
    await redis.kill();
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) statuses.add((await request(s.server).get(path)).status);
    const bypass = await request(s.server).get(path);
    expect(bypass.headers['x-cache']).toBe('BYPASS');
    await s.writes.update(target.id, { ...target, title: 'written during outage' });
    expect((await s.cache.stats()).pendingInvalidations).toBeGreaterThan(0);
    expect((await s.cache.stats()).coherence?.settled['lease-expired']).toBe(1);
    expect((await request(s.server).get(path)).body[0].title).toBe('written during outage');
    await redis.launch();
    await s.redisStore.ready();
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) {
      const res = await request(s.server).get(path);
      statuses.add(res.status);
      expect(res.body[0].title).toBe('written during outage');
    }
    expect([...statuses]).toEqual([200]);
    expect((await s.cache.stats()).pendingInvalidations).toBe(0);
    expect((await request(s.server).get(path)).headers['x-cache']).toBe('HIT');
    await s.coherence.stop();
    await s.redisStore.close();
    await s.store.close();
  });
});
