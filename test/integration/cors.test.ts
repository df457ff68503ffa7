import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { parseOrigins } from '../../api/http/cors';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium';
import { listen } from '../support/raw-http';
import { describeIf, requireBinary } from '../support/real-component';
import { createTestApp, signedUpAdmin, withApp } from '../support/test-app';

const ALLOWED = 'https://app.example.test';

interface HeaderParameter {
  $ref?: string;
  name: string;
  in: string;
}
/** As much of the served OpenAPI document as names headers. */
interface ServedDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: HeaderParameter[];
        security: unknown[];
        requestBody?: unknown;
        responses: Record<string, { headers?: object }>;
      }
    >
  >;
  components: { parameters: Record<string, HeaderParameter> };
}

describe('CORS', () => {
  it('answers a preflight from a listed origin with the methods, headers and max age a client needs', async () => {
    await withApp({ env: { CORS_ORIGINS: `${ALLOWED}, https://other.example.test` } }, async (ctx) => {
      const preflight = await request(ctx.server)
        .options('/animes/1')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization, content-type, if-match');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(preflight.headers['access-control-allow-methods']).toContain('PATCH');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/If-Match/i);
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
    });
  });

  it('lets a listed origin read ETag, Link and X-Request-Id, on hits and errors too; others get nothing', async () => {
    await withApp({ env: { CACHE_ENABLED: 'true', CORS_ORIGINS: ALLOWED } }, async (ctx) => {
      for (let i = 0; i < 2; i++) {
        // The second request would be a hit answered before Koa: a cross-origin one is not.
        const res = await request(ctx.server).get('/animes?limit=2').set('Origin', ALLOWED).expect(200);
        expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
        for (const name of ['ETag', 'Link', 'X-Request-Id', 'Retry-After'])
          expect(res.headers['access-control-expose-headers']).toContain(name);
        expect(res.headers.vary).toMatch(/Origin/);
      }
      const missing = await request(ctx.server).get('/animes/999999').set('Origin', ALLOWED).expect(404);
      expect(missing.headers['access-control-allow-origin']).toBe(ALLOWED);
      const stranger = await request(ctx.server).get('/animes?limit=2').set('Origin', 'https://evil.example');
      expect(stranger.status).toBe(200);
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('allows every request header and exposes every response header the served document declares', async () => {
    await withApp({ env: { CORS_ORIGINS: ALLOWED } }, async (ctx) => {
      const document: ServedDocument = (await request(ctx.server).get('/openapi.json').expect(200)).body;
      const sent = new Set<string>();
      const read = new Set<string>();
      for (const operations of Object.values(document.paths))
        for (const operation of Object.values(operations)) {
          for (const p of operation.parameters) {
            const parameter = p.$ref ? document.components.parameters[p.$ref.split('/').pop()!]! : p;
            if (parameter.in === 'header') sent.add(parameter.name.toLowerCase());
          }
          if (operation.security.length) sent.add('authorization');
          if (operation.requestBody) sent.add('content-type');
          for (const answer of Object.values(operation.responses))
            for (const name of Object.keys(answer.headers ?? {})) read.add(name.toLowerCase());
        }
      // The headers a user meets first are among them (the document is not empty of them either).
      expect([...sent]).toEqual(
        expect.arrayContaining(['prefer', 'if-match', 'if-none-match', 'authorization']),
      );
      expect([...read]).toEqual(
        expect.arrayContaining(['x-total-count', 'preference-applied', 'etag', 'link']),
      );
      const preflight = await request(ctx.server)
        .options('/animes')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', [...sent].join(', '))
        .expect(204);
      const allowed = preflight.headers['access-control-allow-headers']!.toLowerCase().split(/\s*,\s*/);
      expect([...sent].filter((name) => !allowed.includes(name))).toEqual([]);
      const res = await request(ctx.server).get('/animes?limit=2').set('Origin', ALLOWED).expect(200);
      const exposed = res.headers['access-control-expose-headers']!.toLowerCase().split(/\s*,\s*/);
      expect([...read].filter((name) => !exposed.includes(name))).toEqual([]);
    });
  });

  it('negative control: with no CORS_ORIGINS (the default) no origin gets CORS headers', async () => {
    await withApp({}, async (ctx) => {
      const res = await request(ctx.server).get('/animes?limit=2').set('Origin', ALLOWED).expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('refuses a CORS_ORIGINS entry that is not an origin, naming it', () => {
    expect(parseOrigins(' https://a.example , http://127.0.0.1:8080 ,*')).toEqual([
      'https://a.example',
      'http://127.0.0.1:8080',
      '*',
    ]);
    for (const bad of ['https://a.example/', 'a.example', 'https://a.example/app', 'ftp://a.example'])
      expect(() => parseOrigins(bad)).toThrow(`"${bad}" is not an origin`);
  });
});

const hasChromium = requireBinary(CHROMIUM_PATH, 'the CORS browser test');

/** A page on its own loopback origin: what a front end on another host is to the API. */
async function frontEnd(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>front end</title><p>catalogue client</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** In the page: list, GET one, PATCH it with the bearer token and If-Match, then a stale If-Match. */
async function clientFlow({ api, token }: { api: string; token: string }) {
  try {
    const listed = await fetch(`${api}/animes?limit=3`, { headers: { prefer: 'count=exact' } });
    const list = (await listed.json()) as { items: unknown[] };
    const one = await fetch(`${api}/animes/1`);
    const record = (await one.json()) as { version: number };
    const write = (version: number) =>
      fetch(`${api}/animes/1`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'if-match': `"${version}"`,
        },
        body: JSON.stringify({ episodes: 77 }),
      });
    const patched = await write(record.version);
    const after = (await patched.json()) as { episodes: number };
    const stale = await write(record.version);
    return {
      listed: list.items.length,
      total: listed.headers.get('X-Total-Count'),
      preferenceApplied: listed.headers.get('Preference-Applied'),
      etag: one.headers.get('ETag'),
      patched: patched.status,
      episodes: after.episodes,
      requestId: patched.headers.get('X-Request-Id'),
      stale: stale.status,
    };
  } catch (error) {
    return { blocked: String(error) };
  }
}

describeIf(hasChromium)('CORS in a real browser (headless Chromium, another loopback origin)', () => {
  it('lists with Prefer: count=exact and reads the count, reads and PATCHes with a bearer token and If-Match; a stale If-Match gets 412', async () => {
    const page$ = await frontEnd();
    const origin = `http://127.0.0.1:${(page$.address() as AddressInfo).port}`;
    const allowed = await createTestApp({ env: { CACHE_ENABLED: 'true', CORS_ORIGINS: origin } });
    const closed = await createTestApp({ store: allowed.store });
    const servers = [await listen(allowed.server), await listen(closed.server)];
    const [api, closedApi] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    const browser = await launchChromium();
    try {
      const token = (await signedUpAdmin(allowed.server)).Authorization.slice('Bearer '.length);
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      const result = await page.evaluate(clientFlow, { api: api!, token });
      expect(result).toMatchObject({ listed: 3, patched: 200, episodes: 77, stale: 412 });
      expect(result).toMatchObject({
        etag: expect.stringMatching(/^"/),
        requestId: expect.stringMatching(/\w/),
        total: expect.stringMatching(/^[1-9]\d*$/),
        preferenceApplied: 'count=exact',
      });
      // Negative control: the same page against an API with no CORS_ORIGINS cannot read anything.
      const blocked = await page.evaluate(clientFlow, { api: closedApi!, token });
      expect(blocked).toMatchObject({ blocked: expect.stringContaining('TypeError') });
    } finally {
      await browser.close();
      for (const s of servers) await new Promise((r) => s.close(r));
      await new Promise((r) => page$.close(r));
      await closed.platform.close();
      await allowed.platform.close();
    }
  }, 60_000);
});
