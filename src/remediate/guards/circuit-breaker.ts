/**
 * A circuit breaker per automation rule: after `failures` consecutive failed
 * executions it opens (the rule stops acting and a human is paged); after
 * `openForMs` it lets one trial execution through (half-open); that trial's
 * success closes it, its failure opens it again for another period.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt?: number;
}

export class CircuitBreaker {
  private s: BreakerSnapshot;
  private trialInFlight = false;

  constructor(
    private readonly failures: number,
    private readonly openForMs: number,
    initial?: BreakerSnapshot,
  ) {
    this.s = initial ? { ...initial } : { state: 'closed', consecutiveFailures: 0 };
  }

  state(now: number): BreakerState {
    if (this.s.state === 'open' && now - (this.s.openedAt ?? 0) >= this.openForMs) return 'half_open';
    return this.s.state;
  }

  /** May an execution start now? In half-open, only one trial at a time. */
  allow(now: number): boolean {
    const st = this.state(now);
    if (st === 'closed') return true;
    if (st === 'open' || this.trialInFlight) return false;
    return true;
  }

  /** Marks an execution as started (a half-open breaker then holds further ones until it ends). */
  started(now: number): void {
    if (this.state(now) === 'half_open') {
      this.trialInFlight = true;
      this.s = { ...this.s, state: 'half_open' };
    }
  }

  /** Returns `closed` when this success closed an open or half-open breaker. */
  success(): 'closed' | undefined {
    this.trialInFlight = false;
    const was = this.s.state;
    this.s = { state: 'closed', consecutiveFailures: 0 };
    return was !== 'closed' ? 'closed' : undefined;
  }

  /** Returns `opened` when this failure opened the breaker. */
  failure(now: number): 'opened' | undefined {
    this.trialInFlight = false;
    const n = this.s.consecutiveFailures + 1;
    if (this.s.state === 'half_open' || n >= this.failures) {
      this.s = { state: 'open', consecutiveFailures: n, openedAt: now };
      return 'opened';
    }
    this.s = { ...this.s, consecutiveFailures: n };
    return undefined;
  }

  snapshot(): BreakerSnapshot {
    return { ...this.s };
  }
}
