import type { AnimeRepository } from '../../../platform/core/ports/anime-repository';
import { defineRoute } from '../route';
import { FacetsSchema, FilterQuery, StatsSchema } from '../schemas';
import { canonicalFilterQuery, toFilter } from './anime-query';

/** The catalogue's facets and statistics, over every row or over the rows the filters match. */
export function catalogueFacetRoutes(repository: AnimeRepository) {
  // The same filters as /animes, so a client can show counts beside the list it filters.
  const filtered = { query: FilterQuery, canonicalQuery: canonicalFilterQuery } as const;
  return [
    defineRoute({
      method: 'get',
      path: '/genres',
      operationId: 'listGenres',
      summary: 'Genres with the number of matching animes in each',
      description: 'Takes the same filters as GET /animes; without filters, every row counts.',
      tags: ['catalogue'],
      ...filtered,
      response: { status: 200, schema: FacetsSchema, description: 'Genre counts, most common first' },
      cache: { name: 'anime:genres' },
      handler: ({ query }) => repository.genres(toFilter(query)),
    }),
    defineRoute({
      method: 'get',
      path: '/types',
      operationId: 'listTypes',
      summary: 'Types with the number of matching animes of each',
      description: 'Takes the same filters as GET /animes; without filters, every row counts.',
      tags: ['catalogue'],
      ...filtered,
      response: { status: 200, schema: FacetsSchema, description: 'Type counts, most common first' },
      cache: { name: 'anime:types' },
      handler: ({ query }) => repository.types(toFilter(query)),
    }),
    defineRoute({
      method: 'get',
      path: '/stats',
      operationId: 'getStats',
      summary: 'Counts by type and by year, and the average score, of the matching animes',
      description:
        'Takes the same filters as GET /animes (/stats?type=OVA); without filters, every row counts.',
      tags: ['catalogue'],
      ...filtered,
      response: { status: 200, schema: StatsSchema, description: 'Catalogue statistics' },
      cache: { name: 'anime:stats' },
      handler: ({ query }) => repository.stats(toFilter(query)),
    }),
  ];
}
