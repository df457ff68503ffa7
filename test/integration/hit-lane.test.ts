import type { RequestListener } from 'node:http';
import pino from 'pino';
import request from 'supertest';
import { createTestApp, signedUpAdmin } from '../support/test-app';

type App = Awaited<ReturnType<typeof createTestApp>>;

/** An app whose Koa pipeline counts the requests that reach it. */
async function countingApp(hitLane: boolean, over?: App) {
  const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' }, hitLane, store: over?.store });
  let reachedKoa = 0;
  const koa = ctx.app.callback();
  const counted: RequestListener = (req, res) => {
    reachedKoa++;
    return koa(req, res);
  };
  // The lane mounted in front of the counting Koa exactly as the composition mounts it.
  const server = ctx.platform.hitLane ? ctx.platform.hitLane.or(counted) : counted;
  expect(Boolean(ctx.platform.hitLane)).toBe(hitLane);
  return { ctx, server, reachedKoa: () => reachedKoa };
}

const URLS = [
  '/animes?type=OVA&limit=5',
  '/animes?limit=3&sort=-score',
  '/animes/1',
  '/animes/all',
  '/genres',
  '/types',
  '/stats',
];
const CODINGS = ['', 'gzip', 'br', 'gzip, br', 'br;q=0, gzip;q=0.5', 'identity'];
/** Headers that differ between any two responses; the ETag holds each cache's own generations. */
const VARYING = new Set(['date', 'x-request-id', 'server-timing', 'connection', 'keep-alive', 'etag']);

function comparable(res: request.Response) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
  return {
    status: res.status,
    headers,
    body: res.body instanceof Buffer ? res.body.toString('base64') : res.text,
  };
}

async function answers(server: App['server'], url: string, coding: string, ifNoneMatch?: string) {
  const req = request(server)
    .get(url)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  if (coding) req.set('Accept-Encoding', coding);
  if (ifNoneMatch) req.set('If-None-Match', ifNoneMatch);
  return req;
}

describe('the hit lane: cache hits answered before Koa', () => {
  it('answers hits with the same status, headers and bytes as the Koa pipeline, for every coding and a 304', async () => {
    const lane = await countingApp(true);
    const koa = await countingApp(false, lane.ctx);
    try {
      for (const url of URLS) {
        for (const coding of CODINGS) {
          // The first request fills the entry (Koa); the second is a hit.
          const filled = await answers(lane.server, url, coding);
          await answers(koa.server, url, coding);
          const viaLane = await answers(lane.server, url, coding);
          const viaKoa = await answers(koa.server, url, coding);
          expect(viaLane.headers['x-cache']).toBe('HIT');
          expect(comparable(viaLane)).toEqual(comparable(viaKoa));
          expect(viaLane.headers.etag).toBe(filled.headers.etag);
          const revalidated = await answers(lane.server, url, coding, viaLane.headers.etag);
          expect(revalidated.status).toBe(304);
          expect(revalidated.headers.etag).toBe(viaLane.headers.etag);
          const koaRevalidated = await answers(koa.server, url, coding, viaKoa.headers.etag);
          expect(comparable(revalidated)).toEqual(comparable(koaRevalidated));
        }
      }
      const rounds = URLS.length * CODINGS.length;
      // Koa saw only the lane app's first request of each URL; the rest never reached it.
      expect(lane.reachedKoa()).toBe(URLS.length);
      expect(koa.reachedKoa()).toBe(rounds * 3);
    } finally {
      await koa.ctx.platform.close();
      await lane.ctx.platform.close();
    }
  });

  it('never answers from before an acknowledged write: each read after a PATCH sees it', async () => {
    const { ctx, server, reachedKoa } = await countingApp(true);
    try {
      const auth = await signedUpAdmin(server);
      const read = () => request(server).get('/animes/1');
      await read();
      let koaBefore = reachedKoa();
      for (let n = 1; n <= 5; n++) {
        const hit = await read();
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(reachedKoa()).toBe(koaBefore);
        const patched = await request(server)
          .patch('/animes/1')
          .set(auth)
          .set('If-Match', `"${hit.body.version}"`)
          .send({ episodes: 100 + n });
        expect(patched.status).toBe(200);
        const after = await read();
        expect(after.body.episodes).toBe(100 + n);
        expect(after.headers['x-cache']).not.toBe('HIT');
        koaBefore = reachedKoa();
      }
    } finally {
      await ctx.platform.close();
    }
  });

  it('leaves to Koa what it does not know: other methods, HEAD, admin reads, unseen and invalid URLs', async () => {
    const { ctx, server, reachedKoa } = await countingApp(true);
    try {
      await request(server).get('/animes?limit=2');
      const before = reachedKoa();
      await request(server).head('/animes?limit=2');
      await request(server).get('/animes?limit=2&extra=1').expect(400);
      await request(server).get('/animes?limit=2&extra=1').expect(400);
      await request(server).get('/animes?limit=4');
      await request(server).post('/animes?limit=2').send({});
      expect(reachedKoa()).toBe(before + 5);
      await request(server).get('/animes?limit=2').expect(200);
      expect(reachedKoa()).toBe(before + 5);
    } finally {
      await ctx.platform.close();
    }
  });
});

describe('the hit lane logs as Koa does', () => {
  it('writes the same access-log line for a hit it answers as Koa writes for the fill', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const ctx = await createTestApp({ env: { CACHE_ENABLED: 'true' }, logger });
    try {
      const url = '/animes?type=OVA&limit=5';
      const fill = await request(ctx.server).get(url).set('X-Request-Id', 'fill-1');
      const hit = await request(ctx.server).get(url).set('X-Request-Id', 'hit-1');
      expect([fill.headers['x-cache'], hit.headers['x-cache']]).toEqual(['MISS', 'HIT']);
      expect(ctx.platform.hitLane!.served).toBe(1);
      const logged = (id: string) => {
        const line = lines.find((l) => l.msg === 'request' && l.requestId === id)!;
        const { time: _t, pid: _p, hostname: _h, ms, requestId: _r, ...rest } = line;
        expect(typeof ms).toBe('number');
        return rest;
      };
      expect(logged('hit-1')).toEqual(logged('fill-1'));
      expect(logged('hit-1')).toMatchObject({ method: 'GET', path: '/animes', status: 200 });
    } finally {
      await ctx.platform.close();
    }
  });
});
