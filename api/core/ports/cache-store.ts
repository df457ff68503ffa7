/**
 * The shared store behind the response cache. Entries are opaque bytes; tag generations are
 * counters that writers bump and readers fold into entry keys, so invalidation never scans keys.
 * Every adapter passes test/contract/cache-store.contract.ts.
 */
export interface CacheStore {
  /** Current generation of each tag, in order (0 for a tag never bumped). */
  generations(tags: readonly string[]): Promise<number[]>;
  /** Increments every tag's generation atomically. */
  bump(tags: readonly string[]): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Entry count and bytes, as far as the store can tell cheaply. */
  size(): Promise<{ entries: number; bytes: number }>;
  close(): Promise<void>;
}
