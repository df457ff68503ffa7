import type { Cluster, Redis } from 'ioredis';
import type { CatalogueStore } from '../../composition/catalogue-store';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { writeTags } from '../../platform/core/cache/cache-keys';
import { CacheCoherence } from '../../platform/core/cache/coherence';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';
import { CatalogueWrites } from '../../platform/core/catalogue-writes';

async function fillEntries(client: Redis | Cluster, count: number): Promise<void> {
  const value = Buffer.alloc(2048, 'x');
  for (let start = 0; start < count; start += 1000) {
    const pipeline = client.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++)
      pipeline.set(`anime:list:limit=50&page=${i}|g=1.1`, value, 'PX', 600_000);
    await pipeline.exec();
  }
}

export interface WriteLatency {
  entries: number;
  /** Before the transactional outbox: commit, then one bump; nothing recorded in the database. */
  before: { medianMs: number; p99Ms: number };
  /** Now: the outbox row in the write's transaction, the bump, the row removed, then the answer. */
  now: { medianMs: number; p99Ms: number };
  nowVsBeforeMedian: number;
}

const quantiles = (samples: number[]) => {
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.floor(q * (samples.length - 1))]! * 1000) / 1000;
  return { medianMs: at(0.5), p99Ms: at(0.99) };
};

/**
 * Write latency (commit + invalidation, Redis healthy) with `entries` responses cached in Redis,
 * for the protocol before and after the transactional outbox, alternating write by write so both
 * see the same machine.
 */
export async function writeLatency(
  client: Redis | Cluster,
  store: CatalogueStore,
  entries: number,
  writes: number,
): Promise<WriteLatency> {
  await client.flushall();
  await fillEntries(client, entries);
  const cacheStore = new RedisCacheStore(client);
  const coherence = new CacheCoherence((tags) => cacheStore.bump(tags), store.outbox, store.repository);
  const now = new CatalogueWrites(store.repository, new ReadThroughCache(cacheStore, { coherence }));
  const before = async (id: number, input: Parameters<typeof store.repository.update>[1]) => {
    const result = await store.repository.update(id, input);
    await cacheStore.bump(writeTags(result.before, result.after));
  };
  const target = (await store.repository.getById(1))!;
  const { id: _i, version: _v, createdAt: _c, updatedAt: _u, ...input } = target;
  const samples = { before: [] as number[], now: [] as number[] };
  for (let n = 0; n < writes; n++) {
    const old = n % 2 === 0;
    const started = performance.now();
    if (old) await before(1, { ...input, episodes: n });
    else await now.update(1, { ...input, episodes: n });
    samples[old ? 'before' : 'now'].push(performance.now() - started);
  }
  const result = { before: quantiles(samples.before), now: quantiles(samples.now) };
  return {
    entries: Number(await client.dbsize()),
    ...result,
    nowVsBeforeMedian: Math.round((result.now.medianMs / result.before.medianMs) * 100) / 100,
  };
}
