import { Type } from '@sinclair/typebox';
import type { AnimeRepository } from '../../core/ports/anime-repository';
import { ChunkedBody } from '../chunked-body';
import { decodeCursor, encodeCursor } from '../cursor';
import { notFound } from '../problem';
import { recordEtag } from '../record-etag';
import { defineRoute } from '../route';
import { AnimePageSchema, AnimeSchema, IdParams, ListAllQuery, ListQuery } from '../schemas';
import { canonicalFilterQuery, toFilter, toSort } from './anime-query';

/**
 * Rows per chunk of a list-all: about 120 KB of JSON, serialized in well under a millisecond, so a
 * million-row list never holds the event loop (or more than a few chunks of memory) at once.
 */
const LIST_ALL_CHUNK_ROWS = 500;

export function animeReadRoutes(repository: AnimeRepository) {
  return [
    defineRoute({
      method: 'get',
      path: '/animes',
      operationId: 'listAnimes',
      summary: 'A page of animes matching the filters, with keyset pagination',
      description:
        'Filters combine (AND); list parameters take repeats or commas. Pages are keyset-based: follow `next` (or the Link header) to the next page; a cursor is bound to its sort. Answered from the cache when it can prove the entry current.',
      tags: ['animes'],
      query: ListQuery,
      canonicalQuery: canonicalFilterQuery,
      response: {
        status: 200,
        schema: AnimePageSchema,
        description: 'A page; `next` links to the following one',
      },
      cache: { name: 'anime:list' },
      handler: async ({ query }, ctx) => {
        const sort = toSort(query.sort);
        const filter = toFilter(query);
        const limit = query.limit ?? 50;
        const after = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
        const page = await repository.list(filter, sort, { limit, after });
        let next: string | null = null;
        if (page.next) {
          const params = new URLSearchParams(ctx.querystring);
          params.set('cursor', encodeCursor(sort, page.next));
          next = `${ctx.path}?${params}`;
        }
        return { items: page.items, limit, next };
      },
      responseHeaders: (page: { next: string | null }): Record<string, string> =>
        page.next ? { Link: `<${page.next}>; rel="next"` } : {},
    }),
    defineRoute({
      method: 'get',
      path: '/animes/all',
      operationId: 'listAllAnimes',
      summary: 'Every anime matching the filters, in one array',
      description:
        'The same filters as GET /animes, every match in one JSON array. Up to CACHE_MAX_ENTRY_BYTES it is cached like any read; beyond that it is streamed from the database as it is read and compressed on the fly (Cache-Status says detail=too-large).',
      tags: ['animes'],
      query: ListAllQuery,
      canonicalQuery: canonicalFilterQuery,
      response: {
        status: 200,
        schema: Type.Array(Type.Ref(AnimeSchema)),
        description: 'All matching animes',
      },
      cache: { name: 'anime:all' },
      handler: ({ query }) =>
        new ChunkedBody(repository.streamAll(toFilter(query), toSort(query.sort), LIST_ALL_CHUNK_ROWS)),
    }),
    defineRoute({
      method: 'get',
      path: '/animes/:id',
      operationId: 'getAnime',
      summary: 'One anime by id',
      description: 'Its ETag is the record\'s id and version ("12.7"): send it back as If-Match on a write.',
      tags: ['animes'],
      params: IdParams,
      response: { status: 200, schema: Type.Ref(AnimeSchema), description: 'The anime' },
      problems: [404],
      cache: { name: 'anime:id' },
      etag: recordEtag,
      handler: async ({ params }) => {
        const anime = await repository.getById(params.id);
        if (!anime) throw notFound(`no anime with id ${params.id}`);
        return anime;
      },
    }),
  ];
}
