import request from 'supertest';
import { describeIf } from '../support/real-component';
import { hasRedis, RedisServer } from '../support/redis-server';
import { createTestApp, signedUpAdmin } from '../support/test-app';

/**
 * Issue 31: no request makes the instance slow for others, and honest heavy readers are not
 * refused. Each protection with a negative control; the attack figures are in `npm run bench:abuse`.
 */
type App = Awaited<ReturnType<typeof createTestApp>>;
async function withClientApp<T>(
  env: Record<string, string>,
  use: (ctx: App, get: (path: string, client?: string) => request.Test) => Promise<T>,
) {
  const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true', ...env }, trustedProxyHops: 1 });
  const get = (path: string, client = '198.51.100.7') =>
    request(ctx.server).get(path).set('X-Forwarded-For', client);
  try {
    return await use(ctx, get);
  } finally {
    await ctx.platform.close();
  }
}

describe('the uncached-read budget charges by cost, and distinct keys only', () => {
  it('a large list-all costs its size in units; pages cost one each', async () => {
    await withClientApp(
      { UNCACHED_READS_PER_CLIENT: '20', UNCACHED_READ_UNIT_BYTES: '1024' },
      async (_ctx, get) => {
        const all = await get('/animes/all').expect(200);
        expect(all.text.length).toBeGreaterThan(20 * 1024); // more than the whole budget
        // The list-all was answered (it is done), but it spent the window: the next distinct read waits.
        const next = await get('/animes?limit=2');
        expect(next.status).toBe(429);
        expect(next.body.detail).toContain('counted by size');
        // Another client is untouched.
        await get('/animes?limit=2', '198.51.100.8').expect(200);
      },
    );
  });

  it('negative control: twenty distinct small reads fit the same budget of twenty units', async () => {
    await withClientApp(
      { UNCACHED_READS_PER_CLIENT: '20', UNCACHED_READ_UNIT_BYTES: '1024' },
      async (_ctx, get) => {
        const statuses = [];
        for (let i = 1; i <= 20; i++) statuses.push((await get(`/animes/${i}`)).status);
        expect(statuses).toEqual(Array(20).fill(200));
        expect((await get('/animes/21')).status).toBe(429);
      },
    );
  });

  it('a client re-reading keys an admin keeps writing is charged once per key, not once per miss', async () => {
    await withClientApp({ UNCACHED_READS_PER_CLIENT: '5' }, async (ctx, get) => {
      const admin = await signedUpAdmin(ctx.server);
      const statuses: number[] = [];
      for (let round = 0; round < 20; round++) {
        // Every write moves the generations of the lists it touches: each read below is a miss.
        await request(ctx.server)
          .patch('/animes/4')
          .set(admin)
          .send({ episodes: round + 1 })
          .expect(200);
        for (const path of ['/animes/4', '/animes?limit=5', '/animes?type=TV&limit=5'])
          statuses.push((await get(path)).status);
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      // Negative control: distinct keys are still counted (3 spent; 2 more, then refused).
      const distinct = [];
      for (let i = 0; i < 3; i++) distinct.push((await get(`/animes?limit=${10 + i}`)).status);
      expect(distinct).toEqual([200, 200, 429]);
    });
  });
});

describe('a refused read buys nothing: its key is charged when it is next allowed', () => {
  it('a key refused by the spent budget is refused again on repeat, not served free', async () => {
    await withClientApp({ UNCACHED_READS_PER_CLIENT: '2' }, async (_ctx, get) => {
      await get('/animes/1').expect(200);
      await get('/animes/2').expect(200);
      // Spent: the third key is refused, and so is every repeat of it in the window.
      const repeats = [];
      for (let i = 0; i < 5; i++) repeats.push((await get('/animes?limit=3')).status);
      expect(repeats).toEqual([429, 429, 429, 429, 429]);
      // Negative control: the keys that were charged stay free to repeat.
      await get('/animes/1').expect(200);
    });
  });

  it('parallel asks of one key by one client share its charge instead of filling the running cap', async () => {
    await withClientApp({ UNCACHED_READS_PER_CLIENT: '3' }, async (_ctx, get) => {
      const statuses = (await Promise.all(Array.from({ length: 6 }, () => get('/animes?limit=7')))).map(
        (response) => response.status,
      );
      expect(statuses).toEqual(Array(6).fill(200));
      // One unit was charged for the six: two distinct keys still fit, the third does not.
      expect((await get('/animes?limit=8')).status).toBe(200);
      expect((await get('/animes?limit=9')).status).toBe(200);
      expect((await get('/animes?limit=10')).status).toBe(429);
    });
  });
});

describe('admission: a large one-off answer is streamed, not stored; a repeat is stored', () => {
  it('the first ask is not admitted, the second is stored, the third is a hit', async () => {
    await withClientApp({ CACHE_ADMIT_AFTER_BYTES: '4096' }, async (_ctx, get) => {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await get('/animes/all?sort=-year').expect(200)).headers['cache-status']);
      expect(statuses).toEqual([
        'anime-api; fwd=miss; detail=not-admitted',
        'anime-api; fwd=miss; stored',
        'anime-api; hit',
      ]);
      // Small answers are stored at once, as before.
      expect((await get('/animes?limit=1').expect(200)).headers['cache-status']).toBe(
        'anime-api; fwd=miss; stored',
      );
    });
  });

  it('negative control: without admission the first ask is stored', async () => {
    await withClientApp({ CACHE_ADMIT_AFTER_BYTES: '0' }, async (_ctx, get) => {
      expect((await get('/animes/all?sort=-year').expect(200)).headers['cache-status']).toBe(
        'anime-api; fwd=miss; stored',
      );
    });
  });
});

describeIf(hasRedis)('through a Redis outage', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis?.kill());

  it('a client reading 5 URLs in a loop is never refused; one cycling keys still is', async () => {
    await withClientApp({ REDIS_URL: redis.url, UNCACHED_READS_PER_CLIENT: '10' }, async (_ctx, get) => {
      const urls = ['/animes?limit=3', '/animes/1', '/animes/2', '/genres', '/animes?type=OVA&limit=3'];
      for (const url of urls) await get(url).expect(200);
      await redis.kill();
      const statuses: number[] = [];
      for (let round = 0; round < 30; round++) for (const url of urls) statuses.push((await get(url)).status);
      expect(statuses.filter((s) => s === 429)).toEqual([]);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const cycling = [];
      for (let i = 0; i < 12; i++) cycling.push((await get(`/animes?limit=${20 + i}`)).status);
      expect(cycling).toContain(429);
    });
    await redis.launch();
  }, 60_000);
});
