import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { listen } from '../support/raw-http';
import { createTestApp } from '../support/test-app';

/**
 * A burst of distinct expensive reads against one instance: READ_CONCURRENCY run, READ_QUEUE wait,
 * the rest are refused at once with 503 + Retry-After, and /health is never held up by them.
 */
async function burstAgainst(
  env: Record<string, string>,
  requests: number,
  path: (i: number) => string = (i) => `/animes?limit=${i + 1}`,
) {
  const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true', ...env } });
  // Each page read waits at the gate until the test opens it: the reads are in flight at once.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let started = 0;
  const list = ctx.store.repository.list.bind(ctx.store.repository);
  ctx.store.repository.list = async (...args) => {
    started++;
    await gate;
    return list(...args);
  };
  const http: Server = await listen(ctx.server);
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const pending = Array.from({ length: requests }, (_, i) =>
      fetch(base + path(i)).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        type: res.headers.get('content-type'),
        body: await res.text(),
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await fetch(`${base}/health`);
    const readsStartedWhileHeld = started;
    open();
    return { results: await Promise.all(pending), health: health.status, readsStartedWhileHeld };
  } finally {
    await new Promise((resolve) => http.close(resolve));
    await ctx.platform.close();
  }
}

describe('the per-instance read limit', () => {
  it('runs READ_CONCURRENCY reads, queues READ_QUEUE, refuses the rest with 503 problem+json and Retry-After', async () => {
    const { results, health, readsStartedWhileHeld } = await burstAgainst(
      { READ_CONCURRENCY: '2', READ_QUEUE: '1' },
      6,
    );
    expect(readsStartedWhileHeld).toBe(2);
    expect(health).toBe(200);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 503);
    expect([ok.length, refused.length]).toEqual([3, 3]);
    for (const r of refused) {
      expect(r.retryAfter).toBe('1');
      expect(r.type).toContain('application/problem+json');
      expect(JSON.parse(r.body)).toMatchObject({ status: 503, detail: expect.stringContaining('retry') });
    }
  });

  it('negative control: with room for the whole burst, every read runs at once and none is refused', async () => {
    const { results, readsStartedWhileHeld } = await burstAgainst(
      { READ_CONCURRENCY: '6', READ_QUEUE: '0' },
      6,
    );
    expect(readsStartedWhileHeld).toBe(6);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
  });

  it('counts a herd on one key as one read', async () => {
    const { results, readsStartedWhileHeld } = await burstAgainst(
      { READ_CONCURRENCY: '1', READ_QUEUE: '0' },
      20,
      () => '/animes?type=OVA&limit=7',
    );
    expect(readsStartedWhileHeld).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});

describe('the per-client budget of uncached reads', () => {
  async function cycleKeys(env: Record<string, string>) {
    const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true', ...env }, trustedProxyHops: 1 });
    const get = (path: string, client: string) =>
      request(ctx.server).get(path).set('X-Forwarded-For', client);
    try {
      const first = await get('/animes?limit=1', '198.51.100.7');
      expect(first.headers['x-cache']).toMatch(/MISS|BYPASS/);
      const cycled = [];
      for (let i = 2; i <= 5; i++) cycled.push(await get(`/animes?limit=${i}`, '198.51.100.7'));
      return {
        cycled,
        repeat: await get('/animes?limit=1', '198.51.100.7'),
        otherClient: await get('/animes?limit=6', '198.51.100.8'),
      };
    } finally {
      await ctx.platform.close();
    }
  }

  it('refuses a client cycling keys with 429 problem+json once its misses are spent; hits and other clients go on', async () => {
    const { cycled, repeat, otherClient } = await cycleKeys({ UNCACHED_READS_PER_CLIENT: '3' });
    expect(cycled.map((r) => r.status)).toEqual([200, 200, 429, 429]);
    const refused = cycled[2]!;
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ status: 429, detail: expect.stringContaining('uncached') });
    expect(repeat.status).toBe(200);
    expect(repeat.headers['x-cache']).toBe('HIT');
    expect(otherClient.status).toBe(200);
  });

  it('negative control: with the budget off, the same cycling is answered', async () => {
    const { cycled } = await cycleKeys({ UNCACHED_READS_PER_CLIENT: '0' });
    expect(cycled.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});
