import type { Context } from 'koa';
import type { RateLimiter } from '../core/ports/rate-limiter';
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
 * What one client may make the database do: reads that miss the cache are counted per client
 * address (across instances, with the Redis limiter), hits are free. A client cycling keys to
 * defeat the cache runs out of budget long before it fills Redis or starves the read slots.
 */
export class UncachedReadBudget {
  constructor(
    private readonly limiter: RateLimiter,
    readonly perClient: number,
    readonly windowMs: number,
  ) {
    if (!(perClient >= 1)) throw new Error(`uncached reads per client must be at least 1, got ${perClient}`);
  }

  async spend(ctx: Context): Promise<void> {
    const decision = await this.limiter.consume(
      `read:ip:${clientAddress(ctx)}`,
      this.perClient,
      this.windowMs,
    );
    if (decision.allowed) return;
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HttpProblem(
      429,
      'this client has made too many uncached catalogue reads; retry later, or repeat queries the cache already holds',
      {},
      { 'Retry-After': String(seconds) },
    );
  }
}
