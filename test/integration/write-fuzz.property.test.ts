import fc from 'fast-check';
import request from 'supertest';
import { ANIME_TYPES } from '../../platform/core/domain/anime';
import { createTestApp, signedUpAdmin } from '../support/test-app';

/** Bodies near the valid shape (to get past the first check) and anything JSON can hold. */
const animeLike = fc.record(
  {
    sourceId: fc.oneof(fc.string(), fc.integer()),
    title: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('')),
    type: fc.oneof(fc.constantFrom(...ANIME_TYPES), fc.string()),
    year: fc.oneof(fc.integer({ min: 1800, max: 2200 }), fc.constant(null), fc.string()),
    score: fc.oneof(fc.double({ noNaN: false }), fc.constant(null)),
    episodes: fc.oneof(fc.integer(), fc.constant(null)),
    genres: fc.oneof(fc.array(fc.string({ maxLength: 80 }), { maxLength: 60 }), fc.string()),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const credentialsLike = fc.record(
  {
    email: fc.oneof(fc.emailAddress(), fc.string(), fc.integer()),
    password: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null)),
    displayName: fc.oneof(fc.string({ maxLength: 150 }), fc.integer()),
    idToken: fc.oneof(fc.string({ maxLength: 9000 }), fc.constant('a.b.c')),
  },
  { requiredKeys: [] },
);
const anyBody = fc.oneof(fc.jsonValue(), animeLike, credentialsLike);

describe('random JSON bodies on every write and auth endpoint', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  let auth: Record<string, string>;
  beforeAll(async () => {
    ctx = await createTestApp({ authRateLimits: { windowMs: 60_000, perIp: 100_000, perEmail: 100_000 } });
    auth = await signedUpAdmin(ctx.server);
  });
  afterAll(() => ctx.store.close());

  // The 5xx an endpoint documents for a valid body: the local identity provider issues no ID
  // tokens, so a well-formed exchange is its documented 501 (a random body hits it now and then).
  const endpoints: [string, string, boolean, number[]][] = [
    ['post', '/animes', true, []],
    ['put', '/animes/3', true, []],
    ['patch', '/animes/4', true, []],
    ['post', '/auth/signup', false, []],
    ['post', '/auth/signin', false, []],
    ['post', '/auth/token', false, [501]],
  ];

  it.each(endpoints)(
    '%s %s: never a 500, every error is problem+json',
    async (method, path, admin, documented) => {
      const seen = new Set<number>();
      await fc.assert(
        fc.asyncProperty(anyBody, fc.boolean(), async (body, raw) => {
          let req = (request(ctx.server) as unknown as Record<string, (p: string) => request.Test>)[method]!(
            path,
          );
          if (admin) req = req.set(auth);
          // Sometimes the bytes are not JSON at all.
          const text = JSON.stringify(body) ?? 'null';
          const res = await req.set('Content-Type', 'application/json').send(raw ? `${text}}` : text);
          seen.add(res.status);
          if (!documented.includes(res.status)) expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.body.status).toBe(res.status);
            expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(ts|js):\d+/);
          }
        }),
        { numRuns: path.startsWith('/auth/signup') ? 40 : 120 },
      );
      expect([...seen].some((s) => s === 400)).toBe(true);
    },
    60_000,
  );
});
