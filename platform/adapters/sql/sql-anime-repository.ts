import type { Anime, AnimeInput } from '../../core/domain/anime';
import {
  type AnimeFilter,
  type AnimeSort,
  type Page,
  type PageRequest,
  seekPositionOf,
} from '../../core/domain/query';
import {
  type AnimeRepository,
  type CatalogueStats,
  ConflictError,
  type FacetCount,
  type InvalidatedTags,
  PreconditionFailedError,
  type Replacement,
  type WriteResult,
} from '../../core/ports/anime-repository';
import { type AnimeRow, animeFromRow, animeJsonMembers } from './anime-row';
import { type CatalogueSql, catalogueSql } from './catalogue-sql';
import { readRows, type SqlExecutor, type Work } from './sql-executor';

type Marker = { version: number; accounted: number };
const marker = (row: Record<string, unknown> | undefined): Marker => ({
  version: Number(row!.version),
  accounted: Number(row!.accounted),
});

/**
 * The catalogue over any SQL dialect: one algorithm for paging, stats, preconditions, list
 * relinking, the unique-key guard and the accounted-write protocol. The executor supplies the
 * dialect's statements, transactions and retries.
 */
export class SqlAnimeRepository implements AnimeRepository {
  private readonly sql: CatalogueSql;

  constructor(private readonly db: SqlExecutor) {
    this.sql = catalogueSql(db.dialect);
  }

  private readonly toAnime = (row: AnimeRow): Anime => animeFromRow(row, this.db.isoTimestamp);

  async list(filter: AnimeFilter, sort: AnimeSort, page: PageRequest): Promise<Page<Anime>> {
    // One read, so the count and the page see the same catalogue.
    const queries = [this.sql.list(filter, sort, page), ...(page.count ? [this.sql.count(filter)] : [])];
    const [found, counted] = await this.db.read(queries);
    const rows = found as AnimeRow[];
    const items = rows.slice(0, page.limit).map(this.toAnime);
    const total = counted ? { total: Number(counted[0]!.total) } : {};
    const last = items[items.length - 1];
    if (rows.length <= page.limit || !last) return { items, ...total };
    return { items, next: seekPositionOf(last, sort), ...total };
  }

  async *streamAll(
    filter: AnimeFilter,
    sort: AnimeSort,
    chunkRows: number,
  ): AsyncGenerator<readonly Anime[]> {
    for await (const rows of this.db.stream(this.sql.list(filter, sort), chunkRows))
      yield rows.map(this.toAnime);
  }

  streamAllJson(
    filter: AnimeFilter,
    sort: AnimeSort,
    chunkRows: number,
    fields?: readonly string[],
  ): AsyncIterable<Buffer> {
    return this.db.streamJson(this.sql.list(filter, sort), chunkRows, animeJsonMembers(fields));
  }

  async getById(id: number): Promise<Anime | null> {
    const [row] = (await readRows(this.db, this.sql.byId(id))) as AnimeRow[];
    return row ? this.toAnime(row) : null;
  }

  async genres(filter: AnimeFilter = {}): Promise<FacetCount[]> {
    return facets(await readRows(this.db, this.sql.genreFacets(filter)));
  }

  async types(filter: AnimeFilter = {}): Promise<FacetCount[]> {
    return facets(await readRows(this.db, this.sql.typeFacets(filter)));
  }

  async stats(filter: AnimeFilter = {}): Promise<CatalogueStats> {
    const [[totals], byYear, byType] = (await this.db.read([
      this.sql.totals(filter),
      this.sql.byYear(filter),
      this.sql.typeFacets(filter),
    ])) as [[Record<string, unknown>], Record<string, unknown>[], Record<string, unknown>[]];
    const average = totals.averageScore === null ? null : Number(totals.averageScore);
    return {
      total: Number(totals.total),
      averageScore: average === null ? null : Math.round(average * 1000) / 1000,
      byType: facets(byType),
      byYear: byYear.map((r) => ({ year: r.year === null ? null : Number(r.year), count: Number(r.count) })),
    };
  }

  async dataVersion(): Promise<number> {
    return (await this.changeMarker()).version;
  }

  async changeMarker(): Promise<Marker> {
    const [row] = await readRows(this.db, this.sql.marker());
    return marker(row);
  }

  async markAccounted(version: number): Promise<boolean> {
    const sql = this.sql;
    return this.db.write(function* () {
      return (yield sql.markAccounted(version)).changes === 1;
    });
  }

  /**
   * Runs an API write in one transaction. If no outside write was pending when it began, the
   * versions it adds are marked accounted: the caller invalidates their tags precisely. The
   * invalidation is recorded in the outbox in the same transaction.
   */
  private apiWrite(write: () => Work<WriteResult>, invalidates?: InvalidatedTags): Promise<WriteResult> {
    const sql = this.sql;
    return this.db.write(function* () {
      const start = marker((yield sql.marker(true)).rows[0]);
      const result = yield* write();
      if (start.accounted === start.version) yield sql.accountAll;
      const tags = invalidates && (result.before || result.after) ? invalidates(result) : [];
      if (!tags.length) return result;
      const [entry] = (yield sql.appendOutbox(tags)).rows;
      return { ...result, outboxId: Number(entry!.id), tags };
    });
  }

  /** The row as it is now, read with the dialect's lock; PreconditionFailedError on a version mismatch. */
  private *current(id: number, expectedVersion?: number): Work<Anime | null> {
    const [row] = (yield this.sql.byId(id, true)).rows;
    if (!row) return null;
    const anime = this.toAnime(row);
    if (expectedVersion !== undefined && anime.version !== expectedVersion)
      throw new PreconditionFailedError(`anime ${id} is at version ${anime.version}, not ${expectedVersion}`);
    return anime;
  }

  private *relink(id: number, input: AnimeInput): Work<void> {
    for (const statement of this.sql.relinkLists(id, input)) yield statement;
  }

  private async guardUnique(
    input: () => AnimeInput | undefined,
    write: () => Promise<WriteResult>,
  ): Promise<WriteResult> {
    try {
      return await write();
    } catch (error) {
      const written = input();
      if (this.db.isUniqueViolation(error) && written)
        throw new ConflictError(
          `an anime with source "${written.source}" and sourceId "${written.sourceId}" already exists`,
        );
      throw error;
    }
  }

  create(input: AnimeInput, invalidates?: InvalidatedTags): Promise<WriteResult> {
    const self = this;
    return this.guardUnique(
      () => input,
      () =>
        this.apiWrite(function* () {
          const id = Number((yield self.sql.insertAnime(input)).rows[0]!.id);
          yield* self.relink(id, input);
          return { before: null, after: yield* self.current(id) };
        }, invalidates),
    );
  }

  update(
    id: number,
    replacement: AnimeInput | Replacement,
    expectedVersion?: number,
    invalidates?: InvalidatedTags,
  ): Promise<WriteResult> {
    const self = this;
    let input: AnimeInput | undefined;
    return this.guardUnique(
      () => input,
      () =>
        this.apiWrite(function* () {
          const before = yield* self.current(id, expectedVersion);
          if (!before) return { before: null, after: null };
          input = typeof replacement === 'function' ? replacement(before) : replacement;
          yield self.sql.updateAnime(id, input);
          yield* self.relink(id, input);
          return { before, after: yield* self.current(id) };
        }, invalidates),
    );
  }

  remove(id: number, expectedVersion?: number, invalidates?: InvalidatedTags): Promise<WriteResult> {
    const self = this;
    return this.apiWrite(function* () {
      const before = yield* self.current(id, expectedVersion);
      if (before) yield self.sql.deleteAnime(id);
      return { before, after: null };
    }, invalidates);
  }

  async ping(): Promise<void> {
    await readRows(this.db, this.sql.ping);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function facets(rows: readonly Record<string, unknown>[]): FacetCount[] {
  return rows.map((row) => ({ value: String(row.value), count: Number(row.count) }));
}
