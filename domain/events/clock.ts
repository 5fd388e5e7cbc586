/** Time for the events domain, injectable so that tests can move it (deadlines and lights). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved: tests of deadlines. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | string = new Date()) {
    this.#t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  /** move forward by `hours` (may be fractional) */
  advanceHours(hours: number): void {
    this.#t += hours * 3_600_000;
  }
  set(t: Date | string): void {
    this.#t = new Date(t).getTime();
  }
}
