import type { Static } from '@sinclair/typebox';
import { SCORE_FACTOR } from '../../core/domain/anime';
import type { AnimeFilter, AnimeSort, SortField } from '../../core/domain/query';
import { badRequest } from '../problem';
import type { ListAllQuery } from '../schemas';

type FilterQuery = Static<typeof ListAllQuery>;

// Below any real distance between two scores on the stored scale; absorbs 7.13 * 100 = 713.0000000000001.
const EPSILON = 1e-9;

/**
 * One form for every query with the same result, so they share one cache entry: genres trimmed,
 * ASCII-lower-cased (the catalogue compares them as SQLite's NOCASE does), de-duplicated and
 * sorted; score bounds moved onto the stored scale (`score >= 0.0000001` is `score >= 0.01`).
 */
export function canonicalFilterQuery<T extends FilterQuery>(query: T): T {
  if (!query.genre && query.minScore === undefined && query.maxScore === undefined) return query;
  const canonical = { ...query };
  if (query.genre) {
    canonical.genre = [
      ...new Set(query.genre.map((g) => g.trim().replace(/[A-Z]+/g, (c) => c.toLowerCase()))),
    ].sort();
  }
  if (query.minScore !== undefined)
    canonical.minScore = Math.ceil(query.minScore * SCORE_FACTOR - EPSILON) / SCORE_FACTOR;
  if (query.maxScore !== undefined)
    canonical.maxScore = Math.floor(query.maxScore * SCORE_FACTOR + EPSILON) / SCORE_FACTOR;
  return canonical;
}

/** Maps a validated, canonical query (canonicalFilterQuery) onto the domain filter, rejecting impossible ranges. */
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
    // Already trimmed, de-duplicated and sorted by canonicalFilterQuery.
    genres: query.genre?.length ? query.genre : undefined,
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
