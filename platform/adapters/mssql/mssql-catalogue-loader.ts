import { randomUUID } from 'node:crypto';
import sql from 'mssql';
import { tsqlType } from '../../../catalogue/ddl';
import { ANIME_COLUMNS, type AnimeField, type TargetColumn } from '../../../catalogue/definition';
import type { AnimeInput } from '../../core/domain/anime';
import type {
  BeginOptions,
  CatalogueLoad,
  CatalogueLoader,
  LoadMode,
  LoadResult,
} from '../../core/ports/catalogue-loader';
import { recordValues, storedColumn } from '../sql/anime-row';
import { isDeadlock, withRetry } from './retry';
import { loaderStatements, SQL } from './statements';

/** The bulk-insert type of a staged column: the type the staging table declares (stagedColumnType). */
function bulkType(column: TargetColumn): sql.ISqlType | (() => sql.ISqlType) {
  const type = tsqlType(column);
  switch (type.name) {
    case 'NVARCHAR':
      return sql.NVarChar(type.length === 'MAX' ? sql.MAX : type.length);
    case 'INT':
      return sql.Int;
    case 'DECIMAL':
      return sql.Decimal(type.precision, type.scale);
  }
}

/** A deadlock victim's transaction was rolled back before COMMIT, so running it again is safe. */
const DEADLOCK_RETRY = {
  retryable: isDeadlock,
  maxAttempts: 3,
  baseDelayMs: 200,
  // However long the merge ran, a deadlock victim is retried.
  budgetMs: Number.POSITIVE_INFINITY,
} as const;

/**
 * Stages records with mssql's bulk insert into a table of its own (etl_staging_<uuid>), then
 * applies them in one transaction: nothing is visible before the commit, and a killed load leaves
 * only its staging table behind. UPDATE + INSERT + DELETE rather than MERGE: same effect in one
 * transaction, without MERGE's known concurrency pitfalls, and every statement parses in our tests.
 */
class MssqlCatalogueLoad implements CatalogueLoad {
  private readonly statements: ReturnType<typeof loaderStatements>;

  constructor(
    private readonly pool: sql.ConnectionPool,
    private readonly mode: LoadMode,
    private readonly source: string,
    readonly staging: string,
    fields?: readonly AnimeField[],
  ) {
    this.statements = loaderStatements(staging, fields);
  }

  async create(): Promise<void> {
    await this.pool.request().batch(this.statements.create);
  }

  async stage(records: readonly AnimeInput[]): Promise<void> {
    if (records.length === 0) return;
    const table = new sql.Table(this.staging);
    table.create = false;
    for (const column of ANIME_COLUMNS)
      table.columns.add(storedColumn(column), bulkType(column), { nullable: column.nullable });
    for (const record of records) {
      if (record.source !== this.source)
        throw new Error(`a load of source ${this.source} was given a record of source ${record.source}`);
      table.rows.add(...(recordValues(record) as (string | number | null)[]));
    }
    await this.pool.request().bulk(table);
  }

  async commit(): Promise<LoadResult> {
    try {
      return await withRetry(() => this.merge(), DEADLOCK_RETRY);
    } finally {
      await this.abort();
    }
  }

  /** One attempt at the merge transaction; the staged rows stay until commit() ends either way. */
  private async merge(): Promise<LoadResult> {
    const s = this.statements;
    const transaction = this.pool.transaction();
    await transaction.begin(sql.ISOLATION_LEVEL.SERIALIZABLE);
    const request = () => transaction.request().input('source', sql.NVarChar(32), this.source);
    const run = async (text: string) => (await request().query(text)).rowsAffected[0] ?? 0;
    try {
      await run(SQL.lockMarker);
      const deleted = this.mode === 'replace' ? await run(s.deleteAbsent) : 0;
      const updated = await run(s.updateChanged);
      const inserted = await run(s.insertNew);
      await run(s.insertGenres);
      await run(s.unlinkStaged);
      await run(s.linkStaged);
      const staged = ((await transaction.request().query(s.distinctStaged)).recordset[0] as { n: number }).n;
      const marker = (await transaction.request().query(SQL.marker)).recordset[0] as { version: number };
      await transaction.commit();
      return {
        inserted,
        updated,
        unchanged: staged - inserted - updated,
        deleted,
        dataVersion: Number(marker.version),
      };
    } catch (error) {
      await transaction.rollback().catch(() => undefined);
      throw error;
    }
  }

  async abort(): Promise<void> {
    await this.pool.request().batch(this.statements.drop);
  }
}

export class MssqlCatalogueLoader implements CatalogueLoader {
  constructor(private readonly pool: sql.ConnectionPool) {}

  async begin(mode: LoadMode, options: BeginOptions): Promise<CatalogueLoad> {
    const staging = `etl_staging_${randomUUID().replace(/-/g, '')}`;
    const load = new MssqlCatalogueLoad(this.pool, mode, options.source, staging, options.fields);
    await load.create();
    return load;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.pool.request().query(SQL.anyAnime)).recordset.length === 0;
  }
}
