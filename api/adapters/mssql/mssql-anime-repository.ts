import sql from 'mssql';
import type { Anime, AnimeInput } from '../../core/domain/anime';
import type { AnimeFilter, AnimeSort, Page, PageRequest } from '../../core/domain/query';
import {
  type AnimeRepository,
  type CatalogueStats,
  ConflictError,
  type FacetCount,
  type InvalidatedTags,
  PreconditionFailedError,
  type WriteResult,
} from '../../core/ports/anime-repository';
import { ANIME_ROW_COLUMNS } from '../sql/anime-row';
import { orderBy, seekPredicate, whereClause } from '../sql/filter-sql';
import { type RetryPolicy, withRetry } from './retry';
import { isUniqueViolation, type MssqlAnimeRow, toAnime } from './rows';
import { SQL } from './statements';
import { type BoundParameter, topLiteral, tsqlRules } from './tsql-rules';

type Inputs = Record<string, unknown>;

/** An error raised once COMMIT was sent: whether it took effect is unknown, so it is never retried. */
class CommitOutcomeUnknown extends Error {}

/** The list query for a filter, sort and optional page, with its parameters (exported for the parser test). */
export function listQuery(filter: AnimeFilter, sort: AnimeSort, page?: PageRequest) {
  const params: BoundParameter[] = [];
  const rules = tsqlRules(params);
  const where = whereClause(filter, rules);
  if (page?.after) where.push(seekPredicate(sort, page.after, rules));
  const text = `SELECT ${page ? topLiteral(page.limit + 1) : ''}${ANIME_ROW_COLUMNS} FROM animes a${
    where.length ? ` WHERE ${where.join(' AND ')}` : ''
  } ORDER BY ${orderBy(sort, rules)}`;
  return { text, params };
}

/** Azure SQL / SQL Server catalogue, held to the same contract suite as SQLite. */
export class MssqlAnimeRepository implements AnimeRepository {
  constructor(
    private readonly pool: sql.ConnectionPool,
    private readonly retry: RetryPolicy = {},
  ) {}

  private async read<T>(text: string, inputs: Inputs = {}): Promise<T[]> {
    return withRetry(async () => {
      const request = this.pool.request();
      for (const [name, value] of Object.entries(inputs)) request.input(name, value);
      return (await request.query<T>(text)).recordset;
    }, this.retry);
  }

  async list(filter: AnimeFilter, sort: AnimeSort, page: PageRequest): Promise<Page<Anime>> {
    const { text, params } = listQuery(filter, sort, page);
    const rows = await this.read<MssqlAnimeRow>(
      text,
      Object.fromEntries(params.map((p) => [p.name, p.value])),
    );
    const items = rows.slice(0, page.limit).map(toAnime);
    const last = items[items.length - 1];
    if (rows.length <= page.limit || !last) return { items };
    return { items, next: { value: last[sort.field], id: last.id } };
  }

  async listAll(filter: AnimeFilter, sort: AnimeSort): Promise<Anime[]> {
    const { text, params } = listQuery(filter, sort);
    return (
      await this.read<MssqlAnimeRow>(text, Object.fromEntries(params.map((p) => [p.name, p.value])))
    ).map(toAnime);
  }

  async getById(id: number): Promise<Anime | null> {
    const [row] = await this.read<MssqlAnimeRow>(SQL.animeById, { id });
    return row ? toAnime(row) : null;
  }

  genres(): Promise<FacetCount[]> {
    return this.read<FacetCount>(SQL.genreFacets);
  }

  types(): Promise<FacetCount[]> {
    return this.read<FacetCount>(SQL.typeFacets);
  }

  async stats(): Promise<CatalogueStats> {
    const [totals] = await this.read<{ total: number; averageScore: number | null }>(SQL.totals);
    const byYear = await this.read<CatalogueStats['byYear'][number]>(SQL.byYear);
    const average = totals!.averageScore;
    return {
      total: totals!.total,
      averageScore: average === null ? null : Math.round(average * 1000) / 1000,
      byType: await this.types(),
      byYear,
    };
  }

  async dataVersion(): Promise<number> {
    return (await this.changeMarker()).version;
  }

  async changeMarker(): Promise<{ version: number; accounted: number }> {
    const [row] = await this.read<{ version: string | number; accounted: string | number }>(SQL.marker);
    return { version: Number(row!.version), accounted: Number(row!.accounted) };
  }

  async markAccounted(version: number): Promise<boolean> {
    return withRetry(
      async () =>
        (await this.pool.request().input('version', version).query(SQL.markAccounted)).rowsAffected[0] === 1,
      this.retry,
    );
  }

  /**
   * An API write in one transaction. If no outside write was pending when it began, the versions
   * it adds are marked accounted (the caller invalidates precisely). Transient failures before
   * COMMIT retry the whole transaction; a failure during COMMIT is never retried.
   */
  private apiWrite(
    write: (run: (text: string, inputs?: Inputs) => Promise<sql.IResult<unknown>>) => Promise<WriteResult>,
    invalidates?: InvalidatedTags,
  ) {
    return withRetry(async () => {
      const transaction = this.pool.transaction();
      await transaction.begin(sql.ISOLATION_LEVEL.READ_COMMITTED);
      const run = (text: string, inputs: Inputs = {}) => {
        const request = transaction.request();
        for (const [name, value] of Object.entries(inputs)) request.input(name, value);
        return request.query(text);
      };
      let result: WriteResult;
      try {
        const [start] = (await run(SQL.markerLocked)).recordset as { version: number; accounted: number }[];
        result = await write(run);
        if (Number(start!.accounted) === Number(start!.version)) await run(SQL.accountAll);
        const tags = invalidates && (result.before || result.after) ? invalidates(result) : [];
        if (tags.length) {
          const [entry] = (await run(SQL.appendOutbox, { tags: JSON.stringify(tags) })).recordset as {
            id: string | number;
          }[];
          result = { ...result, outboxId: Number(entry!.id) };
        }
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        throw error;
      }
      try {
        await transaction.commit();
      } catch (error) {
        throw new CommitOutcomeUnknown(`commit failed: ${(error as Error).message}`);
      }
      return result;
    }, this.retry);
  }

  private async current(
    run: (text: string, inputs?: Inputs) => Promise<sql.IResult<unknown>>,
    id: number,
    expectedVersion?: number,
  ) {
    const [row] = (await run(SQL.animeByIdLocked, { id })).recordset as MssqlAnimeRow[];
    if (!row) return null;
    if (expectedVersion !== undefined && row.version !== expectedVersion)
      throw new PreconditionFailedError(`anime ${id} is at version ${row.version}, not ${expectedVersion}`);
    return toAnime(row);
  }

  private async linkGenres(
    run: (text: string, inputs?: Inputs) => Promise<sql.IResult<unknown>>,
    id: number,
    genres: readonly string[],
  ) {
    await run(SQL.unlinkGenres, { id });
    for (const name of genres) {
      await run(SQL.ensureGenre, { name });
      await run(SQL.linkGenre, { id, name });
    }
  }

  private async guardUnique(sourceId: string, write: () => Promise<WriteResult>): Promise<WriteResult> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`an anime with sourceId "${sourceId}" already exists`);
      throw error;
    }
  }

  private static values(input: AnimeInput): Inputs {
    return {
      sourceId: input.sourceId,
      title: input.title,
      type: input.type,
      year: input.year,
      score: input.score,
      episodes: input.episodes,
      genres: JSON.stringify(input.genres),
    };
  }

  create(input: AnimeInput, invalidates?: InvalidatedTags): Promise<WriteResult> {
    return this.guardUnique(input.sourceId, () =>
      this.apiWrite(async (run) => {
        const [inserted] = (await run(SQL.insertAnime, MssqlAnimeRepository.values(input))).recordset as {
          id: number;
        }[];
        const id = inserted!.id;
        await this.linkGenres(run, id, input.genres);
        return { before: null, after: await this.current(run, id) };
      }, invalidates),
    );
  }

  update(
    id: number,
    input: AnimeInput,
    expectedVersion?: number,
    invalidates?: InvalidatedTags,
  ): Promise<WriteResult> {
    return this.guardUnique(input.sourceId, () =>
      this.apiWrite(async (run) => {
        const before = await this.current(run, id, expectedVersion);
        if (!before) return { before: null, after: null };
        await run(SQL.updateAnime, { ...MssqlAnimeRepository.values(input), id });
        await this.linkGenres(run, id, input.genres);
        return { before, after: await this.current(run, id) };
      }, invalidates),
    );
  }

  remove(id: number, expectedVersion?: number, invalidates?: InvalidatedTags): Promise<WriteResult> {
    return this.apiWrite(async (run) => {
      const before = await this.current(run, id, expectedVersion);
      if (before) await run(SQL.deleteAnime, { id });
      return { before, after: null };
    }, invalidates);
  }

  async ping(): Promise<void> {
    await this.read(SQL.ping);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
