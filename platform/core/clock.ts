/** Time as the cache protocol sees it: a monotonic clock and a way to wait, both replaceable in tests. */
export interface Clock {
  /** Milliseconds on a monotonic clock (never steps back when the wall clock is adjusted). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
