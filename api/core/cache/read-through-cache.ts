import type { CacheStore } from '../ports/cache-store';
import { strongEtag } from '../strong-etag';
import { type CacheSpec, EPOCH_TAG } from './cache-keys';
import { type BreakerState, CircuitBreaker } from './circuit-breaker';

export interface CacheLookup {
  /** Entry key: the spec's key plus the generations read before the database query. */
  storeKey: string;
  /** Strong validator for the entry; a matching If-None-Match needs neither database nor payload. */
  etag: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  bypasses: number;
  fills: number;
  hitRatio: number;
  invalidations: Record<string, number>;
  pendingInvalidations: number;
  breaker: BreakerState;
  /** -1 when the store cannot tell (unreachable, or a cluster). */
  entries: number;
  bytes: number;
}

export interface ReadThroughCacheOptions {
  /** Entries die by TTL (old generations are never deleted, only unreachable). @default 1 h */
  ttlMs?: number;
  /** ± fraction of the TTL, so entries filled together do not expire together. @default 0.1 */
  ttlJitter?: number;
  breaker?: CircuitBreaker;
}

/**
 * Read-through cache with generation-tagged keys.
 *
 * Race freedom: generations are read BEFORE the database query and the fill is stored under them;
 * writers bump generations only AFTER their commit. A fill that raced a write is stored under the
 * old generations, which no read started after the write's acknowledgement can reach.
 */
export class ReadThroughCache {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly pending = new Set<string>();
  private readonly breaker: CircuitBreaker;
  private readonly ttlMs: number;
  private readonly ttlJitter: number;
  private readonly counters = { hits: 0, misses: 0, bypasses: 0, fills: 0 };
  private readonly invalidations: Record<string, number> = {};
  /** Test hook: runs between the database read and the cache store of a fill. */
  beforeStore?: (storeKey: string) => Promise<void>;

  constructor(
    private readonly store: CacheStore,
    options: ReadThroughCacheOptions = {},
  ) {
    this.breaker = options.breaker ?? new CircuitBreaker();
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.ttlJitter = options.ttlJitter ?? 0.1;
  }

  /** Runs a store call behind the breaker; `ok: false` when it is open or the call failed. */
  private async guarded<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (!this.breaker.allows()) return { ok: false };
    try {
      const value = await call();
      this.breaker.succeeded();
      return { ok: true, value };
    } catch {
      this.breaker.failed();
      return { ok: false };
    }
  }

  /** The entry's key under the current generations, or undefined to bypass the cache. */
  async lookup(spec: CacheSpec): Promise<CacheLookup | undefined> {
    // Invalidations lost while the store was down must land before anything is served from it.
    if (this.pending.size > 0 && !(await this.replayPending())) return this.bypass();
    const generations = await this.guarded(() => this.store.generations(spec.tags));
    if (!generations.ok) return this.bypass();
    const storeKey = `${spec.key}|g=${generations.value.join('.')}`;
    return { storeKey, etag: strongEtag(storeKey) };
  }

  private bypass(): undefined {
    this.counters.bypasses++;
    return undefined;
  }

  /** The stored entry, null on a miss, undefined when the store failed (bypass). */
  async get(lookup: CacheLookup): Promise<Buffer | null | undefined> {
    const result = await this.guarded(() => this.store.get(lookup.storeKey));
    if (!result.ok) return this.bypass();
    if (result.value) this.counters.hits++;
    else this.counters.misses++;
    return result.value;
  }

  /** Produces and stores the entry; concurrent misses for one key in this process share one fill. */
  fill(lookup: CacheLookup, produce: () => Promise<Buffer>): Promise<Buffer> {
    const running = this.inflight.get(lookup.storeKey);
    if (running) return running;
    const fill = (async () => {
      try {
        const value = await produce();
        this.counters.fills++;
        await this.beforeStore?.(lookup.storeKey);
        const jitter = 1 + (Math.random() * 2 - 1) * this.ttlJitter;
        await this.guarded(() => this.store.set(lookup.storeKey, value, Math.round(this.ttlMs * jitter)));
        return value;
      } finally {
        this.inflight.delete(lookup.storeKey);
      }
    })();
    this.inflight.set(lookup.storeKey, fill);
    return fill;
  }

  /** Call after the write committed. Never throws: a failed bump is queued and replayed. */
  async invalidate(tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      const kind = tag.split(':')[0]!;
      this.invalidations[kind] = (this.invalidations[kind] ?? 0) + 1;
    }
    const result = await this.guarded(() => this.store.bump(tags));
    if (!result.ok) for (const tag of tags) this.pending.add(tag);
  }

  /** Makes every entry unreachable at once: one counter bump, no key scan. */
  purge(): Promise<void> {
    return this.invalidate([EPOCH_TAG]);
  }

  private async replayPending(): Promise<boolean> {
    const tags = [...this.pending];
    const result = await this.guarded(() => this.store.bump(tags));
    if (result.ok) for (const tag of tags) this.pending.delete(tag);
    return this.pending.size === 0;
  }

  async stats(): Promise<CacheStats> {
    const size = await this.guarded(() => this.store.size());
    const total = this.counters.hits + this.counters.misses;
    return {
      ...this.counters,
      hitRatio: total ? Math.round((this.counters.hits / total) * 1000) / 1000 : 0,
      invalidations: { ...this.invalidations },
      pendingInvalidations: this.pending.size,
      breaker: this.breaker.current,
      ...(size.ok ? size.value : { entries: -1, bytes: -1 }),
    };
  }
}
