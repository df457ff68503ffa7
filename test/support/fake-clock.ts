import type { Clock } from '../../platform/core/clock';

/**
 * A clock the test moves by hand. `sleep` moves it forward by the time asked for and resolves at
 * once, so a retry loop runs to its deadline deterministically, without waiting for real time.
 */
export class FakeClock implements Clock {
  private time = 1_000_000;
  /** Called on every sleep, after the clock moved: lets a test change the world between retries. */
  onSleep?: (now: number) => void | Promise<void>;

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number): Promise<void> {
    this.time += ms;
    await this.onSleep?.(this.time);
  }
}
