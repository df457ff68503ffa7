import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** redis:// or rediss:// (TLS, as Azure's port 6380 requires). */
  readonly url: string;
  /** Use the ioredis Cluster client (Azure Managed Redis' OSS cluster policy). @default false */
  readonly cluster?: boolean;
  /** Per-command timeout; a slow Redis counts as a failed one. @default 50 */
  readonly commandTimeoutMs?: number;
  /**
   * Commands issued in one turn of the event loop leave in one socket write (ioredis' automatic
   * pipelining): under load, the hits' generation reads cost one syscall, not one each. Each is
   * still its own command, sent in order. @default false
   */
  readonly autoPipelining?: boolean;
}

/** One client for the cache and the rate limits; it fails fast instead of queueing while offline. */
export function createRedisClient(options: RedisClientOptions): Redis | Cluster {
  const url = new URL(options.url);
  const common: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 50,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
    connectTimeout: 2000,
    ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  const client = options.cluster
    ? new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
        redisOptions: {
          ...common,
          username: decodeURIComponent(url.username) || undefined,
          password: decodeURIComponent(url.password) || undefined,
        },
        enableOfflineQueue: false,
        enableAutoPipelining: options.autoPipelining ?? false,
        // Azure answers cluster nodes by IP; TLS must still verify the host name.
        ...(url.protocol === 'rediss:' ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      })
    : new Redis(options.url, common);
  client.on('error', () => {
    // Failures surface on each command, where the circuit breaker counts them.
  });
  return client;
}

/** Resolves once connected, or false after `timeoutMs` (the breaker then handles an absent Redis). */
export function redisReady(client: Redis | Cluster, timeoutMs = 3000): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
