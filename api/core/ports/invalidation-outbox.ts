/**
 * Invalidations that could not reach the cache store (Redis down), kept durably beside the data
 * so that any instance can replay them. Adapters pass test/contract/invalidation-outbox.contract.ts.
 */
export interface InvalidationOutbox {
  append(tags: readonly string[]): Promise<void>;
  /**
   * Hands every pending tag to `apply` and removes what was handed over once it resolves.
   * Returns how many entries were drained; if `apply` throws, nothing is removed.
   */
  drain(apply: (tags: string[]) => Promise<void>): Promise<number>;
  size(): Promise<number>;
}
