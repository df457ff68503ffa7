import fc from 'fast-check';
import { compileQueryParser } from '../../api/http/input';
import { ListQuery } from '../../api/http/schemas';
import { cacheSpec } from '../../platform/core/cache/cache-keys';

const parse = compileQueryParser<Record<string, unknown>>(ListQuery);
const TYPES = ['TV', 'MOVIE', 'OVA', 'ONA', 'SPECIAL', 'MUSIC'];

/** A query as a client might spell it: any order, any case, lists repeated or comma-joined. */
const spelled = fc
  .record(
    {
      type: fc.uniqueArray(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 3 }),
      year: fc.integer({ min: 1990, max: 2000 }),
      minScore: fc.constantFrom(5, 7.5),
      sort: fc.constantFrom('score', '-year', 'title'),
      limit: fc.constantFrom(10, 50),
    },
    { requiredKeys: [] },
  )
  .chain((query) =>
    fc.tuple(
      fc.constant(query),
      fc.boolean(),
      fc.boolean(),
      fc.shuffledSubarray(Object.keys(query), { minLength: Object.keys(query).length }),
    ),
  );

function spell([query, lower, comma, order]: [Record<string, unknown>, boolean, boolean, string[]]) {
  const raw: Record<string, string | string[]> = {};
  for (const name of order) {
    const value = query[name];
    if (Array.isArray(value)) {
      const items = value.map((v: string) => (lower ? v.toLowerCase() : v));
      raw[name] = comma ? items.join(',') : items;
    } else raw[name] = String(value);
  }
  return raw;
}

describe('cache keys (property)', () => {
  it('gives equivalent spellings of a query one key', () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const keyA = cacheSpec('anime:list', parse(spell(a)) as never).key;
        const keyB = cacheSpec(
          'anime:list',
          parse(spell([a[0], b[1], b[2], [...a[3]].reverse()])) as never,
        ).key;
        expect(keyA).toBe(keyB);
      }),
    );
  });

  it('gives different result sets different keys', () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const qa = parse(spell(a));
        const qb = parse(spell(b));
        const same = JSON.stringify(normalize(qa)) === JSON.stringify(normalize(qb));
        expect(cacheSpec('anime:list', qa as never).key === cacheSpec('anime:list', qb as never).key).toBe(
          same,
        );
      }),
    );
  });

  it('defaults count as given, and keys stay readable with tags for equality filters', () => {
    expect(cacheSpec('anime:list', parse({}) as never).key).toBe(
      cacheSpec('anime:list', parse({ limit: '50', sort: 'id' }) as never).key,
    );
    const spec = cacheSpec('anime:list', parse({ type: 'ova,TV', genre: 'Action', year: '2001' }) as never);
    expect(spec.key).toBe('anime:list:genre=Action&limit=50&sort=id&type=OVA,TV&year=2001');
    expect(spec.tags).toEqual(['epoch', 'genre:action', 'type:OVA', 'type:TV', 'year:2001']);
    expect(cacheSpec('anime:list', parse({ minScore: '5' }) as never).tags).toEqual(['epoch', 'all']);
  });
});

function normalize(query: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(query)
      .map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}
