import { Type } from '@sinclair/typebox';
import type { ReadThroughCache } from '../../../platform/core/cache/read-through-cache';
import { defineRoute } from '../route';

const CacheStatsSchema = Type.Object({
  hits: Type.Integer(),
  misses: Type.Integer(),
  bypasses: Type.Integer(),
  fills: Type.Integer(),
  hitRatio: Type.Number(),
  invalidations: Type.Record(Type.String(), Type.Integer(), { description: 'Tag bumps by tag kind' }),
  pendingInvalidations: Type.Integer({ description: 'Invalidations waiting for the store to return' }),
  breaker: Type.String(),
  entries: Type.Integer({ description: '-1 when the store cannot tell' }),
  bytes: Type.Integer(),
});

export function cacheAdminRoutes(cache: ReadThroughCache) {
  return [
    defineRoute({
      method: 'get',
      path: '/admin/cache/stats',
      operationId: 'cacheStats',
      summary: "This instance's cache counters and the store's size",
      description:
        "Admin only. Hits, misses, bypasses, fills, invalidations, the coherence lease and the store's size.",
      tags: ['admin'],
      access: 'admin',
      response: { status: 200, schema: CacheStatsSchema, description: 'Counters' },
      handler: () => cache.stats(),
    }),
    defineRoute({
      method: 'post',
      path: '/admin/cache/purge',
      operationId: 'cachePurge',
      summary: 'Make every cached entry unreachable, on every instance',
      description: 'Admin only. One generation bump makes every entry unreachable; nothing is scanned.',
      tags: ['admin'],
      access: 'admin',
      response: { status: 204, description: 'Purged' },
      handler: async () => {
        await cache.purge();
      },
    }),
  ];
}
