import type { Static } from '@sinclair/typebox';
import type { AnimeFilter, AnimeSort, SortField } from '../../core/domain/query';
import { badRequest } from '../problem';
import type { ListAllQuery } from '../schemas';

type FilterQuery = Static<typeof ListAllQuery>;

/** Maps validated query parameters onto the domain filter, rejecting impossible ranges. */
export function toFilter(query: FilterQuery): AnimeFilter {
  const problems = [];
  if (query.yearFrom !== undefined && query.yearTo !== undefined && query.yearFrom > query.yearTo) {
    problems.push({ name: 'yearFrom', reason: `must not be greater than yearTo (${query.yearTo})` });
  }
  if (query.minScore !== undefined && query.maxScore !== undefined && query.minScore > query.maxScore) {
    problems.push({ name: 'minScore', reason: `must not be greater than maxScore (${query.maxScore})` });
  }
  if (problems.length) throw badRequest(problems);
  return {
    types: query.type?.length ? [...new Set(query.type)].sort() : undefined,
    genres: query.genre?.length ? [...new Set(query.genre.map((g) => g.trim()))].sort() : undefined,
    year: query.year,
    yearFrom: query.yearFrom,
    yearTo: query.yearTo,
    minScore: query.minScore,
    maxScore: query.maxScore,
    q: query.q,
  };
}

export function toSort(sort: string | undefined): AnimeSort {
  const value = sort ?? 'id';
  const descending = value.startsWith('-');
  return { field: (descending ? value.slice(1) : value) as SortField, descending };
}
