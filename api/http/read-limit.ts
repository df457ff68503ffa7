import type { Context } from 'koa';
import type { RateLimiter } from '../../platform/core/ports/rate-limiter';
import { HttpProblem } from './problem';
import { clientAddress } from './throttle';

/** Thrown when the instance runs as many catalogue reads as it may and its queue is full. */
export class ReadsSaturatedError extends Error {
  constructor() {
    super('this instance is running as many catalogue reads as it may; retry shortly');
  }
}

/**
 * Bounds the catalogue reads (cache fills and uncached reads) one instance runs at once, with a
 * short queue behind them: a burst of distinct expensive requests waits or is refused with a 503
 * instead of every one of them slowing all the others. Requests for one key already share a read
 * (single-flight), so a herd on one key takes one slot.
 */
export class ReadLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {
    if (!(concurrency >= 1)) throw new Error(`read concurrency must be at least 1, got ${concurrency}`);
    if (!(queue >= 0)) throw new Error(`read queue must be at least 0, got ${queue}`);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.concurrency) this.active++;
    else if (this.waiting.length < this.queue)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new ReadsSaturatedError();
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Keys remembered for a while, bounded: the oldest is forgotten first. What the budget uses to
 * charge a client once per key, and the admission doorkeeper to tell a repeat from a one-off.
 */
export class RecentKeys {
  private readonly until = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    readonly capacity = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `key` was remembered within the window; remembers nothing. */
  has(key: string): boolean {
    const until = this.until.get(key);
    return until !== undefined && until > this.now();
  }

  /** Remembers `key` for a window from now, unless it is already remembered. */
  remember(key: string): void {
    if (this.has(key)) return;
    this.until.delete(key);
    this.until.set(key, this.now() + this.windowMs);
    if (this.until.size > this.capacity) this.until.delete(this.until.keys().next().value!);
  }

  /** Whether `key` was seen within the window; it is remembered either way (the doorkeeper's test). */
  seen(key: string): boolean {
    const recent = this.has(key);
    this.remember(key);
    return recent;
  }
}

/** One read's charge: settled with what it cost once its size is known. */
export interface Charge {
  settle(bytes: number): void;
}

const FREE: Charge = { settle: () => undefined };

/**
 * What one client may make the database do, by cost, not by count: an uncached read costs one
 * unit per `unitBytes` it returns (a page of 50 is one unit, a 5 MB list-all about eighty),
 * counted per client address across instances with the Redis limiter. Hits are free, and so is a
 * repeat of a key the client was already charged for in this window (its reads after each write,
 * or through a Redis outage, touch the same few keys: they abuse nothing). A client cycling keys
 * to defeat the cache runs out long before it fills Redis or starves the read slots, and the bytes
 * it can make the cache store per window are bounded by `perClient × unitBytes`.
 */
export class UncachedReadBudget {
  private readonly charged: RecentKeys;
  private readonly running = new Map<string, number>();
  private readonly deciding = new Map<string, Promise<void>>();

  constructor(
    private readonly limiter: RateLimiter,
    readonly perClient: number,
    readonly windowMs: number,
    readonly unitBytes = 64 * 1024,
    /**
     * Uncached reads one client may have running at once on this instance: its cost is charged
     * when a read ends, so without this a client could start many before the first is counted.
     */
    readonly concurrentPerClient = 2,
  ) {
    if (!(perClient >= 1)) throw new Error(`uncached reads per client must be at least 1, got ${perClient}`);
    if (!(unitBytes >= 1024))
      throw new Error(`the budget's unit must be at least 1024 bytes, got ${unitBytes}`);
    this.charged = new RecentKeys(windowMs);
  }

  /**
   * Before an uncached read of `key`: free for a repeat, else one unit, and 429 when the client's
   * budget is spent. The read's remaining cost is charged when its size is known.
   */
  async spend(ctx: Context, key: string): Promise<Charge> {
    const client = clientAddress(ctx);
    const charge = `${client}\u0000${key}`;
    if (this.charged.has(charge)) return FREE;
    // A repeat sent while the first ask of the key is still being charged waits for that decision
    // rather than counting as a second read running.
    const deciding = this.deciding.get(charge);
    if (deciding) {
      await deciding;
      return this.spend(ctx, key);
    }
    const running = this.running.get(client) ?? 0;
    if (running >= this.concurrentPerClient)
      throw new HttpProblem(
        429,
        `this client already has ${running} uncached catalogue reads running; retry when one ends`,
        {},
        { 'Retry-After': '1' },
      );
    const bucket = `read:ip:${client}`;
    this.running.set(client, running + 1);
    const release = () => {
      const left = (this.running.get(client) ?? 1) - 1;
      if (left > 0) this.running.set(client, left);
      else this.running.delete(client);
    };
    // Remembered (so its repeats are free) only once charged: a refused key stays refused.
    const decided = this.limiter.consume(bucket, this.perClient, this.windowMs, 1).then((decision) => {
      if (decision.allowed) this.charged.remember(charge);
      return decision;
    });
    const settledDecision = decided.then(
      () => undefined,
      () => undefined,
    );
    this.deciding.set(charge, settledDecision);
    void settledDecision.then(() => this.deciding.delete(charge));
    let decision: Awaited<ReturnType<RateLimiter['consume']>>;
    try {
      decision = await decided;
    } catch (error) {
      release();
      throw error;
    }
    if (!decision.allowed) {
      release();
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new HttpProblem(
        429,
        'this client has made too many uncached catalogue reads (counted by size); retry later, or repeat queries the cache already holds',
        {},
        { 'Retry-After': String(seconds) },
      );
    }
    let settled = false;
    return {
      settle: (bytes) => {
        if (settled) return;
        settled = true;
        release();
        const more = Math.ceil(bytes / this.unitBytes) - 1;
        // Never refuses this read (it is done); it makes the client's next one wait.
        if (more > 0)
          void this.limiter.consume(bucket, this.perClient, this.windowMs, more).catch(() => undefined);
      },
    };
  }
}
