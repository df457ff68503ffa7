import { Type } from '@sinclair/typebox';
import type { Anime } from '../../../platform/core/domain/anime';
import type { AnimeRepository } from '../../../platform/core/ports/anime-repository';
import { ChunkedBody, JSON_ARRAY_OF_ENCODED } from '../chunked-body';
import { csvFormat } from '../csv-format';
import { decodeCursor, encodeCursor } from '../cursor';
import { notFound } from '../problem';
import { recordEtag } from '../record-etag';
import { defineRoute } from '../route';
import {
  ANIME_FIELDS,
  AnimeItemSchema,
  AnimePageSchema,
  AnimeSchema,
  IdParams,
  ListAllQuery,
  ListQuery,
} from '../schemas';
import { canonicalListQuery, listQueryFromHeaders, selectFields, toFilter, toSort } from './anime-query';

/**
 * Rows per chunk of a list-all: about 120 KB of JSON, serialized in well under a millisecond, so a
 * million-row list never holds the event loop (or more than a few chunks of memory) at once.
 */
const LIST_ALL_CHUNK_ROWS = 500;

/** A page's headers: the next page, and the count when it was asked for. */
function pageHeaders(next: string | null, total: number | undefined): Record<string, string> {
  return {
    ...(next ? { Link: `<${next}>; rel="next"` } : {}),
    ...(total === undefined ? {} : { 'Preference-Applied': 'count=exact', 'X-Total-Count': String(total) }),
  };
}

async function* once<T>(items: readonly T[]): AsyncGenerator<readonly T[]> {
  yield items;
}

async function* mapChunks<T, U>(chunks: AsyncIterable<readonly T[]>, map: (item: T) => U) {
  for await (const chunk of chunks) yield chunk.map(map);
}

export function animeReadRoutes(repository: AnimeRepository) {
  return [
    defineRoute({
      method: 'get',
      path: '/animes',
      operationId: 'listAnimes',
      summary: 'A page of animes matching the filters, with keyset pagination',
      description:
        'Filters combine (AND); list parameters take repeats or commas. Pages are keyset-based: follow `next` (or the Link header) to the next page; a cursor is bound to its sort, which may have several keys (`sort=-score,title`). `fields` cuts each anime to the fields named. `Prefer: count=exact` (or `count=exact`) adds `total`, every match, counted in the same read as the page (one snapshot on SQLite). `format=csv` or `Accept: text/csv` answers CSV. Answered from the cache when it can prove the entry current.',
      tags: ['animes'],
      query: ListQuery,
      canonicalQuery: canonicalListQuery,
      queryFromHeaders: listQueryFromHeaders,
      response: {
        status: 200,
        schema: AnimePageSchema,
        description: 'A page; `next` links to the following one',
        csv: 'The page as CSV with a header row; the Link header names the next page',
      },
      cache: { name: 'anime:list' },
      handler: async ({ query }, ctx) => {
        const sort = toSort(query.sort);
        const filter = toFilter(query);
        const limit = query.limit ?? 50;
        const after = query.cursor ? decodeCursor(query.cursor, sort) : undefined;
        const page = await repository.list(filter, sort, { limit, after, count: query.count === 'exact' });
        let next: string | null = null;
        if (page.next) {
          const params = new URLSearchParams(ctx.querystring);
          params.set('cursor', encodeCursor(sort, page.next));
          next = `${ctx.path}?${params}`;
        }
        const items = page.items.map(selectFields(query.fields));
        if (query.format === 'csv')
          return new ChunkedBody(
            once(items),
            csvFormat(query.fields ?? ANIME_FIELDS),
            pageHeaders(next, page.total),
          );
        return { items, limit, next, ...(page.total === undefined ? {} : { total: page.total }) };
      },
      responseHeaders: (page: { next: string | null; total?: number }) => pageHeaders(page.next, page.total),
    }),
    defineRoute({
      method: 'get',
      path: '/animes/all',
      operationId: 'listAllAnimes',
      summary: 'Every anime matching the filters, in one array',
      description:
        'The same filters, sorts and `fields` as GET /animes, every match in one JSON array, or in CSV (`format=csv` or `Accept: text/csv`). Up to CACHE_MAX_ENTRY_BYTES it is cached like any read; beyond that it is streamed from the database as it is read and compressed on the fly (Cache-Status says detail=too-large).',
      tags: ['animes'],
      query: ListAllQuery,
      canonicalQuery: canonicalListQuery,
      queryFromHeaders: listQueryFromHeaders,
      response: {
        status: 200,
        schema: Type.Array(AnimeItemSchema),
        description: 'All matching animes',
        csv: 'All matching animes as CSV with a header row, streamed',
      },
      cache: { name: 'anime:all' },
      handler: ({ query }) => {
        const filter = toFilter(query);
        const sort = toSort(query.sort);
        // JSON is written by the store where it reads the rows (a read thread): the event loop
        // only moves bytes, whatever the list's size.
        if (query.format !== 'csv')
          return new ChunkedBody(
            repository.streamAllJson(filter, sort, LIST_ALL_CHUNK_ROWS, query.fields),
            JSON_ARRAY_OF_ENCODED,
          );
        const rows = repository.streamAll(filter, sort, LIST_ALL_CHUNK_ROWS);
        const chunks: AsyncIterable<readonly object[]> = query.fields
          ? mapChunks<Anime, object>(rows, selectFields(query.fields))
          : rows;
        return new ChunkedBody(chunks, csvFormat(query.fields ?? ANIME_FIELDS));
      },
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
