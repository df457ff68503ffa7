import type { InvalidationOutbox, OutboxEntry } from '../../core/ports/invalidation-outbox';
import { type CatalogueSql, catalogueSql } from './catalogue-sql';
import { readRows, rowsOf, type SqlExecutor } from './sql-executor';

/** The outbox as a table in the catalogue database: it survives restarts and is shared by instances. */
export class SqlInvalidationOutbox implements InvalidationOutbox {
  private readonly sql: CatalogueSql;

  constructor(private readonly db: SqlExecutor) {
    this.sql = catalogueSql(db.dialect);
  }

  async append(tags: readonly string[]): Promise<number> {
    const [entry] = await this.db.write(() => rowsOf(this.sql.appendOutbox(tags)));
    return Number(entry!.id);
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    const rows = await readRows(this.db, this.sql.pendingOutbox(limit));
    return rows.map((row) => ({ id: Number(row.id), tags: JSON.parse(String(row.tags_json)) }));
  }

  async isPending(id: number): Promise<boolean> {
    return (await readRows(this.db, this.sql.outboxEntry(id))).length > 0;
  }

  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.db.write(() => rowsOf(this.sql.removeOutbox(ids)));
  }

  async size(): Promise<number> {
    return Number((await readRows(this.db, this.sql.outboxSize))[0]!.n);
  }
}
