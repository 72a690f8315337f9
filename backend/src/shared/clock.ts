/**
 * The time the server acts on. Deadlines, expiries and schedules read `ctx.clock.now()` instead of
 * `Date.now()`, so tests can move time forward without sleeping. Production uses the system clock.
 */
export interface Clock {
  now(): number;
  date(): Date;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  date: () => new Date(),
};

/** A clock that only moves when told to; tests pass one into the context (`server.ctx.clock`). */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | Date = Date.now()) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  date(): Date {
    return new Date(this.#now);
  }

  /** Moves time forward by `ms` (never backward). */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a clock only moves forward');
    this.#now += ms;
  }

  set(to: number | Date): void {
    this.#now = typeof to === 'number' ? to : to.getTime();
  }
}
