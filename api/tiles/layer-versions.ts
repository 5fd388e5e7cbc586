/**
 * Cache-busting versions of the map layers. Plan layers (grids, blocks) take their version from the
 * published plans' ids and versions (publishing or editing a plan bumps it); the other layers from this
 * process's start and a generation counter that imports bump. The version goes into TileJSON tile URLs
 * (`?v=`) and into each tile's ETag. Read at most once per `ttlMs` (a plan published by another process is
 * seen within that time); `invalidate()` makes the next read fresh.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

export const PLAN_LAYERS: ReadonlySet<string> = new Set(['grids', 'blocks']);

export class LayerVersions {
  readonly #db: Kysely<any>;
  readonly #ttlMs: number;
  readonly #boot = randomBytes(4).toString('hex');
  #generation = 0;
  #plan: { value: string; at: number } | null = null;
  #pending: Promise<string> | null = null;

  constructor(db: Kysely<any>, ttlMs = 2_000) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  /** The version of one layer (or of a layer set that holds plan layers when `plan` is true). */
  async of(layer: string, plan = PLAN_LAYERS.has(layer)): Promise<string> {
    const data = `${this.#boot}.${this.#generation}`;
    if (!plan) return data;
    return `${data}.${await this.#planVersion()}`;
  }

  /** Forget cached versions and bump the data generation (after publish, edits, imports). */
  invalidate(): void {
    this.#generation++;
    this.#plan = null;
  }

  async #planVersion(): Promise<string> {
    const c = this.#plan;
    if (c && Date.now() - c.at < this.#ttlMs) return c.value;
    if (!this.#pending) {
      this.#pending = sql<{ v: string | null }>`SELECT string_agg(jcode || ':' || id || ':' || version, ',' ORDER BY jcode, id) AS v
        FROM grid_plans WHERE status = 'published'`.execute(this.#db)
        .then(({ rows }) => {
          const value = createHash('sha1').update(rows[0]?.v ?? '').digest('hex').slice(0, 12);
          this.#plan = { value, at: Date.now() };
          return value;
        })
        .finally(() => { this.#pending = null; });
    }
    return this.#pending;
  }
}
