export type { AnimeFilter } from './filters';

export const SORT_FIELDS = ['id', 'score', 'year', 'title'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface SortKey {
  field: SortField;
  descending: boolean;
}

/**
 * Ordering by one key, or several (each breaking the ties of the ones before): nulls always last,
 * and the ties the keys leave broken by ascending id, so pages are stable.
 */
export interface AnimeSort extends SortKey {
  /** Further keys, in order. None repeats a field, and none follows id (it leaves no ties). */
  thenBy?: readonly SortKey[];
}

/** A sort as the `sort` parameter writes it: `-score,title`. */
export function sortText(sort: AnimeSort): string {
  return [sort, ...(sort.thenBy ?? [])].map((k) => `${k.descending ? '-' : ''}${k.field}`).join(',');
}

/** Every key the order uses: the sort's own, then ascending id unless id is already one. */
export function sortKeys(sort: AnimeSort): SortKey[] {
  const keys: SortKey[] = [{ field: sort.field, descending: sort.descending }, ...(sort.thenBy ?? [])];
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id', descending: false });
  return keys;
}

export type SortValue = string | number | null;

/** Position after which the next page starts: the last row's sort values and id. */
export interface SeekPosition {
  /** The value of the sort's first key. */
  value: SortValue;
  id: number;
  /** The values of the further keys (`thenBy`), in order. */
  thenBy?: readonly SortValue[];
}

/** The position of a row in a sort: the values of its keys and its id. */
export function seekPositionOf(row: Readonly<Record<SortField, SortValue>>, sort: AnimeSort): SeekPosition {
  const position: SeekPosition = { value: row[sort.field], id: row.id as number };
  return sort.thenBy?.length ? { ...position, thenBy: sort.thenBy.map((k) => row[k.field]) } : position;
}

export interface PageRequest {
  limit: number;
  after?: SeekPosition;
  /** Also count every row the filter matches, in the same snapshot as the page. @default false */
  count?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Present when more rows follow. */
  next?: SeekPosition;
  /** Every row the filter matches, when the request asked for the count. */
  total?: number;
}
