import type { Anime, AnimeInput } from '../../platform/core/domain/anime';
import {
  type AnimeFilter,
  FILTERS,
  type FilterDefinition,
  type FilterKind,
} from '../../platform/core/domain/filters';
import type { AnimeSort, SortKey } from '../../platform/core/domain/query';

/**
 * A plain in-memory model of what the store must return, written independently of any SQL.
 * Title comparison folds ASCII case only, as SQLite's NOCASE and LIKE do.
 */
const fold = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Each filter kind's meaning, written out by hand; which field a filter reads comes from the
 * filter table, so a new table entry is checked without touching the oracle.
 */
const MEANING: Record<FilterKind, (field: unknown, value: unknown) => boolean> = {
  in: (field, values) => (values as unknown[]).includes(field),
  allOf: (field, values) =>
    (values as string[]).every((g) => (field as string[]).some((x) => fold(x) === fold(g))),
  equals: (field, value) => field === value,
  min: (field, value) => field !== null && (field as number) >= (value as number),
  max: (field, value) => field !== null && (field as number) <= (value as number),
  contains: (field, text) => field !== null && fold(field as string).includes(fold(text as string)),
};

export function matchesFilter(anime: AnimeInput, filter: AnimeFilter): boolean {
  return FILTERS.every((f) => {
    const value = filter[f.param];
    const fields = [f.field, ...((f as FilterDefinition).orFields ?? [])];
    return (
      value === undefined ||
      fields.some((field) => MEANING[f.kind]((anime as Record<string, unknown>)[field] ?? null, value))
    );
  });
}

/** One key: nulls last whatever the direction; 0 for a tie. */
function compareKey(key: SortKey, a: Anime, b: Anime): number {
  const av = key.field === 'title' ? fold(a.title) : a[key.field];
  const bv = key.field === 'title' ? fold(b.title) : b[key.field];
  if (av === bv) return 0;
  if (av === null) return 1;
  if (bv === null) return -1;
  return (av < bv ? -1 : 1) * (key.descending ? -1 : 1);
}

/** Key after key, then ascending id, written without the store's sortKeys. */
export function compareBy(sort: AnimeSort): (a: Anime, b: Anime) => number {
  const keys: SortKey[] = [sort, ...(sort.thenBy ?? [])];
  return (a, b) => {
    for (const key of keys) {
      const order = compareKey(key, a, b);
      if (order !== 0) return order;
    }
    return a.id - b.id;
  };
}

export function expectedList(all: Anime[], filter: AnimeFilter, sort: AnimeSort): Anime[] {
  return all.filter((a) => matchesFilter(a, filter)).sort(compareBy(sort));
}
