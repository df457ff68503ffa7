import type { Anime, AnimeInput } from '../domain/anime';
import type { AnimeFilter, AnimeSort, Page, PageRequest } from '../domain/query';

export interface FacetCount {
  value: string;
  count: number;
}

export interface CatalogueStats {
  total: number;
  averageScore: number | null;
  byType: FacetCount[];
  byYear: { year: number | null; count: number }[];
}

/** A write's effect: the row before and after, so callers can invalidate both old and new tags. */
export interface WriteResult {
  before: Anime | null;
  after: Anime | null;
  /** The outbox entry written with the change, when the write was given `invalidates`. */
  outboxId?: number;
  /** What `invalidates` returned, recorded in that entry: the tags to invalidate, computed once. */
  tags?: readonly string[];
}

/**
 * The cache tags a write makes out of date, computed inside the write's transaction from the row
 * before and after. The adapter records them in the invalidation outbox in that same transaction,
 * so a committed change always leaves its invalidation behind, whatever happens to the writer.
 */
export type InvalidatedTags = (result: WriteResult) => readonly string[];

/** The new row, from the current one as the write's transaction reads it. */
export type Replacement = (current: Anime) => AnimeInput;

export class ConflictError extends Error {}
export class PreconditionFailedError extends Error {}

/**
 * The catalogue store. Every adapter (sqlite, mssql) passes the same contract suite in
 * test/contract/anime-repository.contract.ts.
 */
export interface AnimeRepository {
  list(filter: AnimeFilter, sort: AnimeSort, page: PageRequest): Promise<Page<Anime>>;
  /**
   * Every match in order, in chunks of at most `chunkRows`, from one consistent view: what a
   * list-all of any size is served from (memory bounded by the chunk, not the catalogue).
   */
  streamAll(filter: AnimeFilter, sort: AnimeSort, chunkRows: number): AsyncIterable<readonly Anime[]>;
  /**
   * The same records as `streamAll`, already JSON: each chunk is `,{...},{...}`, the bytes of
   * JSON.stringify of each record (only `fields`, in their order, when given). A store writes
   * them where it reads the rows, so a large list-all costs the event loop its bytes only.
   */
  streamAllJson(
    filter: AnimeFilter,
    sort: AnimeSort,
    chunkRows: number,
    fields?: readonly string[],
  ): AsyncIterable<Buffer>;
  getById(id: number): Promise<Anime | null>;
  /** Genre counts over the rows `filter` matches. @default filter every row */
  genres(filter?: AnimeFilter): Promise<FacetCount[]>;
  /** Type counts over the rows `filter` matches. @default filter every row */
  types(filter?: AnimeFilter): Promise<FacetCount[]>;
  /** Statistics of the rows `filter` matches. @default filter every row */
  stats(filter?: AnimeFilter): Promise<CatalogueStats>;
  /** Monotonic counter moved by every committed write, through any path. */
  dataVersion(): Promise<number>;
  /**
   * The data version and the version up to which API writes invalidated the cache themselves.
   * They differ when something else wrote (an ETL load, Data Factory, manual SQL).
   */
  changeMarker(): Promise<{ version: number; accounted: number }>;
  /** Compare-and-set: marks `version` as accounted for if it is still current. */
  markAccounted(version: number): Promise<boolean>;
  /** Throws with ConflictError on a duplicate natural key (source, sourceId). */
  create(input: AnimeInput, invalidates?: InvalidatedTags): Promise<WriteResult>;
  /**
   * Full replacement; `expectedVersion` enforces optimistic concurrency (PreconditionFailedError).
   * A function computes the replacement from the row as it is inside the write's transaction,
   * under its lock: a merge that asked for no precondition can never fail one.
   */
  update(
    id: number,
    input: AnimeInput | Replacement,
    expectedVersion?: number,
    invalidates?: InvalidatedTags,
  ): Promise<WriteResult>;
  remove(id: number, expectedVersion?: number, invalidates?: InvalidatedTags): Promise<WriteResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
