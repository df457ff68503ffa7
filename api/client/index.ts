import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './anime-api';

export type { components, operations, paths } from './anime-api';

/**
 * The media types the typed client reads: application/json and application/problem+json. Lists
 * are also offered as text/csv, and openapi-fetch's default (every media type) would make `data`
 * a union with string; CSV is for fetch, not for typed objects.
 */
export type JsonMediaType = `${string}/${string}json`;

/**
 * A typed client of the anime API: `data` is the documented JSON body of each 2xx answer and
 * `error` the problem details (RFC 9457) of the others. openapi-fetch's own options.
 */
export function createAnimeClient(options: ClientOptions) {
  return createClient<paths, JsonMediaType>(options);
}

export type AnimeClient = ReturnType<typeof createAnimeClient>;
