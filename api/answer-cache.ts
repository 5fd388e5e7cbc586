/**
 * A bounded in-memory cache of answers that a version names exactly: a vector tile of the current layer version
 * (its ETag), a plan's export at its version (issue 17). These are open, heavy answers: asked for again and again,
 * by the wall or by an anonymous caller, each costs one computation. Callers asking while an answer is computed
 * share that computation; the least recently used answers go first past `maxBytes`; an answer larger than
 * `maxEntryBytes` is not kept; `get(…, maxAgeMs)` takes a kept answer only while it is younger than that (a version
 * that another process's writes cannot bump, such as a tile's, still sees them within that time).
 *
 *   const tile = await cache.get(`tile:${etag}`, () => renderTile(db, layers, t), 60_000);
 */
export class AnswerCache<T extends { byteLength: number }> {
  /** insertion order is recency: a hit moves its key to the end */
  readonly #entries = new Map<string, { answer: T; at: number }>();
  readonly #pending = new Map<string, Promise<T>>();
  #bytes = 0;

  constructor(readonly maxBytes = 32 * 1024 * 1024, readonly maxEntryBytes = Math.floor(maxBytes / 8)) {}

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The answer for `key`: kept (for at most `maxAgeMs`), being computed, or computed now by `compute` (a failure is not kept). */
  get(key: string, compute: () => Promise<T>, maxAgeMs = Infinity): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      if (Date.now() - hit.at <= maxAgeMs) {
        this.#entries.set(key, hit);
        return Promise.resolve(hit.answer);
      }
      this.#bytes -= hit.answer.byteLength;
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = compute().then((answer) => {
        this.#keep(key, answer);
        return answer;
      }).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  #keep(key: string, answer: T): void {
    if (answer.byteLength > this.maxEntryBytes || this.#entries.has(key)) return;
    this.#entries.set(key, { answer, at: Date.now() });
    this.#bytes += answer.byteLength;
    for (const [k, v] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.answer.byteLength;
    }
  }
}
