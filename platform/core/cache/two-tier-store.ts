import type { CacheStore } from '../ports/cache-store';

/**
 * An in-process L1 in front of the shared store. Entry keys carry the generations they were filled
 * under, so an L1 entry is valid exactly when its key matches the current generations, which are
 * always read from the shared store: one small round trip validates a hit of any size.
 */
export class TwoTierCacheStore implements CacheStore {
  /** Counts L1 hits, so stats can say which tier served. */
  l1Hits = 0;

  constructor(
    private readonly l1: CacheStore,
    private readonly shared: CacheStore,
  ) {}

  generations(tags: readonly string[]): Promise<number[]> {
    return this.shared.generations(tags);
  }

  bump(tags: readonly string[]): Promise<void> {
    return this.shared.bump(tags);
  }

  async get(key: string): Promise<Buffer | null> {
    const local = await this.l1.get(key);
    if (local) {
      this.l1Hits++;
      return local;
    }
    const value = await this.shared.get(key);
    // The shared entry's remaining TTL is unknown here; a short local TTL keeps the tiers close.
    if (value) await this.l1.set(key, value, 60_000);
    return value;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.shared.set(key, value, ttlMs);
    await this.l1.set(key, value, ttlMs);
  }

  tryLock(key: string, ttlMs: number): Promise<string | null> {
    return this.shared.tryLock(key, ttlMs);
  }

  unlock(key: string, token: string): Promise<void> {
    return this.shared.unlock(key, token);
  }

  size(): Promise<{ entries: number; bytes: number }> {
    return this.shared.size();
  }

  async close(): Promise<void> {
    await this.l1.close();
    await this.shared.close();
  }
}
