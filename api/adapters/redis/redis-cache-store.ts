import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { CacheStore } from '../../core/ports/cache-store';

/**
 * All generation counters share one hash tag, so MGET and the bump script stay in one cluster slot;
 * entry keys spread across the cluster freely.
 */
const GENERATIONS = '{anime:gen}';
const BUMP = `for i, key in ipairs(KEYS) do redis.call('INCR', key) end return #KEYS`;

export interface RedisCacheOptions {
  url: string;
  cluster?: boolean;
  /** Per-command timeout; a slow Redis counts as a failed one. */
  commandTimeoutMs?: number;
}

export class RedisCacheStore implements CacheStore {
  readonly client: Redis | Cluster;

  constructor(options: RedisCacheOptions) {
    const url = new URL(options.url);
    const common: RedisOptions = {
      commandTimeout: options.commandTimeoutMs ?? 50,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      // rediss:// (Azure, port 6380) turns on TLS.
      ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    };
    if (options.cluster) {
      this.client = new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
        redisOptions: { ...common, username: url.username || undefined, password: url.password || undefined },
        enableOfflineQueue: false,
      });
    } else {
      this.client = new Redis(options.url, common);
    }
    this.client.on('error', () => {
      // Failures surface on each command, where the circuit breaker counts them.
    });
    this.client.defineCommand('bumpGenerations', { lua: BUMP });
  }

  /** Resolves once connected, or after `timeoutMs` (the breaker then handles an absent Redis). */
  ready(timeoutMs = 3000): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
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
