import type Database from 'better-sqlite3';
import { migration as catalogue } from './001-catalogue';
import { migration as dataVersion } from './002-data-version';
import { migration as dataVersionAccounted } from './003-data-version-accounted';
import { migration as accounts } from './004-accounts';
import { migration as cacheOutbox } from './005-cache-outbox';
import { migration as sourceNamespaces } from './006-source-namespaces';
import { migration as titleSearch } from './007-title-search';
import { migration as sortIndexes } from './008-sort-indexes';
import { migration as sessions } from './009-sessions';
import { migration as addOriginalTitle } from './010-add-original-title';
import { migration as searchOriginalTitles } from './011-search-original-titles';
import { migration as typeSortIndexes } from './012-type-sort-indexes';
import type { SqliteMigration } from './migration';

export type { SqliteMigration } from './migration';

export const MIGRATIONS: readonly SqliteMigration[] = [
  catalogue,
  dataVersion,
  dataVersionAccounted,
  accounts,
  cacheOutbox,
  sourceNamespaces,
  titleSearch,
  sortIndexes,
  sessions,
  addOriginalTitle,
  searchOriginalTitles,
  typeSortIndexes,
];

/** Applies pending migrations in order, each in its own transaction. Returns the versions applied. */
export function migrate(
  db: Database.Database,
  migrations: readonly SqliteMigration[] = MIGRATIONS,
): number[] {
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
