import type { Context } from 'koa';
import { HttpProblem } from './problem';

/**
 * What a request's Cache-Control asks of the server's cache (RFC 9111 §5.2.1). The cache is the
 * origin's own and coherent: a hit is as fresh as the database, so `no-cache`, `max-age=0` and
 * `min-fresh` are met by every answer, and entries hold only public catalogue data, so `no-store`
 * has nothing of this request's to keep out (docs/cache.md). Only `only-if-cached` changes the
 * answer: from the cache, or 504, never a database read.
 */
export function onlyIfCached(ctx: Context): boolean {
  const header = ctx.get('Cache-Control');
  return header !== '' && /(?:^|,)\s*only-if-cached\s*(?:,|$)/i.test(header);
}

/** The answer to `only-if-cached` when the representation is not in the cache. */
export function notInCache(): HttpProblem {
  return new HttpProblem(
    504,
    'Cache-Control: only-if-cached, and this representation is not in the cache: ask again without it',
  );
}
