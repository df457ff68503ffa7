import Database from 'better-sqlite3';
import { migrate } from './migrations';

/**
 * Opens (creating if needed) a catalogue database and brings its schema up to date. busy_timeout
 * applies to the migration at start; SqliteWriteLock takes over the connection's writes after it.
 */
export function openDatabase(file: string, { busyTimeoutMs = 5000 } = {}): Database.Database {
  const db = new Database(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}
