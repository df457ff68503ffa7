import fc from 'fast-check';
import { compileQueryParser } from '../../api/http/input';
import { canonicalFilterQuery, toFilter } from '../../api/http/routes/anime-query';
import { ListAllQuery } from '../../api/http/schemas';
import { ALL_TAG, cacheSpec, EPOCH_TAG, rowTags } from '../../platform/core/cache/cache-keys';
import type { Anime } from '../../platform/core/domain/anime';
import { type AnimeFilter, FILTERS } from '../../platform/core/domain/filters';
import { matchesFilter } from '../contract/catalogue-oracle';
import { FIXTURE_GENRES, fixtureRecords } from '../support/fixtures';

const parse = compileQueryParser<Record<string, unknown>>(ListAllQuery);
const rows: Anime[] = fixtureRecords(200, 11).map((record, i) => ({
  ...record,
  id: i + 1,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}));

/** Raw query strings for every filter of the table, spelled in any case; values drawn from the rows. */
const spelledValue: Record<string, fc.Arbitrary<string>> = {
  type: fc.constantFrom(...new Set(rows.map((r) => r.type))).map((t) => t.toLowerCase()),
  genre: fc
    .constantFrom(...FIXTURE_GENRES)
    .chain((g) => fc.constantFrom(g, g.toUpperCase(), ` ${g.toLowerCase()} `)),
  year: fc.constantFrom(...rows.map((r) => r.year).filter((y) => y !== null)).map(String),
  yearFrom: fc.integer({ min: 1985, max: 2005 }).map(String),
  yearTo: fc.integer({ min: 1985, max: 2005 }).map(String),
  minScore: fc.double({ min: 0, max: 10, noNaN: true }).map(String),
  maxScore: fc.double({ min: 0, max: 10, noNaN: true }).map(String),
  q: fc.constantFrom('a', 'E', '魔法', ' 1'),
};

/** A filter without a spelling above draws the values its field takes in the rows (a filter added later included). */
function drawnFromRows(field: string): fc.Arbitrary<string> {
  const values = [
    ...new Set(rows.flatMap((r) => [r[field as keyof Anime]].flat().filter((v) => v !== null))),
  ];
  return fc.constantFrom(...values.map(String));
}

const rawQuery = fc.record(
  Object.fromEntries(FILTERS.map((f) => [f.param, spelledValue[f.param] ?? drawnFromRows(f.field)])),
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string>>;

/** The domain filter the route would run, or undefined when the route refuses the query. */
function routeFilter(raw: Record<string, string>): AnimeFilter | undefined {
  try {
    return toFilter(canonicalFilterQuery(parse(raw)));
  } catch {
    return undefined;
  }
}

/** A matching row's write must bump every tag of the entry: the entry's filter tags are the row's tags plus `all`. */
function coveredBy(tagsOfRow: (row: Anime) => string[]) {
  return fc.property(rawQuery, (raw) => {
    const filter = routeFilter(raw);
    fc.pre(filter !== undefined);
    const entryTags = cacheSpec('anime:all', filter as never).tags.filter((t) => t !== EPOCH_TAG);
    for (const row of rows.filter((r) => matchesFilter(r, filter!))) {
      const bumped = new Set([ALL_TAG, ...tagsOfRow(row)]);
      if (!entryTags.every((tag) => bumped.has(tag))) return false;
    }
    return true;
  });
}

describe('cache tags derived from the filter table', () => {
  it('for any row that matches a filter, the filter tags are a subset of the row tags plus all', () => {
    fc.assert(coveredBy(rowTags), { numRuns: 600 });
  });

  it('would catch row tags that disagree with filter tags (negative control: genre case kept)', () => {
    const caseKept = (row: Anime) =>
      rowTags({ ...row, genres: [] }).concat(row.genres.map((g) => `genre:${g}`));
    expect(fc.check(coveredBy(caseKept), { numRuns: 600 }).failed).toBe(true);
  });

  it('untagged filters fall back to the all tag; tagged ones never do', () => {
    expect(cacheSpec('anime:all', { minScore: 5 }).tags).toEqual([EPOCH_TAG, ALL_TAG]);
    expect(cacheSpec('anime:all', { type: ['OVA'], genre: ['action'] }).tags).toEqual([
      EPOCH_TAG,
      'genre:action',
      'type:OVA',
    ]);
  });
});
