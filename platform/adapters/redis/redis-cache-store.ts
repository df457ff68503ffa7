import { randomUUID } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import type { CacheStore } from '../../core/ports/cache-store';
import { redisReady } from './redis-client';

/**
 * All generation counters share one hash tag, so MGET and the scripts over them stay in one cluster
 * slot; entry keys spread across the cluster freely.
 */
const GENERATIONS = '{anime:gen}';
const FILL_LOCKS = 'anime:fill-lock:';

// A missing counter starts at the server's clock in microseconds, not at 0: after Redis loses its
// data, counters resume above every value they had, so no old entry key can match again.
const START = `
local t = redis.call('TIME')
local start = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
for i, key in ipairs(KEYS) do redis.call('SET', key, start, 'NX') end`;
const INIT = `${START}
return redis.call('MGET', unpack(KEYS))`;
const BUMP = `${START}
for i, key in ipairs(KEYS) do redis.call('INCR', key) end
return #KEYS`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
// Idle time is Redis' own (reads refresh it), checked and deleted in one step so a counter read
// between the two is never deleted. Deleting a counter is always safe, as its replacement starts at
// the server clock, above every value it had; the idle bound only keeps counters in use.
const RETIRE_IDLE = `
local retired = 0
for i, key in ipairs(KEYS) do
  local idle = redis.call('OBJECT', 'IDLETIME', key)
  if idle and idle >= tonumber(ARGV[1]) then retired = retired + redis.call('DEL', key) end
end
return retired`;

interface Scripts {
  initGenerations(n: number, ...keys: string[]): Promise<(string | null)[]>;
  bumpGenerations(n: number, ...keys: string[]): Promise<number>;
  unlockFill(key: string, token: string): Promise<number>;
  retireIdleGenerations(n: number, ...keysThenIdleSeconds: (string | number)[]): Promise<number>;
}

function withScripts(client: Redis | Cluster): Scripts {
  client.defineCommand('initGenerations', { lua: INIT });
  client.defineCommand('bumpGenerations', { lua: BUMP });
  client.defineCommand('unlockFill', { lua: UNLOCK, numberOfKeys: 1 });
  client.defineCommand('retireIdleGenerations', { lua: RETIRE_IDLE });
  // defineCommand adds these methods at run time, which ioredis's types cannot know.
  return client as unknown as Scripts;
}

export class RedisCacheStore implements CacheStore {
  private readonly scripts: Scripts;
  private readonly bumps: Scripts;
  private retiring?: NodeJS.Timeout;

  /**
   * `writer` carries the bumps: a connection of their own, so that an invalidation gets a longer
   * timeout than a read and never waits behind a queue of reads. @default the same client
   */
  constructor(
    readonly client: Redis | Cluster,
    private readonly writer: Redis | Cluster = client,
  ) {
    this.scripts = withScripts(client);
    this.bumps = writer === client ? this.scripts : withScripts(writer);
  }

  ready(timeoutMs?: number): Promise<boolean> {
    return redisReady(this.client, timeoutMs);
  }

  private genKey(tag: string): string {
    return `${GENERATIONS}:${tag}`;
  }

  async generations(tags: readonly string[]): Promise<number[]> {
    if (tags.length === 0) return [];
    const keys = tags.map((t) => this.genKey(t));
    // The hot path is one MGET; the script runs only for counters that do not exist yet.
    let values = await this.client.mget(...keys);
    if (values.includes(null)) values = await this.scripts.initGenerations(keys.length, ...keys);
    return values.map(Number);
  }

  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const keys = tags.map((t) => this.genKey(t));
    await this.bumps.bumpGenerations(keys.length, ...keys);
  }

  async get(key: string): Promise<Buffer | null> {
    return this.client.getBuffer(key);
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.client.set(key, value, 'PX', ttlMs);
  }

  async tryLock(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    const taken = await this.client.set(FILL_LOCKS + key, token, 'PX', ttlMs, 'NX');
    return taken === 'OK' ? token : null;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.scripts.unlockFill(FILL_LOCKS + key, token);
  }

  /**
   * Deletes the generation counters no read has touched for `idleMs`. Counters have no TTL, so the
   * `volatile-*` eviction policies never take one under cache pressure; this is how the ones that
   * can no longer matter (every entry keyed by them has expired) go. Returns how many it deleted.
   * Needs an LRU or no eviction policy: under an LFU policy Redis keeps no idle time, and it
   * deletes nothing.
   */
  async retireIdleGenerations(idleMs: number): Promise<number> {
    const idleSeconds = Math.ceil(idleMs / 1000);
    let retired = 0;
    for (const node of this.masters()) {
      const keys = node.scanStream({ match: `${GENERATIONS}:*`, count: 500 });
      for await (const batch of keys as AsyncIterable<string[]>) {
        if (batch.length === 0) continue;
        try {
          retired += await this.scripts.retireIdleGenerations(batch.length, ...batch, idleSeconds);
        } catch (error) {
          if (/LFU/i.test(String(error))) return retired;
          throw error;
        }
      }
    }
    return retired;
  }

  /**
   * Runs `retireIdleGenerations` every `everyMs` until the store closes; failures wait for the next
   * round (a Redis that is down has nothing to sweep).
   */
  retireIdleGenerationsEvery(everyMs: number, idleMs: number): void {
    clearInterval(this.retiring);
    this.retiring = setInterval(() => this.retireIdleGenerations(idleMs).catch(() => {}), everyMs);
    this.retiring.unref();
  }

  private masters(): Redis[] {
    return this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
  }

  async size() {
    const nodes = this.masters();
    let entries = 0;
    let bytes = 0;
    for (const node of nodes) {
      entries += await node.dbsize();
      bytes += Number(/used_memory:(\d+)/.exec(await node.info('memory'))?.[1] ?? 0);
    }
    return { entries, bytes };
  }

  async close(): Promise<void> {
    clearInterval(this.retiring);
    this.client.disconnect();
    this.writer.disconnect();
  }
}
