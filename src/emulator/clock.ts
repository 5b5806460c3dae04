/** Time for the emulator: the system clock, or a manual one tests advance. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real time. */
export class SystemClock implements Clock {
  public now(): number {
    return Date.now();
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A clock that moves only when told: `advanceDays(30)` lets a pending deletion complete or a rotation
 * come due, without waiting.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  public now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` milliseconds (never backwards). */
  public advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance needs a non-negative duration. Received: ${ms}`);
    this.current += ms;
  }

  /** Moves time forward by whole or fractional days. */
  public advanceDays(days: number): void {
    this.advance(days * DAY_MS);
  }
}

export { DAY_MS };
