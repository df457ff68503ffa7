import type { Cluster, Redis } from 'ioredis';
import type { RateDecision, RateLimiter } from '../../core/ports/rate-limiter';
import { MemoryRateLimiter } from '../memory/memory-rate-limiter';

/**
 * Every window lives in two keys without a TTL: a hash of counts and a sorted set of end times. A
 * key with no TTL is never chosen by the `volatile-*` eviction policies the infra sets, so cache
 * pressure cannot evict a lockout (a key with PEXPIRE can be: the old layout was). The hash tag
 * keeps both in one cluster slot, so one script sees them together.
 */
export const RATE_WINDOW_KEYS = ['{anime:rate}:counts', '{anime:rate}:ends'] as const;

/** Ended windows each call deletes: expiry by sweeping, since the keys themselves never expire. */
const SWEEP_BATCH = 32;

// The window starts with the first hit; time is the server's, so every instance agrees on it.
const CONSUME = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
if #ended > 0 then
  redis.call('HDEL', KEYS[1], unpack(ended))
  redis.call('ZREM', KEYS[2], unpack(ended))
end
local ends = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]))
if not ends or ends <= now then
  ends = now + tonumber(ARGV[2])
  redis.call('ZADD', KEYS[2], ends, ARGV[1])
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  return {tonumber(ARGV[4]), ends - now}
end
return {redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[4]), ends - now}`;

interface ConsumeScript {
  consumeRateWindow(
    counts: string,
    ends: string,
    key: string,
    windowMs: number,
    sweep: number,
    cost: number,
  ): Promise<[number, number]>;
}

/**
 * Limits shared by every instance. When Redis fails, each instance falls back to its own counters,
 * so an outage loosens the limits by the instance count rather than switching them off.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly fallback = new MemoryRateLimiter();
  private readonly script: ConsumeScript;

  constructor(
    client: Redis | Cluster,
    private readonly prefix = 'anime:ratelimit:',
  ) {
    client.defineCommand('consumeRateWindow', { numberOfKeys: 2, lua: CONSUME });
    // defineCommand adds the method at run time, which ioredis's types cannot know.
    this.script = client as unknown as ConsumeScript;
  }

  async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<RateDecision> {
    const whole = Math.max(0, Math.round(cost));
    try {
      const [count, ttl] = await this.script.consumeRateWindow(
        ...RATE_WINDOW_KEYS,
        this.prefix + key,
        windowMs,
        SWEEP_BATCH,
        whole,
      );
      return { allowed: count <= limit, retryAfterMs: ttl };
    } catch {
      return this.fallback.consume(key, limit, windowMs, whole);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}
