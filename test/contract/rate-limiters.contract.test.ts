import { randomUUID } from 'node:crypto';
import { MemoryRateLimiter } from '../../platform/adapters/memory/memory-rate-limiter';
import { createRedisClient, redisReady } from '../../platform/adapters/redis/redis-client';
import { RedisRateLimiter } from '../../platform/adapters/redis/redis-rate-limiter';
import type { RateLimiter } from '../../platform/core/ports/rate-limiter';
import { describeIf } from '../support/real-component';
import { hasRedis, RedisServer } from '../support/redis-server';

function describeRateLimiterContract(name: string, open: () => Promise<RateLimiter>) {
  describe(`rate limiter contract: ${name}`, () => {
    let limiter: RateLimiter;
    beforeAll(async () => {
      limiter = await open();
    });
    afterAll(() => limiter.close());

    it('allows `limit` calls per window, then refuses with the time left', async () => {
      const key = randomUUID();
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume(key, 3, 60_000));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(decisions[3]!.retryAfterMs).toBeGreaterThan(55_000);
      expect(decisions[3]!.retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it('charges by cost: a call may weigh more than one, and cost 0 only asks', async () => {
      const key = randomUUID();
      expect((await limiter.consume(key, 10, 60_000, 7)).allowed).toBe(true);
      expect((await limiter.consume(key, 10, 60_000, 3)).allowed).toBe(true);
      expect((await limiter.consume(key, 10, 60_000, 0)).allowed).toBe(true);
      expect((await limiter.consume(key, 10, 60_000, 1)).allowed).toBe(false);
      expect((await limiter.consume(key, 10, 60_000, 0)).allowed).toBe(false);
      // A first call heavier than the limit is refused at once.
      expect((await limiter.consume(randomUUID(), 10, 60_000, 11)).allowed).toBe(false);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      expect((await limiter.consume(a, 1, 60_000)).allowed).toBe(true);
      expect((await limiter.consume(a, 1, 60_000)).allowed).toBe(false);
      expect((await limiter.consume(b, 1, 60_000)).allowed).toBe(true);
    });

    it('opens a new window once the old one ends', async () => {
      const key = randomUUID();
      await limiter.consume(key, 1, 150);
      expect((await limiter.consume(key, 1, 150)).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 220));
      expect((await limiter.consume(key, 1, 150)).allowed).toBe(true);
    });
  });
}

describeRateLimiterContract('memory', async () => new MemoryRateLimiter());

describeIf(hasRedis)('redis rate limiter', () => {
  let redis: RedisServer;
  const clients: ReturnType<typeof createRedisClient>[] = [];
  const open = async () => {
    const client = createRedisClient({ url: redis.url, commandTimeoutMs: 1000 });
    clients.push(client);
    await redisReady(client);
    return new RedisRateLimiter(client);
  };
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.kill();
  });

  describeRateLimiterContract('redis', open);

  it('shares one window between instances', async () => {
    const [a, b] = [await open(), await open()];
    const key = randomUUID();
    expect((await a.consume(key, 2, 60_000)).allowed).toBe(true);
    expect((await b.consume(key, 2, 60_000)).allowed).toBe(true);
    expect((await a.consume(key, 2, 60_000)).allowed).toBe(false);
    expect((await b.consume(key, 2, 60_000)).allowed).toBe(false);
  });

  it('falls back to per-instance counters when Redis is gone, instead of failing or opening up', async () => {
    const limiter = await open();
    await redis.kill();
    const key = randomUUID();
    expect((await limiter.consume(key, 1, 60_000)).allowed).toBe(true);
    expect((await limiter.consume(key, 1, 60_000)).allowed).toBe(false);
    await redis.launch();
  });
});
