import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { listen, rawGet } from '../support/raw-http';
import { createTestApp } from '../support/test-app';

describe('read API', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.store.close());

  it('pages through /animes by following next links, with a Link header', async () => {
    const ids: number[] = [];
    let url: string | null = '/animes?type=tv,OVA&sort=-score&limit=7';
    while (url) {
      const res: request.Response = await request(ctx.server).get(url).expect(200);
      ids.push(...res.body.items.map((a: { id: number }) => a.id));
      if (res.body.next) expect(res.headers.link).toBe(`<${res.body.next}>; rel="next"`);
      url = res.body.next;
    }
    const all = await request(ctx.server).get('/animes/all?type=OVA&type=TV&sort=-score').expect(200);
    expect(ids).toEqual(all.body.map((a: { id: number }) => a.id));
    expect(new Set(all.body.map((a: { type: string }) => a.type))).toEqual(new Set(['TV', 'OVA']));
  });

  it('serves one anime, facets and stats', async () => {
    const one = await request(ctx.server).get('/animes/5').expect(200);
    // The fixture loads kaggle first (fx-2 is a mal id), so row 5 is kaggle's fx-6.
    expect(one.body).toMatchObject({ id: 5, source: 'kaggle', sourceId: 'fx-6' });
    await request(ctx.server)
      .get('/animes/999999')
      .expect(404)
      .expect('Content-Type', /problem\+json/);
    const genres = await request(ctx.server).get('/genres').expect(200);
    expect(genres.body[0]).toEqual({ value: expect.any(String), count: expect.any(Number) });
    const types = await request(ctx.server).get('/types').expect(200);
    const stats = await request(ctx.server).get('/stats').expect(200);
    expect(stats.body.total).toBe(240);
    expect(types.body.reduce((s: number, t: { count: number }) => s + t.count, 0)).toBe(240);
  });

  it('filters by source; ids that collide across sources are separate rows', async () => {
    const all = (await request(ctx.server).get('/animes/all').expect(200)).body as {
      source: string;
      sourceId: string;
    }[];
    const mal = (await request(ctx.server).get('/animes/all?source=mal').expect(200)).body;
    expect(mal.length).toBeGreaterThan(0);
    expect(mal).toEqual(all.filter((a) => a.source === 'mal'));
    const both = await request(ctx.server).get('/animes/all?source=mal,kaggle').expect(200);
    expect(both.body).toHaveLength(all.length);
    // Every mal id is also a kaggle id in this fixture, and both rows are served.
    for (const row of mal)
      expect(all.filter((a) => a.sourceId === row.sourceId).map((a) => a.source)).toEqual(['kaggle', 'mal']);
    const bad = await request(ctx.server).get('/animes?source=Not%20A%20Source').expect(400);
    expect(bad.body['invalid-params'][0].name).toMatch(/^source/);
  });

  it('answers 400 problem+json naming every bad parameter', async () => {
    const res = await request(ctx.server)
      .get('/animes?year=abc&limit=5000&colour=red&type=RADIO')
      .expect(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.status).toBe(400);
    expect(res.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual(
      ['colour', 'limit', 'type.0', 'year'].sort(),
    );
    const range = await request(ctx.server).get('/animes?yearFrom=2000&yearTo=1990').expect(400);
    expect(range.body['invalid-params'][0].name).toBe('yearFrom');
    const cursor = await request(ctx.server).get('/animes?cursor=garbage').expect(400);
    expect(cursor.body['invalid-params'][0].name).toBe('cursor');
    const first = await request(ctx.server).get('/animes?sort=title&limit=2').expect(200);
    const cursorParam = new URL(first.body.next, 'http://x').searchParams.get('cursor');
    const wrongSort = await request(ctx.server).get(`/animes?sort=year&cursor=${cursorParam}`).expect(400);
    expect(wrongSort.body['invalid-params'][0].reason).toContain('sort=title');
  });

  it('answers 404 and 405 as problem+json, with Allow', async () => {
    const missing = await request(ctx.server).get('/nowhere').expect(404);
    expect(missing.body).toMatchObject({ status: 404, title: 'Not Found' });
    const wrongMethod = await request(ctx.server).delete('/genres').expect(405);
    expect(wrongMethod.headers.allow).toContain('GET');
    expect(wrongMethod.headers['content-type']).toBe('application/problem+json');
  });

  it('serves gzip and br that decode to the same JSON, each coding with its own strong ETag, and 304 on If-None-Match with any', async () => {
    const server = await listen(ctx.server);
    try {
      const plain = await rawGet(server, '/animes/all', { 'Accept-Encoding': 'identity' });
      const gz = await rawGet(server, '/animes/all', { 'Accept-Encoding': 'gzip' });
      const br = await rawGet(server, '/animes/all', { 'Accept-Encoding': 'br, gzip' });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(br.headers['content-encoding']).toBe('br');
      expect(gz.body.length).toBeLessThan(plain.body.length / 3);
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      expect(JSON.parse(plain.body.toString())).toHaveLength(240);
      expect(plain.headers.vary).toBe('Accept, Accept-Encoding, Prefer');
      const etag = plain.headers.etag as string;
      // A strong validator differs between content codings (RFC 9110 §8.8.1).
      expect(gz.headers.etag).toBe(`${etag.slice(0, -1)}-gzip"`);
      expect(br.headers.etag).toBe(`${etag.slice(0, -1)}-br"`);
      for (const [held, coding] of [
        [etag, 'identity'],
        [gz.headers.etag as string, 'gzip'],
        [br.headers.etag as string, 'br'],
        [`W/${etag}`, 'gzip'],
      ] as const) {
        const revalidated = await rawGet(server, '/animes/all', {
          'If-None-Match': held,
          'Accept-Encoding': coding,
        });
        expect([held, revalidated.status]).toEqual([held, 304]);
        expect(revalidated.body.length).toBe(0);
        expect(revalidated.headers.etag).toBe(held.replace(/^W\//, ''));
      }
      const other = await rawGet(server, '/animes/all', { 'If-None-Match': '"not-this-one-gzip"' });
      expect(other.status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('/health says which build answers (a deploy waits for its own commit)', async () => {
    const res = await request(ctx.server).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', build: 'dev' });
    const built = await createTestApp({ build: 'abc123' });
    try {
      expect((await request(built.server).get('/health').expect(200)).body.build).toBe('abc123');
    } finally {
      await built.platform.close();
      await built.store.close();
    }
  });

  it('echoes a safe X-Request-Id and makes one otherwise', async () => {
    const mine = await request(ctx.server).get('/health').set('X-Request-Id', 'abc-123').expect(200);
    expect(mine.headers['x-request-id']).toBe('abc-123');
    const unsafe = await request(ctx.server)
      .get('/health')
      .set('X-Request-Id', 'bad id with spaces!')
      .expect(200);
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await request(ctx.server).get('/ready').expect(200, { status: 'ready' });
  });

  it('describes every route in OpenAPI 3.1', async () => {
    const res = await request(ctx.server).get('/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const operations = Object.values(
      res.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operations.sort()).toEqual(
      [
        'changePassword',
        'claimFirstAdmin',
        'createAnime',
        'deleteAnime',
        'deleteMe',
        'exchangeIdToken',
        'me',
        'refresh',
        'listUsers',
        'setUserRole',
        'signOut',
        'replaceAnime',
        'signIn',
        'signUp',
        'updateAnime',
        'getAnime',
        'getStats',
        'health',
        'listAllAnimes',
        'listAnimes',
        'listGenres',
        'listTypes',
        'ready',
      ].sort(),
    );
    const typeParam = res.body.paths['/animes'].get.parameters.find(
      (p: { name: string }) => p.name === 'type',
    );
    expect(typeParam.schema.items.enum).toContain('OVA');
    expect(res.body.components.schemas.Anime.properties.genres.type).toBe('array');
    expect(res.body.paths['/animes'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(res.body.paths['/animes'].post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409']),
    );
    expect(res.body.paths['/animes'].get.security).toEqual([]); // public, said explicitly
    await request(ctx.server).get('/docs').expect(200).expect('Content-Type', /html/);
    await request(ctx.server).get('/docs/assets/swagger-ui-bundle.js').expect(200);
  });
});
