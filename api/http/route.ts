import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Context } from 'koa';
import type { Principal } from '../../platform/core/auth/accounts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a read route declares so the cache can store its response (used by the cache layer). */
export interface CachePolicy {
  /** Readable key prefix such as `anime:list`. */
  readonly name: string;
}

/**
 * A route's schemas are its validation, its TypeScript types and its OpenAPI description at once.
 * Handlers receive validated, typed input and throw HttpProblem for anything else.
 */
export interface RouteDefinition<
  Q extends TObject = TObject,
  P extends TObject = TObject,
  B extends TSchema = TSchema,
> {
  readonly method: HttpMethod;
  /** Koa-style path: /animes/:id */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** What a client needs to know beyond the summary (rules, limits, related headers). */
  readonly description: string;
  readonly tags: readonly string[];
  readonly query?: Q;
  readonly params?: P;
  readonly body?: B;
  /**
   * Success status and schema of its body (undefined for no body); `csv` describes the CSV form
   * of a list, when the route offers one (`format=csv` or `Accept: text/csv`).
   */
  readonly response: {
    readonly status: number;
    readonly schema?: TSchema;
    readonly description: string;
    readonly csv?: string;
  };
  /** Additional problem statuses the operation can answer with. */
  readonly problems?: readonly number[];
  readonly cache?: CachePolicy;
  /**
   * Rewrites a valid query into its canonical form before the handler and the cache key see it, so
   * that queries with the same result share one key. @default the query as validated
   */
  readonly canonicalQuery?: (query: Static<Q>) => Static<Q>;
  /**
   * Query parameters a request states in headers instead (`Prefer: count=exact`, `Accept:
   * text/csv`); a parameter in the URL wins. Such a request is never answered by URL alone.
   */
  readonly queryFromHeaders?: (ctx: Context) => Record<string, string>;
  /** Who may call it: a signed-in user or an admin. @default anyone */
  readonly access?: 'user' | 'admin';
  /**
   * The representation's entity-tag from its value, when the resource has a validator of its own
   * (a record's id and version) that a client sends back in If-Match; a write answers with it too.
   * @default a hash: the body's (uncached) or the cache entry's key and generations; none on writes
   */
  readonly etag?: (body: never) => string;
  /** The operation is conditional on If-Match (412 when it does not match). @default false */
  readonly ifMatch?: boolean;
  /** Headers derived from the response body, kept with it in the cache (e.g. Link). */
  readonly responseHeaders?: (body: never) => Record<string, string>;
  readonly handler: (
    input: { query: Static<Q>; params: Static<P>; body: Static<B>; principal?: Principal },
    ctx: Context,
  ) => Promise<unknown> | unknown;
}

export function defineRoute<Q extends TObject, P extends TObject, B extends TSchema>(
  route: RouteDefinition<Q, P, B>,
): RouteDefinition {
  // The route table holds routes of different schemas: each is type-checked here against its own,
  // then erased to one element type for the router.
  return route as unknown as RouteDefinition;
}
