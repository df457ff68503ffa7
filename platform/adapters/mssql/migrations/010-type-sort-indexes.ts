import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// A page filtered by one type and sorted by score or year: with the type leading migration 6's sort
// keys (the persisted null flags), one index seek serves the filter and the order together and the
// TOP n rows are read in order instead of sorting every row of the type. One per direction.
export const migration: TsqlMigration = {
  version: 10,
  name: 'type-sort-indexes',
  batches: [
    `CREATE INDEX ix_animes_type_score_sort ON animes ([type], score_missing, [score], id)`,
    `CREATE INDEX ix_animes_type_score_sort_desc ON animes ([type], score_missing, [score] DESC, id)`,
    `CREATE INDEX ix_animes_type_year_sort ON animes ([type], year_missing, [year], id)`,
    `CREATE INDEX ix_animes_type_year_sort_desc ON animes ([type], year_missing, [year] DESC, id)`,
  ],
};
