import type { AnimeField, AnimeType, TargetColumn } from '../../../catalogue/definition';
import { columnFor } from '../../../catalogue/definition';

/**
 * How a filter compares a record's field with the request's value:
 * - `in`: the field is one of the values;      - `allOf`: the list field holds every value;
 * - `equals`, `min`, `max`: on a number field; - `contains`: a case-insensitive substring.
 */
export type FilterKind = 'in' | 'allOf' | 'equals' | 'min' | 'max' | 'contains';

export interface FilterDefinition {
  /** The query parameter, and the filter's key in the domain filter and in cache keys. */
  readonly param: string;
  readonly field: AnimeField;
  /** More fields the filter reads: it holds when it holds on `field` or on any of these. */
  readonly orFields?: readonly AnimeField[];
  readonly kind: FilterKind;
  /**
   * Whether cache entries that use the filter are tagged by its values (and rows by theirs), so a
   * write invalidates only entries whose filter its rows match. Only equality-like kinds can be.
   */
  readonly tagged: boolean;
  readonly description: string;
}

/**
 * The one table of list filters. The HTTP query schema, the domain filter type, the SQL, the
 * cache's filter and row tags and the test oracle are all derived from it: adding a filter is one
 * entry here (plus an index migration when it needs one).
 */
export const FILTERS = [
  {
    param: 'type',
    field: 'type',
    kind: 'in',
    tagged: true,
    description: 'One or several types, repeated or comma-separated; any case',
  },
  {
    param: 'genre',
    field: 'genres',
    kind: 'allOf',
    tagged: true,
    description: 'Genres the anime must all have (case-insensitive)',
  },
  { param: 'year', field: 'year', kind: 'equals', tagged: true, description: 'Aired in exactly this year' },
  {
    param: 'yearFrom',
    field: 'year',
    kind: 'min',
    tagged: false,
    description: 'Aired in this year or later',
  },
  {
    param: 'yearTo',
    field: 'year',
    kind: 'max',
    tagged: false,
    description: 'Aired in this year or earlier',
  },
  {
    param: 'minScore',
    field: 'score',
    kind: 'min',
    tagged: false,
    description: 'Score at least this (0-10)',
  },
  { param: 'maxScore', field: 'score', kind: 'max', tagged: false, description: 'Score at most this (0-10)' },
  {
    param: 'source',
    field: 'source',
    kind: 'in',
    tagged: true,
    description: 'One or several sources (kaggle, mal, api, ...), repeated or comma-separated',
  },
  {
    param: 'q',
    field: 'title',
    orFields: ['originalTitle'],
    kind: 'contains',
    tagged: false,
    description: 'Title or original title contains (case-insensitive)',
  },
] as const satisfies readonly FilterDefinition[];

type Filters = (typeof FILTERS)[number];
type ValueOf<F extends Filters> = F['kind'] extends 'in'
  ? F['field'] extends 'type'
    ? AnimeType[]
    : string[]
  : F['kind'] extends 'allOf'
    ? string[]
    : F['kind'] extends 'contains'
      ? string
      : number;

/** Row filters shared by the paginated list, list-all and their cache keys, keyed like the query. */
export type AnimeFilter = { [F in Filters as F['param']]?: ValueOf<F> };
export type FilterParam = keyof AnimeFilter;

export const columnOf = (filter: FilterDefinition): TargetColumn => columnFor(filter.field);

/** Folds ASCII case only, as SQLite's NOCASE and LIKE do (and as SQL Server's default collation covers). */
export const foldCase = (text: string) => text.replace(/[A-Z]+/g, (c) => c.toLowerCase());

/**
 * A tag for one value of a tagged filter, shared by a filter's tags and a row's tags. Text is
 * folded with full Unicode lower-casing, at least as coarse as any dialect's comparison (SQL
 * Server's default collation folds non-ASCII case too): a coarser tag only invalidates more.
 */
function filterTag(filter: FilterDefinition, value: unknown): string {
  const text = String(value);
  return `${filter.param}:${filter.kind === 'allOf' ? text.toLowerCase() : text}`;
}

/** The tags an entry for `filter` depends on: one per value of each tagged filter it uses. */
export function filterTags(filter: AnimeFilter): string[] {
  return FILTERS.filter((f) => f.tagged && filter[f.param] !== undefined).flatMap((f) => {
    const value = filter[f.param];
    return (Array.isArray(value) ? value : [value]).map((v) => filterTag(f, v));
  });
}

/** The tags a record's values match, for every tagged filter. */
export function recordTags(record: object): string[] {
  return FILTERS.filter((f) => f.tagged).flatMap((f) => {
    const value = (record as Record<string, unknown>)[f.field];
    if (value === null || value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map((v) => filterTag(f, v));
  });
}
