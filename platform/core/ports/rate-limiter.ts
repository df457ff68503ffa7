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
  /**
   * Adds `cost` (default 1) to the key's window: allowed while the window's total is at most
   * `limit`. A cost of 0 only asks whether the window is already over.
   */
  consume(key: string, limit: number, windowMs: number, cost?: number): Promise<RateDecision>;
  close(): Promise<void>;
}
