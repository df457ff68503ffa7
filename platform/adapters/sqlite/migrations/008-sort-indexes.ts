import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// A page sorted by score or year orders by (col IS NULL), col [DESC], id: nulls last in both
// directions, ties by ascending id. An index whose keys are exactly that order (SQLite appends the
// rowid ascending to every index key) lets a page read its first rows in order instead of sorting
// every row; one per direction, since the null flag stays ascending while the value turns. Titles
// need none: ix_animes_title serves ascending, and descending reads it backwards, sorting only the
// ids of equal titles (SQLite's "temp b-tree for last term").
export const migration: SqliteMigration = {
  version: 8,
  name: 'sort-indexes',
  sql: `CREATE INDEX ix_animes_score_sort ON animes ((score IS NULL), score);
CREATE INDEX ix_animes_score_sort_desc ON animes ((score IS NULL), score DESC);
CREATE INDEX ix_animes_year_sort ON animes ((year IS NULL), year);
CREATE INDEX ix_animes_year_sort_desc ON animes ((year IS NULL), year DESC);`,
};
