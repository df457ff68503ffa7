import type sql from 'mssql';
import type { InvalidationOutbox, OutboxEntry } from '../../core/ports/invalidation-outbox';
import { SQL } from './statements';

/** The cache invalidation outbox in SQL Server, shared by every API instance. */
export class MssqlInvalidationOutbox implements InvalidationOutbox {
  constructor(private readonly pool: sql.ConnectionPool) {}

  async append(tags: readonly string[]): Promise<number> {
    const result = await this.pool.request().input('tags', JSON.stringify(tags)).query(SQL.appendOutbox);
    return Number((result.recordset as { id: string | number }[])[0]!.id);
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    const rows = (
      await this.pool
        .request()
        .input('limit', limit)
        .query<{ id: string | number; tags_json: string }>(SQL.pendingOutbox)
    ).recordset;
    return rows.map((row) => ({ id: Number(row.id), tags: JSON.parse(row.tags_json) }));
  }

  async isPending(id: number): Promise<boolean> {
    return (await this.pool.request().input('id', id).query(SQL.outboxEntry)).recordset.length > 0;
  }

  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.pool.request().input('ids', JSON.stringify(ids)).query(SQL.removeOutbox);
  }

  async size(): Promise<number> {
    return (await this.pool.request().query<{ n: number }>(SQL.outboxSize)).recordset[0]!.n;
  }
}
