import type { AnimeField } from '../../../catalogue/definition';
import type { AnimeInput } from '../domain/anime';

export type LoadMode = 'upsert' | 'replace';

export interface LoadResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows removed because a replace load did not contain them. */
  deleted: number;
  dataVersion: number;
}

/**
 * One bulk load. Records are staged out of sight of readers; `commit` applies them all in one
 * transaction, so an abort, a crash or a kill before it leaves the live catalogue untouched. An
 * adapter may hold the store's write lock from `begin` to the end (SQLite does: other writers wait,
 * then get StoreBusyError), so a load must always end in `commit` or `abort`.
 */
export interface CatalogueLoad {
  stage(records: readonly AnimeInput[]): Promise<void>;
  commit(): Promise<LoadResult>;
  abort(): Promise<void>;
}

export interface BeginOptions {
  /**
   * The source every staged record belongs to. The load matches rows by (source, sourceId), and a
   * replace deletes only rows of this source: loads of different sources never touch each other.
   */
  readonly source: string;
  /**
   * The fields the source maps. A row that exists keeps its stored value of every other field (a
   * partial mapping updates what it maps, never blanks the rest); a new row gets them empty.
   * @default every field
   */
  readonly fields?: readonly AnimeField[];
}

export interface CatalogueLoader {
  begin(mode: LoadMode, options: BeginOptions): Promise<CatalogueLoad>;
  /** Whether the live catalogue is empty (first start decides whether to seed). */
  isEmpty(): Promise<boolean>;
}
