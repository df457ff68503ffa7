import { type Clock, systemClock } from '../clock';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Guards calls to the cache store. `failureThreshold` failures (or timeouts) in a row open it, so a
 * single reply delayed past its timeout by a busy event loop does not send a whole instance to the
 * database for a cooldown; a real outage fails every call and opens it at once anyway. After
 * `cooldownMs` a single trial call decides whether it closes again. While open, callers bypass the
 * cache entirely.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;
  private failuresInARow = 0;

  constructor(
    private readonly cooldownMs = 1000,
    private readonly failureThreshold = 3,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(failureThreshold >= 1)) throw new Error('failureThreshold must be at least 1');
  }

  get current(): BreakerState {
    if (this.state === 'open' && this.clock.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.state;
  }

  /** Whether a call may go to the store now. */
  allows(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  succeeded(): void {
    this.state = 'closed';
    this.trialInFlight = false;
    this.failuresInARow = 0;
  }

  failed(): void {
    this.failuresInARow++;
    // A failed trial reopens at once: the store has already been failing.
    if (this.state === 'closed' && this.failuresInARow < this.failureThreshold) return;
    this.state = 'open';
    this.openedAt = this.clock.now();
    this.trialInFlight = false;
  }
}
