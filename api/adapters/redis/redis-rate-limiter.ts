import type { Cluster, Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from '../../core/ports/rate-limiter';
import { MemoryRateLimiter } from '../memory/memory-rate-limiter';

// One key per call, so the script is cluster-safe. The window starts with the first hit.
const CONSUME = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Limits shared by every instance. When Redis fails, each instance falls back to its own counters,
 * so an outage loosens the limits by the instance count rather than switching them off.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback = new MemoryRateLimiter();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix = 'anime:ratelimit:',
  ) {
    client.defineCommand('consumeRateWindow', { numberOfKeys: 1, lua: CONSUME });
  }

  async consume(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    try {
      const [count, ttl] = await (
        this.client as unknown as { consumeRateWindow(k: string, w: number): Promise<[number, number]> }
      ).consumeRateWindow(this.prefix + key, windowMs);
      return { allowed: count <= limit, retryAfterMs: ttl };
    } catch {
      return this.fallback.consume(key, limit, windowMs);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}
