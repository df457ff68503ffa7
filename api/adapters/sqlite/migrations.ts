import type Database from 'better-sqlite3';
import { LIST_COLUMNS, listTables, scalarColumnDefinitions } from '../../../catalogue/ddl';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const genres = listTables(LIST_COLUMNS[0]!);

const catalogue = `
CREATE TABLE animes (
  id INTEGER PRIMARY KEY,
  ${scalarColumnDefinitions('sqlite').join(',\n  ')},
  genres_json TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_animes_source_id ON animes (source_id);
CREATE INDEX ix_animes_type ON animes (type, id);
CREATE INDEX ix_animes_year ON animes (year, id);
CREATE INDEX ix_animes_score ON animes (score, id);
CREATE INDEX ix_animes_title ON animes (title COLLATE NOCASE, id);
CREATE TABLE ${genres.lookup} (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE);
CREATE TABLE ${genres.link} (
  anime_id INTEGER NOT NULL REFERENCES animes (id) ON DELETE CASCADE,
  ${genres.itemKey} INTEGER NOT NULL REFERENCES ${genres.lookup} (id),
  PRIMARY KEY (anime_id, ${genres.itemKey})
) WITHOUT ROWID;
CREATE INDEX ix_${genres.link}_item ON ${genres.link} (${genres.itemKey}, anime_id);
`;

// Every write, including manual SQL and other tools, moves the data version; the API polls it
// to invalidate its cache for writes that did not go through the API.
const dataVersion = `
CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO data_version (id, version) VALUES (1, 1);
${['INSERT', 'UPDATE', 'DELETE']
  .flatMap((event) =>
    ['animes', genres.link].map(
      (table) => `CREATE TRIGGER trg_${table}_${event.toLowerCase()}_data_version AFTER ${event} ON ${table}
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;`,
    ),
  )
  .join('\n')}
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'catalogue', sql: catalogue },
  { version: 2, name: 'data-version', sql: dataVersion },
  // `accounted` is the version up to which the API's own writes already invalidated the cache
  // precisely; the poller invalidates everything only for versions beyond it.
  {
    version: 3,
    name: 'data-version-accounted',
    sql: 'ALTER TABLE data_version ADD COLUMN accounted INTEGER NOT NULL DEFAULT 0; UPDATE data_version SET accounted = version;',
  },
  {
    version: 4,
    name: 'accounts',
    sql: `
CREATE TABLE users (
  uid TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  created_at TEXT NOT NULL
);
CREATE TABLE local_credentials (
  uid TEXT PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT,
  password_hash TEXT NOT NULL
);`,
  },
  {
    version: 5,
    name: 'cache-outbox',
    sql: `CREATE TABLE cache_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, tags_json TEXT NOT NULL, created_at TEXT NOT NULL);`,
  },
];

/** Applies pending migrations in order, each in its own transaction. Returns the versions applied. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
    done.push(migration.version);
  }
  return done;
}
