/**
 * Heavy requests (validate and repair of an uploaded layer, validation of a stored plan; issue 17) run one at a
 * time per process: a second one meanwhile is answered 429 with Retry-After instead of queueing behind the first
 * on the database (the embedded engine runs one statement at a time, so a queue of them would stall every lookup).
 * On the server engine the work runs in a transaction with `SET LOCAL statement_timeout` (REQUEST_TIMEOUT_MS):
 * a statement past it is cancelled and the request answered 413 too_large. The embedded engine cannot interrupt a
 * running statement (PGlite runs it on the event loop), so there the input bounds (layer-input.ts) are the limit.
 */
import { sql, type Kysely } from 'kysely';
import { inTransaction, type Capabilities } from '../data/db/capabilities.ts';
import { TooManyRequestsError } from './errors.ts';

export class HeavyGate {
  #running = 0;
  constructor(readonly slots = 1, readonly retryAfterS = 5) {}

  get running(): number {
    return this.#running;
  }

  /** Run `fn` in a free slot, or throw 429 when none is free. */
  async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.slots) {
      throw new TooManyRequestsError(`another heavy request (validation or repair) is running; try ${what} again in a few seconds`, this.retryAfterS, { parameter: 'body' });
    }
    this.#running += 1;
    try {
      return await fn();
    } finally {
      this.#running -= 1;
    }
  }
}

/** Run `fn` on `db` with a statement timeout of `ms` for its statements (server engine; the embedded one cannot). */
export async function withStatementTimeout<T>(db: Kysely<any>, caps: Capabilities, ms: number, fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
  if (caps.engine !== 'server') return fn(db);
  return inTransaction(db, async (trx) => {
    await sql`SELECT set_config('statement_timeout', ${String(Math.round(ms))}, true)`.execute(trx);
    return fn(trx);
  });
}
