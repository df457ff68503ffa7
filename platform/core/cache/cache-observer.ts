export type CacheOutcome = 'hit' | 'miss' | 'bypass';
export type CacheTier = 'l1' | 'shared' | 'none';

/** What the cache reports as it works; the observability layer turns it into metrics. */
export interface CacheObserver {
  outcome(outcome: CacheOutcome, tier: CacheTier): void;
  invalidated(tags: readonly string[]): void;
  filled(durationMs: number): void;
}
