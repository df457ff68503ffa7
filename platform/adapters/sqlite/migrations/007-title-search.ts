import type { SqliteMigration } from './migration';

// Frozen: applied as written to every database that has not yet seen it. Never edit; add a migration.
// `q` is a substring search: LIKE '%x%' reads every title. A trigram index answers it from the
// trigrams of the text instead; case_sensitive 0 folds case, Unicode-wide. It is an external-content
// table over animes.title (no second copy of the titles), kept in step by triggers; the catalogue
// loader rebuilds it in one pass when it fills an empty catalogue with its triggers suspended.
export const migration: SqliteMigration = {
  version: 7,
  name: 'title-search',
  sql: `CREATE VIRTUAL TABLE animes_title_search USING fts5(
  title, content = 'animes', content_rowid = 'id', tokenize = 'trigram case_sensitive 0');
INSERT INTO animes_title_search (animes_title_search) VALUES ('rebuild');
CREATE TRIGGER trg_animes_title_search_insert AFTER INSERT ON animes BEGIN
  INSERT INTO animes_title_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER trg_animes_title_search_delete AFTER DELETE ON animes BEGIN
  INSERT INTO animes_title_search (animes_title_search, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER trg_animes_title_search_update AFTER UPDATE OF title ON animes BEGIN
  INSERT INTO animes_title_search (animes_title_search, rowid, title) VALUES ('delete', old.id, old.title);
  INSERT INTO animes_title_search (rowid, title) VALUES (new.id, new.title);
END;`,
};
