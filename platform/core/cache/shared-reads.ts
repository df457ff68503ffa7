/**
 * While the cache is bypassed (its store failing or its breaker open), concurrent requests for one
 * key share one database read instead of each running it: a herd must not reach the database
 * just because Redis is slow. A request joins a read in flight only if the catalogue's data version
 * has not moved since that read began, so no response is older than a write acknowledged before
 * the request arrived (the same guarantee the generations give the cache).
 */
export class SharedReads {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly dataVersion: () => Promise<number>) {}

  async run<T>(key: string, read: () => Promise<T>): Promise<T> {
    const id = `${key}|v=${await this.dataVersion()}`;
    const running = this.running.get(id) as Promise<T> | undefined;
    if (running) return running;
    // The read starts on the next turn of the event loop: with a synchronous driver (SQLite) it
    // would otherwise finish before the rest of a herd, woken by the same timers, could join it.
    const shared = new Promise<void>((resolve) => setImmediate(resolve))
      .then(read)
      .finally(() => this.running.delete(id));
    this.running.set(id, shared);
    return shared;
  }

  /** Reads in flight now; none once every shared read has settled. */
  get inFlight(): number {
    return this.running.size;
  }
}
