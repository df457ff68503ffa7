/** One recorded invalidation: the cache tags a committed change made out of date. */
export interface OutboxEntry {
  readonly id: number;
  readonly tags: readonly string[];
}

/**
 * Invalidations recorded beside the data, so that any instance can apply what a writer could not.
 * API writes insert their entry in the same transaction as the change (see AnimeRepository); an
 * entry is removed only once its tags were bumped in the cache store.
 */
export interface InvalidationOutbox {
  /** Records an invalidation outside a data write (a purge). Returns the entry's id. */
  append(tags: readonly string[]): Promise<number>;
  /** Entries not yet applied, oldest first, at most `limit`. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Whether the entry is still waiting to be applied. */
  isPending(id: number): Promise<boolean>;
  /** Removes entries whose tags were applied. Removing one twice is harmless. */
  remove(ids: readonly number[]): Promise<void>;
  size(): Promise<number>;
}
