import type { AnimeRepository } from '../../core/ports/anime-repository';
import { defineRoute } from '../route';
import { FacetsSchema, StatsSchema } from '../schemas';

export function catalogueFacetRoutes(repository: AnimeRepository) {
  return [
    defineRoute({
      method: 'get',
      path: '/genres',
      operationId: 'listGenres',
      summary: 'Genres with the number of animes in each',
      tags: ['catalogue'],
      response: { status: 200, schema: FacetsSchema, description: 'Genre counts, most common first' },
      cache: { name: 'anime:genres' },
      handler: () => repository.genres(),
    }),
    defineRoute({
      method: 'get',
      path: '/types',
      operationId: 'listTypes',
      summary: 'Types with the number of animes of each',
      tags: ['catalogue'],
      response: { status: 200, schema: FacetsSchema, description: 'Type counts, most common first' },
      cache: { name: 'anime:types' },
      handler: () => repository.types(),
    }),
    defineRoute({
      method: 'get',
      path: '/stats',
      operationId: 'getStats',
      summary: 'Counts by type and by year, and the average score',
      tags: ['catalogue'],
      response: { status: 200, schema: StatsSchema, description: 'Catalogue statistics' },
      cache: { name: 'anime:stats' },
      handler: () => repository.stats(),
    }),
  ];
}
