import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import request from 'supertest';
import { listenHost, loadConfig } from '../../platform/config';
import { runTs } from '../support/cli';
import { appWithAdminPerSuite, signedUpAdmin, withApp } from '../support/test-app';

/** What a client trips on: each answered with a status that says what is wrong, as problem+json. */
describe('client mistakes get the status that names them', () => {
  const suite = appWithAdminPerSuite({ env: { CACHE_ENABLED: 'true' } });

  const problem = (res: request.Response, status: number, detail: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.text)).toMatchObject({ status, detail: expect.stringMatching(detail) });
  };

  it('415 for a body that is not JSON on a JSON route (it used to be a 400 listing every field)', async () => {
    const res = await request(suite.ctx.server)
      .post('/animes')
      .set(suite.auth)
      .set('Content-Type', 'text/plain')
      .send('title=x');
    problem(res, 415, /must be application\/json, not text\/plain/);
    const form = await request(suite.ctx.server)
      .post('/auth/signin')
      .type('form')
      .send({ email: 'a@b.c', password: 'x' });
    problem(form, 415, /application\/x-www-form-urlencoded/);
    // No body at all (Content-Length: 0) is not a wrong type: the schema names what is missing.
    const empty = await request(suite.ctx.server).post('/auth/signin');
    expect(empty.status).toBe(400);
    expect(empty.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual([
      'body.email',
      'body.password',
    ]);
  });

  it('400 naming the position for malformed JSON, without quoting the body', async () => {
    const res = await request(suite.ctx.server)
      .post('/animes')
      .set(suite.auth)
      .set('Content-Type', 'application/json')
      .send('{"title": "secret-ish",, }');
    problem(res, 400, /not valid JSON \(at position \d+/);
    expect(res.text).not.toContain('secret-ish');
  });

  it('406 when Accept admits no JSON, on the Koa path and for a cached read the hit lane would answer', async () => {
    await request(suite.ctx.server).get('/animes?limit=2').expect(200);
    await request(suite.ctx.server).get('/animes?limit=2').expect(200); // now a hit
    problem(
      await request(suite.ctx.server).get('/animes?limit=2').set('Accept', 'text/html'),
      406,
      /application\/json/,
    );
    problem(await request(suite.ctx.server).get('/animes/1').set('Accept', 'image/png'), 406, /Accept/);
    // Negative controls: what browsers and clients send is fine.
    await request(suite.ctx.server).get('/animes?limit=2').set('Accept', 'text/html,*/*;q=0.8').expect(200);
    await request(suite.ctx.server).get('/animes?limit=2').set('Accept', 'application/json').expect(200);
  });

  it('a bodiless operation answers Accept: application/problem+json, the only type the document lists for it', async () => {
    const document = (await request(suite.ctx.server).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const bodiless = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, op]) => Object.entries(op.responses).some(([s, r]) => s.startsWith('2') && !r.content))
        .map(([method, op]) => ({
          method,
          path: path.replace(/\{\w+\}/g, '1'),
          declared: Object.keys(op.responses),
        })),
    );
    expect(bodiless.length).toBeGreaterThanOrEqual(5);
    const answers: { operation: string; status: number; declared: boolean }[] = [];
    for (const { method, path, declared } of bodiless) {
      const res = await (
        request(suite.ctx.server) as unknown as Record<string, (url: string) => request.Test>
      )[method]!(path)
        .set(suite.auth)
        .set('Accept', 'application/problem+json');
      answers.push({
        operation: `${method} ${path}`,
        status: res.status,
        declared: declared.includes(String(res.status)),
      });
    }
    expect(answers.filter((a) => a.status === 406 || !a.declared)).toEqual([]);
    // Negative control: an operation with a JSON body still refuses an Accept that admits none of it.
    problem(
      await request(suite.ctx.server).get('/animes/1').set('Accept', 'application/problem+json'),
      406,
      /Accept/,
    );
  });

  it('501 for POST /auth/token on the local identity provider, saying what to do instead', async () => {
    problem(
      await request(suite.ctx.server).post('/auth/token').send({ idToken: 'x' }),
      501,
      /issues no ID tokens.*POST \/auth\/signin.*FIREBASE_PROJECT_ID/,
    );
  });

  it('GET / leads to the docs, and there is a favicon', async () => {
    const root = await request(suite.ctx.server).get('/').expect(302);
    expect(root.headers.location).toBe('/docs');
    const icon = await request(suite.ctx.server).get('/favicon.ico').expect(200);
    expect(icon.headers['content-type']).toBe('image/x-icon');
    const bytes = icon.body as Buffer;
    // ICONDIR: reserved 0, type 1 (icon), one 16x16 image of 32 bits.
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4), bytes[6], bytes[7]]).toEqual(
      [0, 1, 1, 16, 16],
    );
    expect(bytes.length).toBe(22 + bytes.readUInt32LE(14));
  });
});

describe('configuration mistakes', () => {
  it('name the allowed values of an enum-like variable', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud', DB_MIGRATIONS: 'maybe' })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; DB_MIGRATIONS must be one of startup, check',
    );
  });

  it('a busy PORT stops the start with one line naming PORT, no stack', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = runTs('api/main.ts', [], {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: ':memory:',
        SEED_ON_EMPTY: 'false',
        LOG_LEVEL: 'silent',
        JWT_SECRET: randomBytes(32).toString('base64url'),
        ADMIN_BOOTSTRAP_TOKEN: randomBytes(32).toString('base64url'),
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `PORT ${port} on 127.0.0.1 is already in use: stop what holds it, or set PORT to another port`,
      );
    } finally {
      holder.close();
    }
  }, 60_000);

  it('outside production, with no HOST, the server listens on 127.0.0.1 only; production on every interface', async () => {
    expect(listenHost({ NODE_ENV: 'production' })).toBe('0.0.0.0');
    expect(listenHost({ NODE_ENV: 'development', HOST: '0.0.0.0' })).toBe('0.0.0.0');
    // The start itself: the port it fails to take names the interface it tried.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const env: NodeJS.ProcessEnv = {
        PORT: String(port),
        NODE_ENV: 'development',
        DATABASE_PATH: ':memory:',
        SEED_ON_EMPTY: 'false',
        LOG_LEVEL: 'silent',
      };
      delete process.env.HOST;
      const run = runTs('api/main.ts', [], env);
      expect(run.stderr.trim().split('\n').pop()).toBe(
        `PORT ${port} on 127.0.0.1 is already in use: stop what holds it, or set PORT to another port`,
      );
    } finally {
      holder.close();
    }
  }, 60_000);
});

describe('facets and statistics take the catalogue filters', () => {
  it('/stats, /genres and /types count what /animes/all lists for the same filters, and a bad filter is a 400', async () => {
    await withApp({ env: { CACHE_ENABLED: 'true' } }, async (ctx) => {
      for (const filters of ['type=OVA', 'type=tv,movie&minScore=6', 'yearFrom=2000&yearTo=2010']) {
        const rows = (await request(ctx.server).get(`/animes/all?${filters}`).expect(200)).body as {
          type: string;
          genres: string[];
        }[];
        const stats = (await request(ctx.server).get(`/stats?${filters}`).expect(200)).body;
        expect([filters, stats.total]).toEqual([filters, rows.length]);
        const types = (await request(ctx.server).get(`/types?${filters}`).expect(200)).body as {
          count: number;
        }[];
        expect(types.reduce((n, t) => n + t.count, 0)).toBe(rows.length);
        const genres = (await request(ctx.server).get(`/genres?${filters}`).expect(200)).body as {
          count: number;
        }[];
        expect(genres.reduce((n, g) => n + g.count, 0)).toBe(rows.reduce((n, r) => n + r.genres.length, 0));
      }
      const all = (await request(ctx.server).get('/stats').expect(200)).body;
      const ova = (await request(ctx.server).get('/stats?type=OVA').expect(200)).body;
      expect(ova.total).toBeLessThan(all.total);
      const bad = await request(ctx.server).get('/stats?minScore=11');
      expect(bad.status).toBe(400);
      expect(bad.body['invalid-params'][0].name).toBe('minScore');
    });
  });
});

describe('enum spellings', () => {
  it('are taken in any case in a body as in the query, stored as declared; an unknown one is refused with the allowed values', async () => {
    await withApp({}, async (ctx) => {
      const auth = await signedUpAdmin(ctx.server);
      const created = await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({
          sourceId: 'spelling-1',
          title: 'Lower case type',
          type: 'ova',
          year: null,
          score: null,
          episodes: 2,
          genres: [],
        })
        .expect(201);
      expect(created.body.type).toBe('OVA');
      const listed = await request(ctx.server).get('/animes?type=ova&limit=1000').expect(200);
      expect(listed.body.items.map((a: { id: number }) => a.id)).toContain(created.body.id);
      const patched = await request(ctx.server)
        .patch(`/animes/${created.body.id}`)
        .set(auth)
        .set('If-Match', `"${created.body.version}"`)
        .send({ type: 'Movie' })
        .expect(200);
      expect(patched.body.type).toBe('MOVIE');
      const refused = await request(ctx.server)
        .patch(`/animes/${created.body.id}`)
        .set(auth)
        .send({ type: 'cartoon' })
        .expect(400);
      expect(refused.body['invalid-params']).toEqual([
        { name: 'body.type', reason: expect.stringMatching(/^must be one of TV, MOVIE, OVA/) },
      ]);
      await request(ctx.server).get('/animes?type=cartoon').expect(400);
    });
  });
});

describe('a create with only what it must say', () => {
  it('stores omitted nullable fields as null, no genres, and a generated source id in the api namespace', async () => {
    await withApp({}, async (ctx) => {
      const auth = await signedUpAdmin(ctx.server);
      const created = await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({ title: 'Just a title', type: 'TV' })
        .expect(201);
      expect(created.body).toMatchObject({
        year: null,
        score: null,
        episodes: null,
        genres: [],
        source: 'api',
      });
      expect(created.body.sourceId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const second = await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({ title: 'Another', type: 'TV' })
        .expect(201);
      expect(second.body.sourceId).not.toBe(created.body.sourceId);
      // What must be said still must: a title and a type.
      const refused = await request(ctx.server).post('/animes').set(auth).send({ type: 'TV' }).expect(400);
      expect(refused.body['invalid-params']).toEqual([{ name: 'body.title', reason: 'is required' }]);
      const document = (await request(ctx.server).get('/openapi.json').expect(200)).body;
      const schema = document.paths['/animes'].post.requestBody.content['application/json'].schema;
      expect([...schema.required].sort()).toEqual(['title', 'type']);
    });
  });
});
