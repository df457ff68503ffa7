import type { RateDecision, RateLimiter } from '../../core/ports/rate-limiter';

/** Fixed windows held in this process; expired windows are swept as new keys arrive. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<RateDecision> {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += cost;
    return { allowed: window.count <= limit, retryAfterMs: window.resetAt - now };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    this.nextSweep = now + 10_000;
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
