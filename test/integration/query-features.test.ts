import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { toSort } from '../../api/http/routes/anime-query';
import type { Anime } from '../../platform/core/domain/anime';
import { compareBy, matchesFilter } from '../contract/catalogue-oracle';
import { createTestApp, signedUpAdmin } from '../support/test-app';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Every page of a list, following `next`, with the given headers. */
async function walk(server: TestApp['server'], first: string, headers: Record<string, string> = {}) {
  const items: Record<string, unknown>[] = [];
  for (let url: string | null = first, pages = 0; url && pages < 500; pages++) {
    const res: request.Response = await request(server).get(url).set(headers).expect(200);
    items.push(...res.body.items);
    url = res.body.next;
  }
  return items;
}

describe('query features: counts, field selection, multi-key sorts, CSV, 405', () => {
  let ctx: TestApp;
  let all: Anime[];
  let admin: { Authorization: string };
  beforeAll(async () => {
    // The cache and the hit lane on, as in production: header-chosen answers must not mix.
    ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' } });
    admin = await signedUpAdmin(ctx.server);
    all = (await request(ctx.server).get('/animes/all').expect(200)).body;
  });
  afterAll(() => ctx?.platform.close());

  describe('Prefer: count=exact', () => {
    it('adds every match as total (and X-Total-Count), on any page, only when asked', async () => {
      const expected = all.filter((a) => matchesFilter(a, { type: ['TV', 'OVA'] })).length;
      const plain = await request(ctx.server).get('/animes?type=TV,OVA&limit=7').expect(200);
      expect(plain.body.total).toBeUndefined();
      expect(plain.headers['x-total-count']).toBeUndefined();
      const counted = await request(ctx.server)
        .get('/animes?type=TV,OVA&limit=7')
        .set('Prefer', 'return=minimal, count=exact')
        .expect(200);
      expect(counted.body.total).toBe(expected);
      expect(counted.headers['x-total-count']).toBe(String(expected));
      expect(counted.headers['preference-applied']).toBe('count=exact');
      expect(counted.headers.vary).toMatch(/Prefer/);
      // The same URL again without Prefer, now that the lane knows it: still no count.
      expect(
        (await request(ctx.server).get('/animes?type=TV,OVA&limit=7').expect(200)).body.total,
      ).toBeUndefined();
      const second = await request(ctx.server).get(`${counted.body.next}`).set('Prefer', 'count=exact');
      expect(second.body.total).toBe(expected);
      const byQuery = await request(ctx.server).get('/animes?type=TV,OVA&limit=7&count=exact').expect(200);
      expect(byQuery.body.total).toBe(expected);
      expect(byQuery.headers.etag).toBe(counted.headers.etag); // one cache entry for both spellings
    });

    it('never teaches the hit lane a URL whose answer a header chose', async () => {
      const url = '/animes?type=MOVIE&limit=4';
      for (let i = 0; i < 2; i++)
        expect((await request(ctx.server).get(url).set('Prefer', 'count=exact')).body.total).toEqual(
          expect.any(Number),
        );
      for (let i = 0; i < 2; i++)
        expect((await request(ctx.server).get(url).expect(200)).body.total).toBeUndefined();
      for (let i = 0; i < 2; i++)
        expect(
          (await request(ctx.server).get(url).set('Accept', 'text/csv')).headers['content-type'],
        ).toMatch(/csv/);
      for (let i = 0; i < 2; i++)
        expect((await request(ctx.server).get(url).expect(200)).headers['content-type']).toMatch(/json/);
    });

    it('ignores the preference where there is nothing to count (RFC 7240), not a 400', async () => {
      const res = await request(ctx.server)
        .get('/animes/all?type=OVA')
        .set('Prefer', 'count=exact')
        .expect(200);
      expect(res.headers['preference-applied']).toBeUndefined();
      await request(ctx.server).get('/genres').set('Prefer', 'count=exact').expect(200);
    });

    it('counts afresh after a write (the count is cached with the page, and invalidated with it)', async () => {
      const url = '/animes?type=MUSIC&limit=2&count=exact';
      const before = (await request(ctx.server).get(url).expect(200)).body.total;
      const created = await request(ctx.server)
        .post('/animes')
        .set(admin)
        .send({ title: 'Counted', type: 'MUSIC' })
        .expect(201);
      expect((await request(ctx.server).get(url).expect(200)).body.total).toBe(before + 1);
      await request(ctx.server).delete(`/animes/${created.body.id}`).set(admin).expect(204);
      expect((await request(ctx.server).get(url).expect(200)).body.total).toBe(before);
    });
  });

  describe('fields', () => {
    it('cuts each anime to the fields named, id always among them, in any spelling one cache entry', async () => {
      const a = await request(ctx.server).get('/animes?limit=5&fields=title,score').expect(200);
      expect(a.body.items.map((i: object) => Object.keys(i).sort())).toEqual(
        a.body.items.map(() => ['id', 'score', 'title']),
      );
      expect(a.body.items).toEqual(all.slice(0, 5).map(({ id, title, score }) => ({ id, title, score })));
      const b = await request(ctx.server)
        .get('/animes?fields=score&fields=title&fields=id&limit=5')
        .expect(200);
      expect(b.headers.etag).toBe(a.headers.etag);
      const everything = await request(ctx.server).get('/animes/all?fields=genres').expect(200);
      expect(everything.body).toEqual(all.map(({ id, genres }) => ({ id, genres })));
      const bad = await request(ctx.server).get('/animes?fields=title,password').expect(400);
      expect(bad.body['invalid-params'][0].name).toMatch(/fields/);
    });
  });

  describe('multi-key sort', () => {
    it.each(['-score,title', 'year,-score', '-year,title,-score', 'title,-id'])(
      'walks sort=%s page by page in exactly the oracle order, every row once',
      async (sort) => {
        const ids = (await walk(ctx.server, `/animes?sort=${sort}&limit=13`)).map((a) => a.id);
        const expected = [...all].sort(compareBy(toSort(sort))).map((a) => a.id);
        expect(ids).toEqual(expected);
      },
    );

    it('shares one entry among spellings of one order, and refuses a field twice or a foreign cursor', async () => {
      const a = await request(ctx.server).get('/animes?sort=-score,title&limit=3').expect(200);
      const b = await request(ctx.server).get('/animes?sort=-score,title,id&limit=3').expect(200);
      expect(b.headers.etag).toBe(a.headers.etag);
      const twice = await request(ctx.server).get('/animes?sort=score,-score').expect(400);
      expect(twice.body['invalid-params']).toEqual([{ name: 'sort', reason: 'names score more than once' }]);
      const cursor = new URL(a.body.next, 'http://x').searchParams.get('cursor');
      const foreign = await request(ctx.server).get(`/animes?sort=-score&cursor=${cursor}`).expect(400);
      expect(foreign.body['invalid-params'][0].reason).toMatch(/belongs to sort=-score,title/);
      await request(ctx.server).get('/animes?sort=rating').expect(400);
    });
  });

  describe('CSV', () => {
    const asText = (res: request.Response) => (res.text ?? '') as string;

    it('answers a page as RFC 4180 CSV, by format=csv or by Accept, with the same rows as JSON', async () => {
      const json = await request(ctx.server).get('/animes?limit=20&sort=-score,title').expect(200);
      const csv = await request(ctx.server).get('/animes?limit=20&sort=-score,title&format=csv').expect(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      // The next page in the same format.
      expect(csv.headers.link).toBe(json.headers.link!.replace('&cursor', '&format=csv&cursor'));
      const rows = parse(asText(csv), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => Number(r.id))).toEqual(json.body.items.map((i: Anime) => i.id));
      expect(rows.map((r) => r.genres)).toEqual(json.body.items.map((i: Anime) => i.genres.join(';')));
      expect(rows.map((r) => r.score)).toEqual(
        json.body.items.map((i: Anime) => (i.score === null ? '' : String(i.score))),
      );
      // The lane knows the JSON URL now; an Accept that prefers CSV must still get CSV.
      const accepted = await request(ctx.server)
        .get('/animes?limit=20&sort=-score,title')
        .set('Accept', 'text/csv, application/json;q=0.5')
        .expect(200);
      expect(accepted.headers['content-type']).toMatch(/^text\/csv/);
      expect(asText(accepted)).toBe(asText(csv));
      const selected = await request(ctx.server).get('/animes?limit=3&fields=title&format=csv').expect(200);
      expect(asText(selected).split('\r\n')[0]).toBe('id,title');
    });

    it('streams the whole list as CSV beyond the cache entry limit, every row once', async () => {
      await ctx.platform.close();
      ctx = await createTestApp({ env: { CACHE_ENABLED: 'true', CACHE_MAX_ENTRY_BYTES: '4096' } });
      admin = await signedUpAdmin(ctx.server);
      const res = await request(ctx.server).get('/animes/all?format=csv&sort=title').expect(200);
      expect(res.headers['cache-status']).toMatch(/too-large/);
      const rows = parse(asText(res), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => Number(r.id))).toEqual(
        [...all].sort(compareBy(toSort('title'))).map((a) => a.id),
      );
      const empty = await request(ctx.server)
        .get('/animes/all?format=csv&q=no-such-title-anywhere')
        .expect(200);
      expect(asText(empty).split('\r\n')[0]).toMatch(/^id,/);
      expect(parse(asText(empty), { columns: true })).toEqual([]);
    });

    it('defuses cells a spreadsheet would run as formulas', async () => {
      const created = await request(ctx.server)
        .post('/animes')
        .set(admin)
        .send({ title: '=HYPERLINK("http://evil.example","x")', type: 'TV' })
        .expect(201);
      const res = await request(ctx.server).get(`/animes?format=csv&q=HYPERLINK&fields=title`).expect(200);
      const [row] = parse(asText(res), { columns: true }) as Record<string, string>[];
      expect(row).toEqual({ id: String(created.body.id), title: `'${created.body.title}` });
      const json = await request(ctx.server).get(`/animes/${created.body.id}`).expect(200);
      expect(json.body.title).toBe('=HYPERLINK("http://evil.example","x")'); // JSON is untouched
    });

    it('defuses every item of a list cell, not only the first (a `;` list separator splits the cell)', async () => {
      const created = await request(ctx.server)
        .post('/animes')
        .set(admin)
        .send({ title: 'Defused genres', type: 'TV', genres: ['Action', '=cmd|/c calc', '@SUM(A1)'] })
        .expect(201);
      const res = await request(ctx.server)
        .get('/animes?format=csv&q=Defused genres&fields=genres')
        .expect(200);
      const [row] = parse(asText(res), { columns: true }) as Record<string, string>[];
      expect(row).toEqual({ id: String(created.body.id), genres: "Action;'=cmd|/c calc;'@SUM(A1)" });
      for (const item of row!.genres!.split(';')) expect(item).not.toMatch(/^[=+\-@\t\r]/);
    });

    it('refuses CSV where there is none, and an Accept that admits neither (406)', async () => {
      await request(ctx.server).get('/genres').set('Accept', 'text/csv').expect(406);
      await request(ctx.server).get('/animes').set('Accept', 'text/html').expect(406);
      await request(ctx.server).get('/animes?format=xml').expect(400);
    });
  });

  it('answers a method a path lacks with 405, Allow and problem+json, as the document says', async () => {
    const res = await request(ctx.server).put('/animes').send({}).expect(405);
    expect(res.headers.allow).toMatch(/GET/);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const doc = (await request(ctx.server).get('/openapi.json').expect(200)).body;
    for (const methods of Object.values(doc.paths) as Record<string, { responses: object }>[])
      for (const operation of Object.values(methods)) expect(operation.responses).toHaveProperty('405');
  });
});
