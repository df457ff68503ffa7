import request from 'supertest';
import { appWithAdminPerSuite, signedUpAdmin, withApp } from '../support/test-app';

/** The standard flow (RFC 9110 §13): GET, take the ETag, send it back as If-Match. */
describe('validators: the ETag a client reads is the one it writes with', () => {
  const suite = appWithAdminPerSuite({ env: { CACHE_ENABLED: 'true' } });

  const get = (id: number, coding = 'identity') =>
    request(suite.ctx.server).get(`/animes/${id}`).set('Accept-Encoding', coding).expect(200);
  const patch = (id: number, ifMatch: string, episodes: number) =>
    request(suite.ctx.server)
      .patch(`/animes/${id}`)
      .set(suite.auth)
      .set('If-Match', ifMatch)
      .send({ episodes });

  it('GET, PATCH with its ETag as If-Match, the answer carries the new ETag, and the old one is 412', async () => {
    await get(2);
    const read = await get(2); // a cache hit
    const etag = read.headers.etag!;
    expect(etag).toBe(`"2.${read.body.version}"`);
    const written = await patch(2, etag, 501).expect(200);
    expect(written.headers.etag).toBe(`"2.${read.body.version + 1}"`);
    const stale = await patch(2, etag, 502).expect(412);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    // The next GET (through the cache) carries exactly what the write answered.
    expect((await get(2)).headers.etag).toBe(written.headers.etag);
    await patch(2, written.headers.etag!, 503).expect(200);
  });

  it('takes the tag of any coding, and the bare version as before; refuses weak tags, other records, lists', async () => {
    const read = await get(3, 'gzip');
    const version = read.body.version as number;
    // The record is small, so it is sent as identity whatever the client accepts.
    expect(read.headers.etag).toBe(`"3.${version}"`);
    await patch(3, `"3.${version}-gzip"`, 601).expect(200);
    await patch(3, `"${version + 1}"`, 602).expect(200);
    await patch(3, String(version + 2), 603).expect(200);
    for (const bad of [`W/"3.${version + 3}"`, `"4.${version + 3}"`, `"3.${version + 3}", "3.1"`, '"abc"']) {
      const refused = await patch(3, bad, 604);
      expect([bad, refused.status]).toEqual([bad, 412]);
    }
    expect((await get(3)).body.episodes).toBe(603);
  });

  it('answers If-None-Match on a record with 304 from the cache and from the hit lane', async () => {
    const etag = (await get(5)).headers.etag!;
    for (let i = 0; i < 3; i++) {
      const res = await request(suite.ctx.server).get('/animes/5').set('If-None-Match', etag).expect(304);
      expect(res.headers.etag).toBe(etag);
    }
    await patch(5, etag, 700).expect(200);
    await request(suite.ctx.server).get('/animes/5').set('If-None-Match', etag).expect(200);
  });

  it('creates and replaces with an ETag in the answer', async () => {
    const created = await request(suite.ctx.server)
      .post('/animes')
      .set(suite.auth)
      .send({ title: 'Tagged', type: 'OVA' })
      .expect(201);
    expect(created.headers.etag).toBe(`"${created.body.id}.1"`);
    const replaced = await request(suite.ctx.server)
      .put(`/animes/${created.body.id}`)
      .set(suite.auth)
      .set('If-Match', created.headers.etag!)
      .send({
        ...created.body,
        id: undefined,
        version: undefined,
        createdAt: undefined,
        updatedAt: undefined,
        title: 'Retagged',
      })
      .expect(200);
    expect(replaced.headers.etag).toBe(`"${created.body.id}.2"`);
    // PUT replaces the whole anime: a body without a field (an older client's, before
    // originalTitle existed) is a 400 naming it, and changes nothing.
    const { originalTitle: _dropped, ...olderClientBody } = {
      ...replaced.body,
      id: undefined,
      version: undefined,
      createdAt: undefined,
      updatedAt: undefined,
    };
    const refused = await request(suite.ctx.server)
      .put(`/animes/${created.body.id}`)
      .set(suite.auth)
      .set('If-Match', replaced.headers.etag!)
      .send(olderClientBody)
      .expect(400);
    expect(JSON.stringify(refused.body)).toContain('originalTitle');
    await request(suite.ctx.server)
      .delete(`/animes/${created.body.id}`)
      .set(suite.auth)
      .set('If-Match', replaced.headers.etag!)
      .expect(204);
  });
});

describe('the OpenAPI document declares the headers', () => {
  it('If-Match and If-None-Match parameters, ETag, Location, Link, Retry-After, WWW-Authenticate and X-Request-Id responses, security on every operation', async () => {
    await withApp({ env: { CACHE_ENABLED: 'true' } }, async (ctx) => {
      type Operation = {
        parameters: { $ref?: string; name?: string }[];
        security: unknown[];
        responses: Record<string, { headers?: Record<string, { $ref: string }> }>;
      };
      const doc = (await request(ctx.server).get('/openapi.json').expect(200)).body as {
        paths: Record<string, Record<string, Operation>>;
        components: { headers: Record<string, unknown>; parameters: Record<string, unknown> };
      };
      const op = (path: string, method: string) => doc.paths[path]![method]!;
      const refs = (o: Operation) => o.parameters.map((p) => p.$ref ?? p.name);
      const headers = (o: Operation, status: string) =>
        Object.keys(o.responses[status]?.headers ?? {}).sort();
      for (const method of ['put', 'patch', 'delete'])
        expect(refs(op('/animes/{id}', method))).toContain('#/components/parameters/If-Match');
      expect(refs(op('/animes/{id}', 'get'))).toContain('#/components/parameters/If-None-Match');
      expect(headers(op('/animes/{id}', 'get'), '200')).toEqual(['ETag', 'X-Request-Id']);
      expect(headers(op('/animes/{id}', 'get'), '304')).toEqual(['ETag', 'X-Request-Id']);
      expect(headers(op('/animes/{id}', 'patch'), '200')).toEqual(['ETag', 'X-Request-Id']);
      expect(headers(op('/animes', 'post'), '201')).toEqual(['ETag', 'Location', 'X-Request-Id']);
      expect(headers(op('/animes', 'get'), '200')).toEqual([
        'ETag',
        'Link',
        'Preference-Applied',
        'X-Request-Id',
        'X-Total-Count',
      ]);
      expect(headers(op('/animes', 'get'), '429')).toEqual(['Retry-After', 'X-Request-Id']);
      expect(headers(op('/animes/{id}', 'patch'), '401')).toEqual(['WWW-Authenticate', 'X-Request-Id']);
      for (const [path, methods] of Object.entries(doc.paths))
        for (const [method, operation] of Object.entries(methods))
          expect([path, method, Array.isArray(operation.security)]).toEqual([path, method, true]);
      expect(op('/animes', 'get').security).toEqual([]);
      expect(op('/animes', 'post').security).toEqual([{ bearerAuth: [] }]);
      // Every referenced header exists.
      for (const name of ['ETag', 'Location', 'Link', 'Retry-After', 'WWW-Authenticate', 'X-Request-Id'])
        expect(doc.components.headers[name]).toBeDefined();
    });
  });
});

describe('every parameter and status is documented', () => {
  it('each query and path parameter has a description; writes list 413, 415 and 503; 413 is what a large body gets', async () => {
    await withApp({}, async (ctx) => {
      const doc = (await request(ctx.server).get('/openapi.json').expect(200)).body as {
        paths: Record<
          string,
          Record<
            string,
            { parameters: { name?: string; description?: string }[]; responses: Record<string, unknown> }
          >
        >;
      };
      for (const [path, methods] of Object.entries(doc.paths))
        for (const [method, op] of Object.entries(methods))
          for (const p of op.parameters.filter((x) => x.name))
            expect([path, method, p.name, Boolean(p.description)]).toEqual([path, method, p.name, true]);
      expect(Object.keys(doc.paths['/animes']!.post!.responses)).toEqual(
        expect.arrayContaining(['413', '415', '503']),
      );
      const auth = await signedUpAdmin(ctx.server);
      const huge = await request(ctx.server)
        .post('/animes')
        .set(auth)
        .send({ title: 'x'.repeat(70 * 1024), type: 'TV' });
      expect(huge.status).toBe(413);
      expect(huge.headers['content-type']).toContain('application/problem+json');
    });
  });
});
