import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, redisReady } from '../platform/adapters/redis/redis-client';
import type { Config } from '../platform/config';

export interface RedisConnections {
  /** Cache reads and rate limits: a short timeout, so a slow Redis is bypassed quickly. */
  readonly reads: Redis | Cluster;
  /** Cache invalidations: a longer budget, retried, and never queued behind reads. */
  readonly writes: Redis | Cluster;
  disconnect(): void;
}

/** The Redis connections when REDIS_URL is set. Start even when Redis is down: callers degrade. */
export async function openRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER' | 'REDIS_TIMEOUT_MS' | 'REDIS_WRITE_TIMEOUT_MS'>,
): Promise<RedisConnections | undefined> {
  if (!config.REDIS_URL) return undefined;
  const connect = (commandTimeoutMs: number, autoPipelining: boolean) =>
    createRedisClient({
      url: config.REDIS_URL!,
      cluster: config.REDIS_CLUSTER,
      commandTimeoutMs,
      autoPipelining,
    });
  const reads = connect(config.REDIS_TIMEOUT_MS, true);
  const writes = connect(config.REDIS_WRITE_TIMEOUT_MS, false);
  await Promise.all([redisReady(reads), redisReady(writes)]);
  return {
    reads,
    writes,
    disconnect: () => {
      reads.disconnect();
      writes.disconnect();
    },
  };
}
