import type * as FiltersModule from '../../platform/core/domain/filters';
import { withPatchedModule } from '../support/patched-module';

/**
 * Adding a filter is one entry in FILTERS: this loads the layers against a table with one more
 * entry (the docs' `minEpisodes`, a `min` on `episodes`, under a name no real change would use, so
 * a user who adds `minEpisodes` keeps this test passing) and checks that each derives its part of it.
 */
describe('adding a filter: one table entry (worked example)', () => {
  const minEpisodes = {
    param: 'workedExampleMinEpisodes',
    field: 'episodes',
    kind: 'min',
    tagged: false,
    description: 'At least this many episodes',
  } as const;

  const withMinEpisodes = <T>(use: () => T) =>
    withPatchedModule<typeof FiltersModule, T>(
      '../../platform/core/domain/filters',
      (actual) => ({ FILTERS: [...actual.FILTERS, minEpisodes] as never }),
      use,
    );

  it('reaches the HTTP schema, the SQL, the canonical query and the oracle', () => {
    const { schema, sql, filter, oracle } = withMinEpisodes(() => {
      const { ListQuery } = require('../../api/http/schemas');
      const { whereClause } = require('../../platform/adapters/sql/filter-sql');
      const { sqliteDialect } = require('../../platform/adapters/sqlite/sqlite-dialect');
      const { toFilter, canonicalFilterQuery } = require('../../api/http/routes/anime-query');
      const { matchesFilter } = require('../contract/catalogue-oracle');
      const params: unknown[] = [];
      const filter = toFilter(canonicalFilterQuery({ workedExampleMinEpisodes: 12, type: ['TV'] }));
      const sql = { where: whereClause(filter, sqliteDialect.rules(params)), params };
      const row = {
        type: 'TV',
        episodes: 24,
        genres: [],
        title: 'x',
        year: null,
        score: null,
        sourceId: 's',
      };
      return {
        schema: ListQuery.properties.workedExampleMinEpisodes,
        sql,
        filter,
        oracle: [matchesFilter(row, filter), matchesFilter({ ...row, episodes: 6 }, filter)],
      };
    });
    expect(schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 100000 });
    expect(filter).toEqual({ type: ['TV'], workedExampleMinEpisodes: 12 });
    expect(sql.where).toEqual(['a.type IN (?)', 'a.episodes >= ?']);
    expect(sql.params).toEqual(['TV', 12]);
    expect(oracle).toEqual([true, false]);
  });
});
