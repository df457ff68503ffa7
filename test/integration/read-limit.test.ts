import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
