/**
 * Heavy requests (validate and repair of an uploaded layer, validation of a stored plan; issue 17).
 *
 * - One at a time per process: a second one meanwhile is answered 429 with Retry-After instead of queueing behind
 *   the first. The slot is held until the work has really stopped, also after a request timed out.
 * - A deadline of REQUEST_TIMEOUT_MS on both engines: the request is answered 503 `timeout` (problem+json,
 *   Retry-After) when it passes, and every statement the work has not started yet is dropped (a Kysely plugin
 *   refuses to run it; the transaction is rolled back). On the server engine each statement also runs under
 *   `SET LOCAL statement_timeout`, so a statement running at the deadline is cancelled by PostgreSQL (answered 413
 *   too_large when a single statement is too long). The embedded engine cannot interrupt a running statement
 *   (PGlite runs it to its end on the event loop): there the answer comes at the deadline or when the statement
 *   running then ends, whichever is later, and nothing after it runs. The input bounds (routes/layer-input.ts)
 *   keep single statements short.
 * - The work only reads stored data, so on the embedded engine it runs as a session host
 *   (data/db/pglite-pool.ts): read-only requests marked by `guestReads` (lookup, bundle, tiles, OGC, layers) run
 *   between its statements instead of waiting for the whole validation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { sql, type Kysely, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { adoptCapabilities, inTransaction, type Capabilities } from '../data/db/capabilities.ts';
import { runAsGuestRead, runAsSessionHost, runAsUrgentRead } from '../data/db/pglite-pool.ts';
import { RequestTimeoutError, TooManyRequestsError } from './errors.ts';

/** On the server engine the request's deadline comes this long after the statement timeout, which answers first. */
const SERVER_DEADLINE_GRACE_MS = 1_000;

/** The work started under one gate slot: the slot is free again when all of it has settled. */
const slotWork = new AsyncLocalStorage<Array<Promise<unknown>>>();

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
    const work: Array<Promise<unknown>> = [];
    const answer = slotWork.run(work, fn);
    const free = () => void Promise.allSettled(work).then(() => { this.#running -= 1; });
    answer.then(free, free);
    return answer;
  }
}

/** Refuses every statement once `signal` is aborted: the work stops at its next statement. */
class AbortAfterDeadline implements KyselyPlugin {
  constructor(readonly signal: AbortSignal, readonly error: () => Error) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.signal.aborted) throw this.error();
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/**
 * Run `fn` on `db` with a deadline of `ms`: answered with a RequestTimeoutError (503) when it passes, the
 * statements not yet started dropped; on the server engine also a statement timeout of `ms` per statement.
 * `fn` must only read stored data (it runs as an embedded session host, see data/db/pglite-pool.ts).
 */
export async function withStatementTimeout<T>(db: Kysely<any>, caps: Capabilities, ms: number, fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timedOut = () => new RequestTimeoutError(`the request took longer than this service allows (REQUEST_TIMEOUT_MS = ${ms} ms); its remaining work was dropped: send less at once or try again later`, 5, { parameter: 'body' });
  const guarded = db.withPlugin(new AbortAfterDeadline(controller.signal, timedOut));
  adoptCapabilities(guarded, db);
  const work = runAsSessionHost(() => (caps.engine === 'server'
    ? inTransaction(guarded, async (trx) => {
      await sql`SELECT set_config('statement_timeout', ${String(Math.round(ms))}, true)`.execute(trx);
      return fn(trx);
    })
    : fn(guarded)));
  slotWork.getStore()?.push(work);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(timedOut());
    }, caps.engine === 'server' ? ms + SERVER_DEADLINE_GRACE_MS : ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/**
 * Mounted on routes that only read (GET/HEAD of layers, tiles, OGC): on the embedded engine their SELECTs may run
 * between the statements of a heavy request instead of waiting for all of it.
 */
export const guestReads: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') runAsGuestRead(next);
  else next();
};

/**
 * Mounted on the short reads people wait for (GET/HEAD of lookup and a grid's bundle): guests as above, and on the
 * embedded engine their statements go ahead of every other request waiting for the session (a page of a heavy
 * read, a tile), so they wait at most for the statement running when they arrive.
 */
export const urgentReads: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') runAsUrgentRead(next);
  else next();
};
