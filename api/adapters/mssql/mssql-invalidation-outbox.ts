import type sql from 'mssql';
import type { InvalidationOutbox } from '../../core/ports/invalidation-outbox';
import { SQL } from './statements';

/** The cache invalidation outbox in SQL Server, shared by every API instance. */
export class MssqlInvalidationOutbox implements InvalidationOutbox {
  constructor(private readonly pool: sql.ConnectionPool) {}

  async append(tags: readonly string[]): Promise<void> {
    if (tags.length) await this.pool.request().input('tags', JSON.stringify(tags)).query(SQL.appendOutbox);
  }

  async drain(apply: (tags: string[]) => Promise<void>): Promise<number> {
    const rows = (await this.pool.request().query<{ id: string | number; tags_json: string }>(SQL.readOutbox))
      .recordset;
    if (rows.length === 0) return 0;
    const tags = new Set<string>();
    for (const row of rows) for (const tag of JSON.parse(row.tags_json) as string[]) tags.add(tag);
    await apply([...tags]);
    await this.pool
      .request()
      .input('id', rows[rows.length - 1]!.id)
      .query(SQL.ackOutbox);
    return rows.length;
  }

  async size(): Promise<number> {
    return (await this.pool.request().query<{ n: number }>(SQL.outboxSize)).recordset[0]!.n;
  }
}
