/** Options of a CircuitBreaker. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failures that open the circuit.
   * @defaultValue 5
   */
  failureThreshold: number;
  /**
   * How long the circuit stays open before one trial call is let through (half-open).
   * @defaultValue 10000
   */
  openMs: number;
  /** The clock, injectable for tests. @defaultValue Date.now */
  now: () => number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * Stops calling a backend that keeps failing, so that a struggling backend gets room to recover
 * and callers fail fast instead of waiting out timeouts. Closed -> (threshold failures) -> open
 * -> (openMs) -> half-open: one trial; success closes, failure opens again.
 */
export class CircuitBreaker {
  private readonly options: CircuitBreakerOptions;
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private current: CircuitState = 'closed';

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.options = { failureThreshold: 5, openMs: 10_000, now: Date.now, ...options };
  }

  get state(): CircuitState {
    if (this.current === 'open' && this.options.now() - this.openedAt >= this.options.openMs)
      return 'half_open';
    return this.current;
  }

  /** Whether a call may go out now; in half-open state only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  onFailure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.current !== 'closed' || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.options.now();
    }
  }
}
