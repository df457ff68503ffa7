export type { AnimeFilter } from './filters';

export const SORT_FIELDS = ['id', 'score', 'year', 'title'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** Ordering: nulls always last, ties always broken by ascending id so pages are stable. */
export interface AnimeSort {
  field: SortField;
  descending: boolean;
}

/** Position after which the next page starts: the last row's sort value and id. */
export interface SeekPosition {
  value: string | number | null;
  id: number;
}

export interface PageRequest {
  limit: number;
  after?: SeekPosition;
}

export interface Page<T> {
  items: T[];
  /** Present when more rows follow. */
  next?: SeekPosition;
}
