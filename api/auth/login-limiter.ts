/**
 * In-memory limiter of failed logins: at most `max` failures per key (name + client address) within a sliding
 * window; the key is locked until its oldest failure leaves the window. A success clears the key. Memory is
 * bounded: expired keys are swept, and beyond `maxKeys` the oldest keys are dropped.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(readonly max: number, readonly windowMs: number, readonly maxKeys = 100_000, readonly now: () => number = Date.now) {}

  #recent(key: string): number[] {
    const t = this.now();
    const list = (this.#failures.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const list = this.#recent(key);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[0] + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const list = this.#recent(key);
    list.push(this.now());
    this.#failures.delete(key);
    this.#failures.set(key, list);
    if (this.#failures.size > this.maxKeys) {
      for (const k of this.#failures.keys()) {
        this.#failures.delete(k);
        if (this.#failures.size <= this.maxKeys) break;
      }
    }
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }
}
