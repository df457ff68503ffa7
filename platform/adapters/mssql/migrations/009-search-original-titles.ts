import type { TsqlMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// `q` searches the original title too. anime_title_trigrams now holds the distinct trigrams of
// both titles of a row (one table, so one lookup per trigram): a row either of whose titles
// contains a text has every trigram of the text, so the trigrams still only narrow and LIKE on
// each column decides. The trigger replaces a row's trigrams when either title changes.
export const migration: TsqlMigration = {
  version: 9,
  name: 'search-original-titles',
  batches: [
    `CREATE OR ALTER TRIGGER trg_animes_title_trigrams ON animes AFTER INSERT, UPDATE, DELETE AS
BEGIN
  SET NOCOUNT ON;
  DELETE t FROM anime_title_trigrams t JOIN deleted d ON d.id = t.anime_id
  WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = d.id
    AND i.[title] = d.[title] COLLATE Latin1_General_100_BIN2
    AND (i.[original_title] = d.[original_title] COLLATE Latin1_General_100_BIN2
      OR (i.[original_title] IS NULL AND d.[original_title] IS NULL)));
  WITH digits AS (SELECT v FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (v)),
  positions AS (SELECT a.v * 100 + b.v * 10 + c.v + 1 AS n FROM digits a CROSS JOIN digits b CROSS JOIN digits c),
  changed AS (
    SELECT i.id, i.[title], i.[original_title] FROM inserted i
    WHERE NOT EXISTS (SELECT 1 FROM deleted d WHERE d.id = i.id
      AND d.[title] = i.[title] COLLATE Latin1_General_100_BIN2
      AND (d.[original_title] = i.[original_title] COLLATE Latin1_General_100_BIN2
        OR (d.[original_title] IS NULL AND i.[original_title] IS NULL)))),
  texts AS (
    SELECT id, [title] AS body FROM changed
    UNION ALL SELECT id, [original_title] FROM changed WHERE [original_title] IS NOT NULL)
  INSERT INTO anime_title_trigrams (trigram, anime_id)
  SELECT DISTINCT SUBSTRING(x.body, p.n, 3), x.id
  FROM texts x JOIN positions p ON p.n <= DATALENGTH(x.body) / 2 - 2;
END`,
    `WITH digits AS (SELECT v FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (v)),
positions AS (SELECT a.v * 100 + b.v * 10 + c.v + 1 AS n FROM digits a CROSS JOIN digits b CROSS JOIN digits c),
missing AS (
  SELECT DISTINCT SUBSTRING(a.[original_title], p.n, 3) AS trigram, a.id
  FROM animes a JOIN positions p ON p.n <= DATALENGTH(a.[original_title]) / 2 - 2
  WHERE a.[original_title] IS NOT NULL)
INSERT INTO anime_title_trigrams (trigram, anime_id)
SELECT m.trigram, m.id FROM missing m
WHERE NOT EXISTS (SELECT 1 FROM anime_title_trigrams t WHERE t.trigram = m.trigram AND t.anime_id = m.id)`,
  ],
};
