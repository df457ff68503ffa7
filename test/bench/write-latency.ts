import type { Cluster, Redis } from 'ioredis';
import { RedisCacheStore } from '../../api/adapters/redis/redis-cache-store';
import type { CatalogueStore } from '../../api/composition/catalogue-store';
import { ReadThroughCache } from '../../api/core/cache/read-through-cache';
import { CatalogueWrites } from '../../api/core/catalogue-writes';

async function fillEntries(client: Redis | Cluster, count: number): Promise<void> {
  const value = Buffer.alloc(2048, 'x');
  for (let start = 0; start < count; start += 1000) {
    const pipeline = client.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++)
      pipeline.set(`anime:list:limit=50&page=${i}|g=1.1`, value, 'PX', 600_000);
    await pipeline.exec();
  }
}

/** Median write latency (commit + invalidation) with `entries` responses cached in Redis. */
export async function writeLatency(
  client: Redis | Cluster,
  store: CatalogueStore,
  entries: number,
  writes: number,
): Promise<{ entries: number; medianMs: number; p95Ms: number }> {
  await client.flushall();
  await fillEntries(client, entries);
  const catalogue = new CatalogueWrites(store.repository, new ReadThroughCache(new RedisCacheStore(client)));
  const target = (await store.repository.getById(1))!;
  const { id: _i, version: _v, createdAt: _c, updatedAt: _u, ...input } = target;
  const samples: number[] = [];
  for (let n = 0; n < writes; n++) {
    const started = performance.now();
    await catalogue.update(1, { ...input, episodes: n });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.floor(q * (samples.length - 1))]! * 1000) / 1000;
  return { entries: Number(await client.dbsize()), medianMs: at(0.5), p95Ms: at(0.95) };
}
