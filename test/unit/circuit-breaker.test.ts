import { CircuitBreaker } from '../../platform/core/cache/circuit-breaker';
import { FakeClock } from '../support/fake-clock';

describe('circuit breaker', () => {
  it('opens on the third failure in a row, not on one slow reply', () => {
    const breaker = new CircuitBreaker(60_000);
    breaker.failed();
    breaker.failed();
    expect([breaker.current, breaker.allows()]).toEqual(['closed', true]);
    breaker.failed();
    expect([breaker.current, breaker.allows()]).toEqual(['open', false]);
  });

  it('counts only failures in a row: a success in between starts over', () => {
    const breaker = new CircuitBreaker(60_000);
    breaker.failed();
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    breaker.failed();
    expect(breaker.current).toBe('closed');
  });

  it('after the cooldown lets one trial through; a failed trial reopens at once, a good one closes', () => {
    const clock = new FakeClock();
    const breaker = new CircuitBreaker(20, 3, clock);
    for (let i = 0; i < 3; i++) breaker.failed();
    clock.advance(19);
    expect(breaker.current).toBe('open');
    clock.advance(1);
    expect(breaker.current).toBe('half-open');
    expect([breaker.allows(), breaker.allows()]).toEqual([true, false]);
    breaker.failed();
    expect(breaker.current).toBe('open');
    clock.advance(20);
    expect(breaker.allows()).toBe(true);
    breaker.succeeded();
    expect([breaker.current, breaker.allows()]).toEqual(['closed', true]);
  });

  it('refuses a threshold below one', () => {
    expect(() => new CircuitBreaker(1000, 0)).toThrow(/failureThreshold/);
  });
});
