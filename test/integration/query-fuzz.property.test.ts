import fc from 'fast-check';
import request from 'supertest';
import { createTestApp } from '../support/test-app';

const NAMES = [
  'type',
  'genre',
  'year',
  'yearFrom',
  'yearTo',
  'minScore',
  'maxScore',
  'q',
  'sort',
  'limit',
  'cursor',
];
const value = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '',
    'TV',
    'ova,tv',
    'Action',
    '-score',
    'title',
    '0',
    '-1',
    '1e309',
    'NaN',
    '2001',
    '9.5',
    '1000',
    '1001',
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ unit: 'grapheme' }),
);
const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ minLength: 1 })), value), {
  maxLength: 6,
});

describe('query strings (property)', () => {
  let ctx: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.store.close());

  it.each(['/animes', '/animes/all'])(
    '%s answers 200 or a 400 problem naming a sent parameter, never 500',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(pairs, async (params) => {
          const query = new URLSearchParams(params).toString();
          const res = await request(ctx.server).get(`${path}?${query}`);
          expect([200, 400]).toContain(res.status);
          if (res.status === 400) {
            expect(res.headers['content-type']).toBe('application/problem+json');
            const sent = new Set(params.map(([name]) => name));
            const named = (res.body['invalid-params'] as { name: string }[]).map((p) => p.name);
            expect(named.length).toBeGreaterThan(0);
            // A list item is named `type.0`; anything else must be a parameter exactly as sent.
            for (const name of named)
              expect(sent.has(name) || sent.has(name.replace(/\.\d+$/, ''))).toBe(true);
            expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it('never answers 500 to arbitrary raw query strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), async (raw) => {
        const res = await request(ctx.server).get(`/animes?${encodeURI(raw).replace(/#/g, '%23')}`);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });
});
