import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
//
// Sorts. A page sorted by score or year orders by (null flag), value [DESC], id: nulls last in both
// directions, ties by ascending id. The flags are persisted computed columns the T-SQL dialect
// orders by, so an index per direction carries exactly that order and a first page reads its TOP n
// rows in order instead of sorting the catalogue. Titles descend with ascending ids, which
// ix_animes_title (title, id) cannot give read backwards: one more index for that direction.
//
// Search. LIKE '%x%' scans every title. anime_title_trigrams holds every distinct 3-character
// window of every title (by UTF-16 code unit, as SUBSTRING counts them, under the database's
// collation, as LIKE compares), kept in step by a trigger. A title contains a text only if it has
// each of the text's trigrams, so the trigrams narrow the candidates and the same LIKE as before
// decides: results are exactly LIKE's.
export const migration: TsqlMigration = {
  version: 6,
  name: 'sort-and-search-indexes',
  batches: [
    `ALTER TABLE animes ADD score_missing AS CAST(CASE WHEN [score] IS NULL THEN 1 ELSE 0 END AS TINYINT) PERSISTED`,
    `ALTER TABLE animes ADD year_missing AS CAST(CASE WHEN [year] IS NULL THEN 1 ELSE 0 END AS TINYINT) PERSISTED`,
    `CREATE INDEX ix_animes_score_sort ON animes (score_missing, [score], id)`,
    `CREATE INDEX ix_animes_score_sort_desc ON animes (score_missing, [score] DESC, id)`,
    `CREATE INDEX ix_animes_year_sort ON animes (year_missing, [year], id)`,
    `CREATE INDEX ix_animes_year_sort_desc ON animes (year_missing, [year] DESC, id)`,
    `CREATE INDEX ix_animes_title_desc ON animes ([title] DESC, id)`,
    `CREATE TABLE anime_title_trigrams (trigram NCHAR(3) NOT NULL, anime_id INT NOT NULL,
  CONSTRAINT pk_anime_title_trigrams PRIMARY KEY (trigram, anime_id))`,
    `CREATE INDEX ix_anime_title_trigrams_anime ON anime_title_trigrams (anime_id)`,
    `CREATE TRIGGER trg_animes_title_trigrams ON animes AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  DELETE t FROM anime_title_trigrams t JOIN deleted d ON d.id = t.anime_id
  WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = d.id AND i.[title] = d.[title] COLLATE Latin1_General_100_BIN2);
  WITH digits AS (SELECT v FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (v)),
  positions AS (SELECT a.v * 100 + b.v * 10 + c.v + 1 AS n FROM digits a CROSS JOIN digits b CROSS JOIN digits c)
  INSERT INTO anime_title_trigrams (trigram, anime_id)
  SELECT DISTINCT SUBSTRING(i.[title], p.n, 3), i.id
  FROM inserted i JOIN positions p ON p.n <= DATALENGTH(i.[title]) / 2 - 2
  WHERE NOT EXISTS (SELECT 1 FROM deleted d WHERE d.id = i.id AND d.[title] = i.[title] COLLATE Latin1_General_100_BIN2);
END`,
    `WITH digits AS (SELECT v FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (v)),
positions AS (SELECT a.v * 100 + b.v * 10 + c.v + 1 AS n FROM digits a CROSS JOIN digits b CROSS JOIN digits c)
INSERT INTO anime_title_trigrams (trigram, anime_id)
SELECT DISTINCT SUBSTRING(a.[title], p.n, 3), a.id
FROM animes a JOIN positions p ON p.n <= DATALENGTH(a.[title]) / 2 - 2`,
  ],
};
