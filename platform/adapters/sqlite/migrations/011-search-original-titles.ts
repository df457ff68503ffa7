import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// `q` searches the original title too. An FTS5 phrase matches within one column, so one index over
// both columns answers "either contains it" with one lookup; the table and trigger names stay 007's.
export const migration: SqliteMigration = {
  version: 11,
  name: 'search-original-titles',
  sql: `DROP TRIGGER trg_animes_title_search_insert;
DROP TRIGGER trg_animes_title_search_delete;
DROP TRIGGER trg_animes_title_search_update;
DROP TABLE animes_title_search;
CREATE VIRTUAL TABLE animes_title_search USING fts5(
  title, original_title, content = 'animes', content_rowid = 'id', tokenize = 'trigram case_sensitive 0');
INSERT INTO animes_title_search (animes_title_search) VALUES ('rebuild');
CREATE TRIGGER trg_animes_title_search_insert AFTER INSERT ON animes BEGIN
  INSERT INTO animes_title_search (rowid, title, original_title) VALUES (new.id, new.title, new.original_title);
END;
CREATE TRIGGER trg_animes_title_search_delete AFTER DELETE ON animes BEGIN
  INSERT INTO animes_title_search (animes_title_search, rowid, title, original_title)
  VALUES ('delete', old.id, old.title, old.original_title);
END;
CREATE TRIGGER trg_animes_title_search_update AFTER UPDATE OF title, original_title ON animes BEGIN
  INSERT INTO animes_title_search (animes_title_search, rowid, title, original_title)
  VALUES ('delete', old.id, old.title, old.original_title);
  INSERT INTO animes_title_search (rowid, title, original_title) VALUES (new.id, new.title, new.original_title);
END;`,
};
