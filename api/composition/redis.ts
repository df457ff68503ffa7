import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, redisReady } from '../adapters/redis/redis-client';
import type { Config } from '../config';

/** The shared Redis client when REDIS_URL is set. Start even when Redis is down: callers degrade. */
export async function openRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER' | 'REDIS_TIMEOUT_MS'>,
): Promise<Redis | Cluster | undefined> {
  if (!config.REDIS_URL) return undefined;
  const client = createRedisClient({
    url: config.REDIS_URL,
    cluster: config.REDIS_CLUSTER,
    commandTimeoutMs: config.REDIS_TIMEOUT_MS,
  });
  await redisReady(client);
  return client;
}
