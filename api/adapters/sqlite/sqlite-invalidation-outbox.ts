import type Database from 'better-sqlite3';
import type { InvalidationOutbox } from '../../core/ports/invalidation-outbox';

/** The outbox as a table in the catalogue database: it survives restarts and is shared by instances. */
export class SqliteInvalidationOutbox implements InvalidationOutbox {
  constructor(private readonly db: Database.Database) {}

  async append(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    this.db
      .prepare('INSERT INTO cache_outbox (tags_json, created_at) VALUES (?, ?)')
      .run(JSON.stringify(tags), new Date().toISOString());
  }

  async drain(apply: (tags: string[]) => Promise<void>): Promise<number> {
    const rows = this.db.prepare('SELECT id, tags_json FROM cache_outbox ORDER BY id').all() as {
      id: number;
      tags_json: string;
    }[];
    if (rows.length === 0) return 0;
    const tags = new Set<string>();
    for (const row of rows) for (const tag of JSON.parse(row.tags_json) as string[]) tags.add(tag);
    await apply([...tags]);
    // Only what was applied: entries appended meanwhile wait for the next drain.
    this.db.prepare('DELETE FROM cache_outbox WHERE id <= ?').run(rows[rows.length - 1]!.id);
    return rows.length;
  }

  async size(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM cache_outbox').get() as { n: number }).n;
  }
}
