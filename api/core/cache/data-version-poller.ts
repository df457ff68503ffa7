import type { Invalidator } from '../catalogue-writes';
import type { AnimeRepository } from '../ports/anime-repository';
import { EPOCH_TAG } from './cache-keys';

/**
 * Catches writes that bypass the API (ETL loads, Data Factory runs, manual SQL): when the data
 * version moves past what API writes accounted for, every entry is invalidated by bumping `epoch`.
 */
export class DataVersionPoller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly repository: AnimeRepository,
    private readonly cache: Invalidator & { drainOutbox?(): Promise<boolean> },
    private readonly intervalMs = 2000,
  ) {}

  /** One check; returns whether it invalidated. Also replays invalidations queued during an outage. */
  async poll(): Promise<boolean> {
    await this.cache.drainOutbox?.();
    const { version, accounted } = await this.repository.changeMarker();
    if (version === accounted) return false;
    // Invalidate first, then mark: a crash in between only repeats the invalidation.
    await this.cache.invalidate([EPOCH_TAG]);
    await this.repository.markAccounted(version);
    return true;
  }

  start(onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.poll()
        .then(() => undefined, onError)
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
