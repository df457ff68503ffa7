import request from 'supertest';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { coherentCache } from '../support/coherent-cache';
import { createTestApp } from '../support/test-app';

/** Equivalent queries must share one cache entry: otherwise anyone can grow the cache at will. */
describe('cache key space', () => {
  let server: ReturnType<typeof request>;
  let stop: () => Promise<void>;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const { store } = await createTestApp();
    const coherent = await coherentCache(new MemoryCacheStore(), store, {
      leaseMs: 60_000,
      checkIntervalMs: 30_000,
    });
    const app = await createTestApp({ store, cache: coherent.cache });
    server = request(app.server);
    stop = coherent.stop;
    close = () => store.close();
  });
  afterAll(async () => {
    await stop();
    await close();
  });

  const outcome = async (path: string) => {
    const res = await server.get(path).expect(200);
    return { cache: res.headers['x-cache'], body: res.body };
  };

  it('one entry for a genre in any letter case and with surrounding spaces', async () => {
    const first = await outcome('/animes/all?genre=Sci-Fi');
    expect(first.cache).toBe('MISS');
    expect(first.body.length).toBeGreaterThan(0);
    for (const spelling of ['sci-fi', 'SCI-FI', '%20Sci-fi%20', 'sci-FI,Sci-Fi']) {
      const again = await outcome(`/animes/all?genre=${spelling}`);
      expect([spelling, again.cache]).toEqual([spelling, 'HIT']);
      expect(again.body).toEqual(first.body);
    }
  });

  it('one entry for score bounds that select the same stored scores', async () => {
    const first = await outcome('/animes/all?minScore=0.0000001&maxScore=7.129');
    expect(first.cache).toBe('MISS');
    for (const bounds of ['minScore=0.0000002&maxScore=7.121', 'minScore=0.01&maxScore=7.12']) {
      const again = await outcome(`/animes/all?${bounds}`);
      expect([bounds, again.cache]).toEqual([bounds, 'HIT']);
    }
    // The result is still that of the bounds as sent: every score is on the 2-decimal scale.
    const all = (await outcome('/animes/all')).body as { score: number | null }[];
    const expected = all.filter((a) => a.score !== null && a.score >= 0.0000001 && a.score <= 7.129);
    expect(first.body).toHaveLength(expected.length);
    const exact = await outcome('/animes/all?minScore=7.13');
    expect(exact.body.every((a: { score: number }) => a.score >= 7.13)).toBe(true);
    expect(all.filter((a) => a.score !== null && a.score >= 7.13)).toHaveLength(exact.body.length);
  });

  it.each([
    ['q', '/animes?q=%00'],
    ['q', '/animes/all?q=abc%00def'],
    ['q', '/animes?q=%1F'],
    ['q', '/animes?q=%C2%85'], // U+0085, a C1 control
    ['genre', '/animes?genre=Action%00'],
  ])('refuses a control character in %s with a 400 naming it (%s)', async (name, path) => {
    const res = await server.get(path).expect(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const names = res.body['invalid-params'].map((p: { name: string }) => p.name.split('.')[0]);
    expect(names).toEqual([name]);
  });

  it('still accepts ordinary text, CJK included', async () => {
    await server.get(`/animes?q=${encodeURIComponent('進撃')}`).expect(200);
    await server.get(`/animes?q=${encodeURIComponent("O'Brien 100%")}`).expect(200);
  });
});
