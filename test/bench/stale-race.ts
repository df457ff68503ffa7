import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import type { Cluster, Redis } from 'ioredis';
import { RedisCacheStore } from '../../platform/adapters/redis/redis-cache-store';
import { cacheSpec } from '../../platform/core/cache/cache-keys';
import { ReadThroughCache } from '../../platform/core/cache/read-through-cache';

/**
 * One injected race per trial, the same for every approach: a reader misses, reads the database
 * (old value) and is held before storing; meanwhile a writer commits the new value and invalidates
 * the way the approach prescribes; then the reader stores. A read made after the writer's
 * acknowledgement is stale if it returns the old value.
 */
interface Approach {
  name: string;
  read(trial: number, load: () => Promise<string>): Promise<string>;
  invalidate(trial: number): Promise<void>;
  close(): Promise<void>;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

function deleteKeysApproach(client: Redis | Cluster): Approach {
  const key = (trial: number) => `bench:original:animes:list:type=OVA:${trial}`;
  return {
    name: 'original: delete the keys after the write',
    async read(trial, load) {
      const cached = await client.get(key(trial));
      if (cached !== null) return cached;
      const value = await load();
      await client.set(key(trial), value, 'PX', 60_000);
      return value;
    },
    async invalidate(trial) {
      await client.del(key(trial));
    },
    async close() {},
  };
}

function bentocacheApproach(redisUrl: string): Approach {
  // Its own connection: bentocache closes it on disconnect.
  const { hostname, port } = new URL(redisUrl);
  const bento = new BentoCache({
    default: 'cache',
    stores: {
      cache: bentostore().useL2Layer(redisDriver({ connection: { host: hostname, port: Number(port) } })),
    },
  });
  return {
    name: 'bentocache 1.6 with tags (deleteByTag)',
    read: (trial, load) =>
      bento.getOrSet({ key: `bench:bento:${trial}`, tags: [`type:OVA:${trial}`], ttl: '1m', factory: load }),
    async invalidate(trial) {
      await bento.deleteByTag({ tags: [`type:OVA:${trial}`] });
    },
    close: () => bento.disconnectAll(),
  };
}

function generationsApproach(client: Redis | Cluster): Approach & { cache: ReadThroughCache } {
  const cache = new ReadThroughCache(new RedisCacheStore(client));
  return {
    name: 'ours: generations read before the query',
    cache,
    async read(trial, load) {
      const lookup = (await cache.lookup(cacheSpec('bench:list', { type: [`OVA${trial}`] })))!;
      const hit = await cache.get(lookup);
      if (hit) return hit.toString();
      return (await cache.fill(lookup, async () => Buffer.from(await load()))).toString();
    },
    async invalidate(trial) {
      await cache.invalidate([`type:OVA${trial}`, 'all']);
    },
    async close() {},
  };
}

async function countStale(approach: Approach, trials: number): Promise<number> {
  let stale = 0;
  for (let trial = 0; trial < trials; trial++) {
    let database = 'old';
    const held = gate();
    const reachedDatabase = gate();
    const slowRead = approach.read(trial, async () => {
      const value = database;
      reachedDatabase.open();
      await held.opened; // between the database read and the cache store
      return value;
    });
    await reachedDatabase.opened;
    database = 'new';
    await approach.invalidate(trial); // the write is acknowledged after this
    held.open();
    await slowRead;
    const after = await approach.read(trial, async () => database);
    if (after !== 'new') stale++;
  }
  return stale;
}

/** Stale reads after acknowledged writes, per approach, under the same injected race. */
export async function staleReadComparison(client: Redis | Cluster, redisUrl: string, trials: number) {
  const approaches = [deleteKeysApproach(client), bentocacheApproach(redisUrl), generationsApproach(client)];
  const results: { approach: string; trials: number; stale: number }[] = [];
  for (const approach of approaches) {
    results.push({ approach: approach.name, trials, stale: await countStale(approach, trials) });
    await approach.close();
  }
  return results;
}
