import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { MemoryCacheStore } from '../../platform/adapters/memory/memory-cache-store';
import { cacheHeadersExposed, loadConfig } from '../../platform/config';
import { coherentCache } from '../support/coherent-cache';
import { createTestApp } from '../support/test-app';

describe('security: response headers', () => {
  it('an API response cannot be framed, sniffed or used as a page, and sends no referrer', async () => {
    const { server, store } = await createTestApp();
    const res = await request(server).get('/animes?limit=1').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined(); // no TLS in front: no HSTS
    const problem = await request(server).get('/animes?limit=0').expect(400);
    expect(problem.headers['x-frame-options']).toBe('DENY');
    const docs = await request(server).get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(docs.headers['x-frame-options']).toBe('DENY');
    await store.close();
  });

  it('sends HSTS when the deployment is behind TLS', async () => {
    const { server, store } = await createTestApp({ hsts: true });
    const res = await request(server).get('/health').expect(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    await store.close();
  });

  it('hides whether a query was recently run when cache headers are off, and still caches', async () => {
    const run = async (exposeCacheHeaders: boolean) => {
      const { store } = await createTestApp();
      const coherent = await coherentCache(new MemoryCacheStore(), store);
      const { server } = await createTestApp({ store, cache: coherent.cache, exposeCacheHeaders });
      const first = await request(server).get('/animes?type=TV&limit=5').expect(200);
      const second = await request(server).get('/animes?type=TV&limit=5').expect(200);
      const revalidated = await request(server)
        .get('/animes?type=TV&limit=5')
        .set('If-None-Match', first.headers.etag!);
      await coherent.stop();
      await store.close();
      return { first, second, revalidated, stats: await coherent.cache.stats() };
    };
    const shown = await run(true); // the negative control
    expect(shown.second.headers['x-cache']).toBe('HIT');
    expect(shown.second.headers['cache-status']).toContain('hit');
    const hidden = await run(false);
    for (const res of [hidden.first, hidden.second]) {
      expect(res.headers['x-cache']).toBeUndefined();
      expect(res.headers['cache-status']).toBeUndefined();
      expect(res.headers['server-timing']).toBeUndefined();
    }
    expect(hidden.revalidated.status).toBe(304);
    expect(hidden.stats.hits).toBeGreaterThanOrEqual(1);
  });

  it('cache headers are off by default in production, on elsewhere, and can be set either way', () => {
    const secret = randomBytes(32).toString('base64');
    expect(cacheHeadersExposed(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }))).toBe(false);
    expect(cacheHeadersExposed(loadConfig({}))).toBe(true);
    expect(
      cacheHeadersExposed(
        loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, EXPOSE_CACHE_HEADERS: 'true' }),
      ),
    ).toBe(true);
    expect(cacheHeadersExposed(loadConfig({ EXPOSE_CACHE_HEADERS: 'false' }))).toBe(false);
  });
});
