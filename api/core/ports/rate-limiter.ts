export interface RateDecision {
  allowed: boolean;
  /** How long until the window resets; sent as Retry-After when refused. */
  retryAfterMs: number;
}

/**
 * Fixed-window counters. Adapters: memory (one instance) and redis (shared by every instance).
 * Both pass test/contract/rate-limiter.contract.ts.
 */
export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number): Promise<RateDecision>;
  close(): Promise<void>;
}
