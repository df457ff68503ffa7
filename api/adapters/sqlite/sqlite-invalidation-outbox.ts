import type Database from 'better-sqlite3';
import type { InvalidationOutbox, OutboxEntry } from '../../core/ports/invalidation-outbox';
import type { SqliteWriteLock } from './busy';

/** The outbox as a table in the catalogue database: it survives restarts and is shared by instances. */
export class SqliteInvalidationOutbox implements InvalidationOutbox {
  private readonly pendingRows: Database.Statement<[number], { id: number; tags_json: string }>;
  private readonly one: Database.Statement<[number], { id: number }>;
  private readonly count: Database.Statement<[], { n: number }>;
  private readonly removal: Database.Statement<[string]>;
  private readonly insertion: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly writes: SqliteWriteLock,
  ) {
    this.insertion = db.prepare('INSERT INTO cache_outbox (tags_json, created_at) VALUES (?, ?)');
    this.pendingRows = db.prepare('SELECT id, tags_json FROM cache_outbox ORDER BY id LIMIT ?');
    this.one = db.prepare('SELECT id FROM cache_outbox WHERE id = ?');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM cache_outbox');
    this.removal = db.prepare('DELETE FROM cache_outbox WHERE id IN (SELECT value FROM json_each(?))');
  }

  /** Appends an entry synchronously, so it can run inside the caller's transaction (an API write's). */
  insert(tags: readonly string[]): number {
    return Number(this.insertion.run(JSON.stringify(tags), new Date().toISOString()).lastInsertRowid);
  }

  async append(tags: readonly string[]): Promise<number> {
    return this.writes.run(() => this.insert(tags));
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    return this.pendingRows.all(limit).map((row) => ({ id: row.id, tags: JSON.parse(row.tags_json) }));
  }

  async isPending(id: number): Promise<boolean> {
    return this.one.get(id) !== undefined;
  }

  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.writes.run(() => this.removal.run(JSON.stringify(ids)));
  }

  async size(): Promise<number> {
    return this.count.get()!.n;
  }
}
