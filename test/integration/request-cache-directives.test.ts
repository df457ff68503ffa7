import request from 'supertest';
import { appWithAdminPerSuite, withApp } from '../support/test-app';

const ONLY_IF_CACHED = { 'Cache-Control': 'max-stale, only-if-cached' };

/** What a request's Cache-Control does to a catalogue read (docs/cache.md, RFC 9111 §5.2.1). */
describe('request cache directives', () => {
  const suite = appWithAdminPerSuite({ env: { CACHE_ENABLED: 'true' } });
  const get = (url: string, headers: Record<string, string> = {}) =>
    request(suite.ctx.server).get(url).set(headers);

  it('only-if-cached: 504 problem+json on a miss, the cached answer once it is stored', async () => {
    const missed = await get('/animes?limit=4', ONLY_IF_CACHED);
    expect(missed.status).toBe(504);
    expect(missed.headers['content-type']).toContain('application/problem+json');
    expect(missed.body.detail).toContain('only-if-cached');
    await get('/animes?limit=4').expect(200); // the fill
    const hit = await get('/animes?limit=4', ONLY_IF_CACHED).expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    // A record too, and after a write moved it out of the cache, a miss again.
    await get('/animes/3').expect(200);
    await get('/animes/3', ONLY_IF_CACHED).expect(200);
    const record = (await get('/animes/3')).body as { version: number };
    await request(suite.ctx.server)
      .patch('/animes/3')
      .set(suite.auth)
      .set('If-Match', `"${record.version}"`)
      .send({ episodes: 9 })
      .expect(200);
    await get('/animes/3', ONLY_IF_CACHED).expect(504);
  });

  it('a plain read racing only-if-cached on the same key is answered, not handed the 504', async () => {
    const [refused, plain] = await Promise.all([
      get('/animes?limit=7&sort=title', ONLY_IF_CACHED),
      get('/animes?limit=7&sort=title'),
    ]);
    expect([refused.status, plain.status]).toEqual([504, 200]);
  });

  it('no-cache and max-age=0 answer from the cache, which is never older than the database', async () => {
    await get('/animes/5').expect(200);
    const record = (await get('/animes/5')).body as { version: number };
    await request(suite.ctx.server)
      .patch('/animes/5')
      .set(suite.auth)
      .set('If-Match', `"${record.version}"`)
      .send({ episodes: 77 })
      .expect(200);
    for (const directive of ['no-cache', 'max-age=0']) {
      const read = await get('/animes/5', { 'Cache-Control': directive }).expect(200);
      expect(read.body.episodes).toBe(77);
      expect(read.body.version).toBe(record.version + 1);
    }
    expect((await get('/animes/5', { 'Cache-Control': 'no-cache' })).headers['x-cache']).toBe('HIT');
  });
});

describe('only-if-cached and the uncached-read budget', () => {
  it('costs no database read: distinct keys far past the budget are never 429, and the budget is untouched', async () => {
    await withApp({ env: { CACHE_ENABLED: 'true', UNCACHED_READS_PER_CLIENT: '5' } }, async (app) => {
      const get = (url: string, headers: Record<string, string> = {}) =>
        request(app.server).get(url).set(headers);
      const statuses = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await get(`/animes?limit=${30 + i}`, ONLY_IF_CACHED)).status);
      expect(new Set(statuses)).toEqual(new Set([504]));
      for (let i = 0; i < 5; i++) await get(`/animes?limit=${30 + i}`).expect(200);
      // Negative control: the budget is real, and the sixth distinct key is refused.
      await get('/animes?limit=29').expect(429);
    });
  });
});

describe('only-if-cached with no cache configured', () => {
  it('is 504 on a catalogue read, and means nothing to a route that is never cached', async () => {
    await withApp({ env: { CACHE_ENABLED: 'false' } }, async (app) => {
      await request(app.server).get('/animes?limit=2').set(ONLY_IF_CACHED).expect(504);
      await request(app.server).get('/animes?limit=2').expect(200);
      await request(app.server).get('/health').set(ONLY_IF_CACHED).expect(200);
    });
  });
});
