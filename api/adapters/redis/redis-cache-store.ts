import { Cluster, type Redis } from 'ioredis';
import type { CacheStore } from '../../core/ports/cache-store';
import { redisReady } from './redis-client';

/**
 * All generation counters share one hash tag, so MGET and the bump script stay in one cluster slot;
 * entry keys spread across the cluster freely.
 */
const GENERATIONS = '{anime:gen}';
const BUMP = `for i, key in ipairs(KEYS) do redis.call('INCR', key) end return #KEYS`;

export class RedisCacheStore implements CacheStore {
  constructor(readonly client: Redis | Cluster) {
    client.defineCommand('bumpGenerations', { lua: BUMP });
  }

  ready(timeoutMs?: number): Promise<boolean> {
    return redisReady(this.client, timeoutMs);
  }

  private genKey(tag: string): string {
    return `${GENERATIONS}:${tag}`;
  }

  async generations(tags: readonly string[]): Promise<number[]> {
    if (tags.length === 0) return [];
    const values = await this.client.mget(...tags.map((t) => this.genKey(t)));
    return values.map((v) => (v === null ? 0 : Number(v)));
  }

  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const keys = tags.map((t) => this.genKey(t));
    await (
      this.client as unknown as { bumpGenerations(n: number, ...k: string[]): Promise<number> }
    ).bumpGenerations(keys.length, ...keys);
  }

  async get(key: string): Promise<Buffer | null> {
    return this.client.getBuffer(key);
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.client.set(key, value, 'PX', ttlMs);
  }

  async size() {
    if (this.client instanceof Cluster) return { entries: -1, bytes: -1 };
    const info = await this.client.info('memory');
    const bytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? -1);
    return { entries: await this.client.dbsize(), bytes };
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
