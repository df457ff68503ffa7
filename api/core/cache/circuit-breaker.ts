export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Guards calls to the cache store. One failure (or timeout) opens it; after `cooldownMs` a single
 * trial call decides whether it closes again. While open, callers bypass the cache entirely.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;

  constructor(private readonly cooldownMs = 1000) {}

  get current(): BreakerState {
    if (this.state === 'open' && Date.now() - this.openedAt >= this.cooldownMs) return 'half-open';
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
  }

  failed(): void {
    this.state = 'open';
    this.openedAt = Date.now();
    this.trialInFlight = false;
  }
}
