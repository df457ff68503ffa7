import type { CacheStore } from '../ports/cache-store';
import { strongEtag } from '../strong-etag';
import { type CacheSpec, EPOCH_TAG } from './cache-keys';
import type { CacheObserver } from './cache-observer';
import { type BreakerState, CircuitBreaker } from './circuit-breaker';
import type { CacheCoherence, CoherenceStats } from './coherence';

export interface CacheLookup {
  /** Entry key: the spec's key plus the generations read before the database query. */
  storeKey: string;
  /** Strong validator for the entry; a matching If-None-Match needs neither database nor payload. */
  etag: string;
}

export interface CacheStats {
  hits: number;
  /** Hits served by the in-process tier (two-tier mode), included in `hits`. */
  l1Hits: number;
  misses: number;
  bypasses: number;
  fills: number;
  /** Misses served by another instance's fill while this one waited on the fill lock. */
  sharedFills: number;
  hitRatio: number;
  invalidations: Record<string, number>;
  pendingInvalidations: number;
  breaker: BreakerState;
  /** Absent for a cache without coherence (a single process over its in-process store). */
  coherence?: CoherenceStats;
  /** -1 when the store cannot tell (unreachable). */
  entries: number;
  bytes: number;
}

export interface ReadThroughCacheOptions {
  /** Entries die by TTL (old generations are never deleted, only unreachable). @default 1 h */
  readonly ttlMs?: number;
  /** ± fraction of the TTL, so entries filled together do not expire together. @default 0.1 */
  readonly ttlJitter?: number;
  /** @default a breaker with a 1 s cooldown */
  readonly breaker?: CircuitBreaker;
  /**
   * The cross-instance protocol (outbox, leases): required whenever the store is shared or can
   * fail. @default none: the store is trusted to apply every bump (one process, in-process store)
   */
  readonly coherence?: CacheCoherence;
  /** How long the cross-instance fill lock lives if its holder dies. @default 10 s */
  readonly fillLockTtlMs?: number;
  /** How long a miss waits for another instance's fill before querying itself. @default 1.5 s */
  readonly fillWaitMs?: number;
  /** Counts L1 hits when the store is two-tier. */
  readonly l1Hits?: () => number;
  /** Receives outcomes, invalidations and fill times (metrics). @default none */
  readonly observer?: CacheObserver;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Read-through cache with generation-tagged keys.
 *
 * Race freedom: generations are read BEFORE the database query and the fill is stored under them;
 * writers bump generations only AFTER their commit. A fill that raced a write is stored under the
 * old generations, which no read started after the write's acknowledgement can reach.
 *
 * Outages, partitions and crashes: CacheCoherence decides when the cache may be used at all, and
 * when a write may be acknowledged; while it says no, every read bypasses the cache.
 */
export class ReadThroughCache {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly breaker: CircuitBreaker;
  private readonly coherence?: CacheCoherence;
  private readonly ttlMs: number;
  private readonly ttlJitter: number;
  private readonly fillLockTtlMs: number;
  private readonly fillWaitMs: number;
  private readonly counters = { hits: 0, misses: 0, bypasses: 0, fills: 0, sharedFills: 0 };
  private readonly invalidations: Record<string, number> = {};
  /** Test hook: runs between the database read and the cache store of a fill. */
  beforeStore?: (storeKey: string) => Promise<void>;

  constructor(
    private readonly store: CacheStore,
    private readonly options: ReadThroughCacheOptions = {},
  ) {
    this.breaker = options.breaker ?? new CircuitBreaker();
    this.coherence = options.coherence;
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.ttlJitter = options.ttlJitter ?? 0.1;
    this.fillLockTtlMs = options.fillLockTtlMs ?? 10_000;
    this.fillWaitMs = options.fillWaitMs ?? 1500;
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
    if (this.coherence && !this.coherence.usable()) return this.bypass();
    const generations = await this.guarded(() => this.store.generations(spec.tags));
    if (!generations.ok) return this.bypass();
    const storeKey = `${spec.key}|g=${generations.value.join('.')}`;
    return { storeKey, etag: strongEtag(storeKey) };
  }

  private bypass(): undefined {
    this.counters.bypasses++;
    this.options.observer?.outcome('bypass', 'none');
    return undefined;
  }

  /** The stored entry, null on a miss, undefined when the store failed (bypass). */
  async get(lookup: CacheLookup): Promise<Buffer | null | undefined> {
    const l1Before = this.options.l1Hits?.() ?? 0;
    const result = await this.guarded(() => this.store.get(lookup.storeKey));
    if (!result.ok) return this.bypass();
    if (result.value) this.counters.hits++;
    else this.counters.misses++;
    const tier = (this.options.l1Hits?.() ?? 0) > l1Before ? 'l1' : 'shared';
    this.options.observer?.outcome(result.value ? 'hit' : 'miss', tier);
    return result.value;
  }

  /**
   * Produces and stores the entry. Concurrent misses for one key share one fill in this process,
   * and, through a short lock in the store, across instances: the others wait (bounded) for the
   * entry, then query the database themselves if it has not appeared.
   */
  fill(lookup: CacheLookup, produce: () => Promise<Buffer>): Promise<Buffer> {
    const running = this.inflight.get(lookup.storeKey);
    if (running) return running;
    const fill = this.fillOnce(lookup, produce).finally(() => this.inflight.delete(lookup.storeKey));
    this.inflight.set(lookup.storeKey, fill);
    return fill;
  }

  private async fillOnce(lookup: CacheLookup, produce: () => Promise<Buffer>): Promise<Buffer> {
    const lock = await this.guarded(() => this.store.tryLock(lookup.storeKey, this.fillLockTtlMs));
    if (lock.ok && lock.value === null) {
      const filled = await this.awaitOtherFill(lookup.storeKey);
      if (filled) {
        this.counters.sharedFills++;
        return filled;
      }
    }
    try {
      const started = performance.now();
      const value = await produce();
      this.counters.fills++;
      this.options.observer?.filled(performance.now() - started);
      await this.beforeStore?.(lookup.storeKey);
      const jitter = 1 + (Math.random() * 2 - 1) * this.ttlJitter;
      await this.guarded(() => this.store.set(lookup.storeKey, value, Math.round(this.ttlMs * jitter)));
      return value;
    } finally {
      if (lock.ok && lock.value) {
        const token = lock.value;
        await this.guarded(() => this.store.unlock(lookup.storeKey, token));
      }
    }
  }

  private async awaitOtherFill(storeKey: string): Promise<Buffer | null> {
    const deadline = Date.now() + this.fillWaitMs;
    for (let pause = 5; Date.now() < deadline; pause = Math.min(pause * 2, 50)) {
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      const entry = await this.guarded(() => this.store.get(storeKey));
      if (!entry.ok) return null;
      if (entry.value) return entry.value;
    }
    return null;
  }

  /**
   * Call after the write committed, with the outbox entry it recorded; resolves when the write may
   * be acknowledged. Without coherence the bump goes straight to the store and a failure throws.
   */
  async invalidate(tags: readonly string[], outboxId?: number): Promise<void> {
    for (const tag of tags) {
      const kind = tag.split(':')[0]!;
      this.invalidations[kind] = (this.invalidations[kind] ?? 0) + 1;
    }
    this.options.observer?.invalidated(tags);
    if (!this.coherence) return this.store.bump(tags);
    if (outboxId === undefined) await this.coherence.invalidate(tags);
    else await this.coherence.settle(tags, outboxId);
  }

  /** Makes every entry unreachable at once: one counter bump, no key scan. */
  purge(): Promise<void> {
    return this.invalidate([EPOCH_TAG]);
  }

  async stats(): Promise<CacheStats> {
    const size = await this.guarded(() => this.store.size());
    const total = this.counters.hits + this.counters.misses;
    return {
      ...this.counters,
      l1Hits: this.options.l1Hits?.() ?? 0,
      hitRatio: total ? Math.round((this.counters.hits / total) * 1000) / 1000 : 0,
      invalidations: { ...this.invalidations },
      pendingInvalidations: this.coherence ? await this.coherence.outbox.size().catch(() => -1) : 0,
      breaker: this.breaker.current,
      ...(this.coherence ? { coherence: this.coherence.stats() } : {}),
      ...(size.ok ? size.value : { entries: -1, bytes: -1 }),
    };
  }
}
