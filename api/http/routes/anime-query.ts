import type { Static } from '@sinclair/typebox';
import { type AnimeFilter, columnOf, FILTERS, foldCase } from '../../core/domain/filters';
import type { AnimeSort, SortField } from '../../core/domain/query';
import { badRequest } from '../problem';
import type { ListAllQuery } from '../schemas';

type FilterQuery = Static<typeof ListAllQuery>;

// Below any real distance between two scores on the stored scale; absorbs 7.13 * 100 = 713.0000000000001.
const EPSILON = 1e-9;

/**
 * One form for every query with the same result, so they share one cache entry, derived from the
 * filter table: `in` values de-duplicated and sorted; `allOf` values trimmed, ASCII-lower-cased
 * (the catalogue compares them as SQLite's NOCASE does), de-duplicated and sorted; bounds on a
 * decimal column moved onto its stored scale (`minScore=0.0000001` is `minScore=0.01`).
 */
export function canonicalFilterQuery<T extends FilterQuery>(query: T): T {
  const canonical: Record<string, unknown> = { ...query };
  for (const filter of FILTERS) {
    const value = canonical[filter.param];
    if (value === undefined) continue;
    const column = columnOf(filter);
    if (filter.kind === 'in') canonical[filter.param] = [...new Set(value as string[])].sort();
    if (filter.kind === 'allOf')
      canonical[filter.param] = [...new Set((value as string[]).map((v) => foldCase(v.trim())))].sort();
    if (column.kind === 'decimal' && (filter.kind === 'min' || filter.kind === 'max')) {
      const factor = 10 ** column.scale;
      const scaled = (value as number) * factor;
      canonical[filter.param] =
        (filter.kind === 'min' ? Math.ceil(scaled - EPSILON) : Math.floor(scaled + EPSILON)) / factor;
    }
  }
  return canonical as T;
}

/** The domain filter of a validated, canonical query (canonicalFilterQuery); rejects impossible ranges. */
export function toFilter(query: FilterQuery): AnimeFilter {
  const filter: Record<string, unknown> = {};
  for (const { param } of FILTERS) {
    const value = (query as Record<string, unknown>)[param];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) filter[param] = value;
  }
  const problems = FILTERS.filter((f) => f.kind === 'min' && filter[f.param] !== undefined).flatMap((min) => {
    const max = FILTERS.find((f) => f.kind === 'max' && f.field === min.field);
    const upper = max && filter[max.param];
    if (upper === undefined || (filter[min.param] as number) <= (upper as number)) return [];
    return [{ name: min.param, reason: `must not be greater than ${max!.param} (${upper})` }];
  });
  if (problems.length) throw badRequest(problems);
  return filter as AnimeFilter;
}

export function toSort(sort: string | undefined): AnimeSort {
  const value = sort ?? 'id';
  const descending = value.startsWith('-');
  return { field: (descending ? value.slice(1) : value) as SortField, descending };
}
