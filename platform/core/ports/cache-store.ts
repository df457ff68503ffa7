/**
 * The shared store behind the response cache. Entries are opaque bytes; tag generations are
 * counters that writers bump and readers fold into entry keys, so invalidation never scans keys.
 * Every adapter passes test/contract/cache-store.contract.ts.
 */
export interface CacheStore {
  /**
   * Current generation of each tag, in order. A generation never takes a value it had before, even
   * after the store loses its data, so an entry keyed by old generations can never come back.
   */
  generations(tags: readonly string[]): Promise<number[]>;
  /** Increments every tag's generation atomically. */
  bump(tags: readonly string[]): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** A short exclusive lock on filling `key`: a token when taken, null when someone holds it. */
  tryLock(key: string, ttlMs: number): Promise<string | null>;
  /** Releases the lock only if `token` still holds it. */
  unlock(key: string, token: string): Promise<void>;
  /** Entry count and bytes, as far as the store can tell cheaply. */
  size(): Promise<{ entries: number; bytes: number }>;
  close(): Promise<void>;
}
