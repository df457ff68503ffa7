import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// A page filtered by one type and sorted by score or year (`?type=TV&sort=-score`, the catalogue's
// commonest browse) used ix_animes_type to find the type's rows and then sorted all of them (a temp
// b-tree: 2.9 ms for the 20k-row catalogue's TV rows, growing with the catalogue). With the type
// leading the sort keys of migration 8, the index serves the filter and the order together and the
// page reads its first rows in order (0.2 ms). One per direction, as in migration 8.
export const migration: SqliteMigration = {
  version: 12,
  name: 'type-sort-indexes',
  sql: `CREATE INDEX ix_animes_type_score_sort ON animes (type, (score IS NULL), score);
CREATE INDEX ix_animes_type_score_sort_desc ON animes (type, (score IS NULL), score DESC);
CREATE INDEX ix_animes_type_year_sort ON animes (type, (year IS NULL), year);
CREATE INDEX ix_animes_type_year_sort_desc ON animes (type, (year IS NULL), year DESC);`,
};
