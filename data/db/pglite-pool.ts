/**
 * A `pg`-shaped pool over one embedded PGlite instance, so that Kysely's own PostgresDialect drives both
 * engines through one code path. PGlite has a single connection: the pool hands it out to one holder at a
 * time (a FIFO lock), which keeps a transaction's statements together. Code inside a transaction must use
 * the transaction object, never the outer `db`, or it waits for itself.
 */
import type { PGlite } from '@electric-sql/pglite';

interface QueryResultLike {
  command: string;
  rowCount: number;
  rows: unknown[];
}

export interface PGliteClient {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResultLike>;
  release(): void;
}

export class PGlitePool {
  #pg: PGlite;
  #queue: Array<() => void> = [];
  #held = false;
  #closed = false;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  async connect(): Promise<PGliteClient> {
    if (this.#closed) throw new Error('PGlite pool is closed');
    if (this.#held) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#held = true;
    let released = false;
    return {
      query: async (sql, params) => {
        const res = await this.#pg.query(sql, params ? [...params] : undefined);
        const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
        return { command, rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.#queue.shift();
        if (next) next();
        else this.#held = false;
      },
    };
  }

  async end(): Promise<void> {
    this.#closed = true;
    await this.#pg.close();
  }
}
