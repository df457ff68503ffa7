import { type Clock, systemClock } from '../clock';
import type { InvalidationOutbox } from '../ports/invalidation-outbox';
import { EPOCH_TAG } from './cache-keys';

/** What the checks need from the catalogue: whether something other than the API wrote to it. */
export interface ChangeMarker {
  changeMarker(): Promise<{ version: number; accounted: number }>;
  markAccounted(version: number): Promise<boolean>;
}

export interface CacheCoherenceOptions {
  /**
   * How long one clean check lets this instance use the cache, counted from the check's start.
   * It is also the longest a write waits for an invalidation it cannot apply itself. @default 1000
   */
  readonly leaseMs?: number;
  /** Time between checks; well under the lease, so a healthy instance never runs out of it. @default 200 */
  readonly checkIntervalMs?: number;
  /** Added to the lease on the writer's side, for clocks that run at slightly different rates. @default 50 */
  readonly clockMarginMs?: number;
  /** Outbox entries applied per check. @default 500 */
  readonly batch?: number;
  readonly clock?: Clock;
}

/** How a write's invalidation reached the cache store before the write was acknowledged. */
export type SettleOutcome = 'applied' | 'applied-by-peer' | 'lease-expired';

export interface CoherenceStats {
  usable: boolean;
  checks: number;
  failedChecks: number;
  /** Outbox entries this instance applied for others (crashed or cut-off writers, outages). */
  replayed: number;
  settled: Record<SettleOutcome, number>;
}

/**
 * Keeps the response cache coherent across instances, under Redis outages, partitions and crashes.
 *
 * Every API write records its invalidation in the outbox inside its own transaction. The writer then
 * bumps the tags in the cache store (retrying, on the write path's own budget) and acknowledges only
 * once that succeeded, once another instance applied the entry for it, or once a full lease has
 * passed since its commit.
 *
 * The lease is what makes the last case safe. An instance may use the cache only for `leaseMs` after
 * the start of a check that found the outbox empty, or applied every entry it found, and found no
 * outside write unaccounted. A check that began after a commit sees that commit's entry; one that
 * began before it has expired by the time its writer gives up waiting. So once a write is
 * acknowledged, no instance serves from the cache unless that write's tags were bumped: the others
 * go to the database. The protocol is model-checked in test/model/cache-coherence.pml.
 */
export class CacheCoherence {
  private readonly leaseMs: number;
  private readonly checkIntervalMs: number;
  private readonly clockMarginMs: number;
  private readonly batch: number;
  private readonly clock: Clock;
  private trustedUntil = Number.NEGATIVE_INFINITY;
  private checking?: Promise<boolean>;
  private timer?: NodeJS.Timeout;
  private readonly counters = { checks: 0, failedChecks: 0, replayed: 0 };
  /** Rows whose tags were bumped, removed together on a later turn (see `settle`). */
  private readonly applied = new Set<number>();
  private removing?: NodeJS.Immediate;
  private readonly settled: Record<SettleOutcome, number> = {
    applied: 0,
    'applied-by-peer': 0,
    'lease-expired': 0,
  };

  constructor(
    private readonly bump: (tags: readonly string[]) => Promise<void>,
    readonly outbox: InvalidationOutbox,
    private readonly marker: ChangeMarker,
    options: CacheCoherenceOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 1000;
    this.checkIntervalMs = options.checkIntervalMs ?? 200;
    this.clockMarginMs = options.clockMarginMs ?? 50;
    this.batch = options.batch ?? 500;
    this.clock = options.clock ?? systemClock;
    if (!(this.checkIntervalMs < this.leaseMs)) {
      throw new Error(`checkIntervalMs (${this.checkIntervalMs}) must be below leaseMs (${this.leaseMs})`);
    }
  }

  /** Whether this instance may serve from the cache now; when not, reads go to the database. */
  usable(): boolean {
    return this.clock.now() < this.trustedUntil;
  }

  /**
   * One check: applies pending outbox entries, invalidates everything for outside writes, and renews
   * the lease only if all of that succeeded. Concurrent callers share one check.
   */
  check(): Promise<boolean> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<boolean> {
    const started = this.clock.now();
    this.counters.checks++;
    try {
      const entries = await this.outbox.pending(this.batch);
      if (entries.length > 0) {
        await this.bump([...new Set(entries.flatMap((entry) => entry.tags))]);
        await this.outbox.remove(entries.map((entry) => entry.id));
        this.counters.replayed += entries.length;
        if (entries.length === this.batch) throw new Error('more outbox entries than one check applies');
      }
      const { version, accounted } = await this.marker.changeMarker();
      if (version !== accounted) {
        // Invalidate first, then mark: a crash in between only repeats the invalidation.
        await this.bump([EPOCH_TAG]);
        await this.marker.markAccounted(version);
      }
      this.trustedUntil = started + this.leaseMs;
      return true;
    } catch {
      this.counters.failedChecks++;
      this.trustedUntil = Number.NEGATIVE_INFINITY;
      return false;
    }
  }

  /**
   * The write side, called after the commit of a write that recorded `outboxId`: resolves when the
   * write may be acknowledged (see the class comment), at the latest one lease after the call.
   */
  async settle(tags: readonly string[], outboxId: number): Promise<SettleOutcome> {
    const deadline = this.clock.now() + this.leaseMs + this.clockMarginMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      try {
        await this.bump(tags);
        this.removeLater(outboxId);
        return this.count('applied');
      } catch {
        // The store is unreachable from here, or slow; retry until someone applies it or time is up.
      }
      if (!(await this.outbox.isPending(outboxId).catch(() => true))) return this.count('applied-by-peer');
      const left = deadline - this.clock.now();
      if (left <= 0) return this.count('lease-expired');
      await this.clock.sleep(Math.min(pause, left));
    }
  }

  /**
   * Once its tags are bumped a row is only a leftover, so the write need not wait for its removal:
   * rows applied in one turn go in one statement, off the write's latency. A removal that fails,
   * or never runs because the process dies, leaves the row to a check, which bumps it again.
   */
  private removeLater(id: number): void {
    this.applied.add(id);
    this.removing ??= setImmediate(() => {
      this.removing = undefined;
      const ids = [...this.applied];
      this.applied.clear();
      this.outbox.remove(ids).catch(() => undefined);
    });
  }

  /** Records an invalidation that is not part of a data write (a purge), then settles it. */
  async invalidate(tags: readonly string[]): Promise<SettleOutcome> {
    return this.settle(tags, await this.outbox.append(tags));
  }

  private count(outcome: SettleOutcome): SettleOutcome {
    this.settled[outcome]++;
    return outcome;
  }

  /** Checks now, then every `checkIntervalMs`. A failed check never throws: it withdraws the lease. */
  start(): Promise<boolean> {
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs);
    this.timer.unref();
    return this.check();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  stats(): CoherenceStats {
    return { usable: this.usable(), ...this.counters, settled: { ...this.settled } };
  }
}
