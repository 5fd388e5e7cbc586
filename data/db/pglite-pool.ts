/**
 * A `pg`-shaped pool over one embedded PGlite instance, so that Kysely's own PostgresDialect drives both
 * engines through one code path. PGlite has a single connection: the pool hands it out to one holder at a
 * time (a FIFO lock), which keeps a transaction's statements together. Code inside a transaction must use
 * the transaction object, never the outer `db`, or it waits for itself.
 *
 * Shared reads (issue 17): one session means that a request holding it for seconds (a validation runs in one
 * transaction, for its temporary tables) would make every lookup wait for all of it. Work that only reads the
 * stored data may run as a *session host* (`runAsSessionHost`); requests that only read may run as *guests*
 * (`runAsGuestRead`). While a host holds the session, a guest's SELECT does not wait for the host to finish: it
 * runs between two of the host's statements (guests go first), inside a savepoint when the host is in a
 * transaction, so an error of the guest never touches the host's transaction and the guest sees what it would
 * see outside (READ COMMITTED: each statement reads the latest committed data; the host changes none). A guest's
 * statement that is not a SELECT, and any guest while the session is held by ordinary work (a job's or an edit's
 * write transaction) or by a host whose transaction failed, waits for the session like everybody else.
 * A statement that is running is never interrupted (PGlite runs it on the event loop): a guest waits at most for
 * the host's statement running when it arrives.
 *
 * Short reads first: a request marked `runAsUrgentRead` (a lookup, a grid's bundle) goes ahead of every other
 * request waiting for the session, so while an anonymous heavy read runs (a layer, an export, a tile of the whole
 * town, read in statements of bounded size) a lookup waits for the statement running when it arrives, not for
 * the rest of the heavy read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
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

type Lane = 'host' | 'guest';
/**
 * How a request uses the session: as a host or a guest (or neither), whether it goes ahead of waiting requests, and
 * (a host) whether it is a read in steps, short by design, which guests wait for instead of reading beside it.
 */
interface Use { lane: Lane; first: boolean; steps?: boolean }
const uses = new AsyncLocalStorage<Use>();

/**
 * Run `fn` as read-only work that may hold the embedded session for long (validation, repair): guest reads run
 * between its statements. `fn` must not change stored data (temporary tables are fine). No effect on a server.
 */
export function runAsSessionHost<T>(fn: () => T): T {
  return uses.run({ lane: 'host', first: false }, fn);
}

/**
 * Run `fn`, a read in steps (data/db/read-in-steps.ts: a cursor whose FETCHes take a few ms each), as a session
 * host: lookups run between its FETCHes; other reads in steps wait for it and then take the session themselves.
 */
export function runAsStepReader<T>(fn: () => T): T {
  return uses.run({ lane: 'host', first: false, steps: true }, fn);
}

/** Run `fn` (a read-only request: lookup, bundle, tiles) as a guest: its SELECTs may run inside a host's hold. */
export function runAsGuestRead<T>(fn: () => T): T {
  return uses.run({ lane: 'guest', first: false }, fn);
}

/**
 * Run `fn` (a short read-only request: a lookup, a grid's bundle) as a guest that goes first: its statements are
 * served before those of every other request waiting for the session. No effect on a server.
 */
export function runAsUrgentRead<T>(fn: () => T): T {
  return uses.run({ lane: 'guest', first: true }, fn);
}

/** Sessions held by a host that is not a read in steps (in this process: one embedded database, or a few in tests). */
let hostHolds = 0;

/**
 * Whether the caller is a guest while a long host (a validation) holds a session: its SELECTs run between the
 * host's statements, so a read that would take the session for a cursor of its own (data/db/read-in-steps.ts)
 * should rather run as one guest statement than wait for the whole host.
 */
export function guestBesideHost(): boolean {
  return uses.getStore()?.lane === 'guest' && hostHolds > 0;
}

/** Add `item` to `queue`: a `first` one after the other first ones, ahead of the rest; the others at the end. */
function enqueue<T extends { first: boolean }>(queue: T[], item: T): void {
  if (!item.first) {
    queue.push(item);
    return;
  }
  const at = queue.findIndex((x) => !x.first);
  queue.splice(at < 0 ? queue.length : at, 0, item);
}

/** A statement a guest may run inside a host's transaction: a plain SELECT (optionally after a comment). */
const GUEST_STATEMENT = /^\s*(?:\/\*[^]*?\*\/\s*)?select\b/i;

/** Guest statements run in a row before a waiting holder's statement gets its turn. */
const GUESTS_PER_TURN = 8;

interface Holder { shared: boolean; failed: boolean; long: boolean }
interface Waiter { lane: Lane | undefined; first: boolean; steps: boolean; grant: (c: PGliteClient) => void }
interface Turn { first: boolean; go: () => void }

export class PGlitePool {
  #pg: PGlite;
  #waiters: Waiter[] = [];
  #holder: Holder | null = null;
  #closed = false;
  // statements on the session take turns: the holder's and the guests', guests first
  #statementBusy = false;
  #guestTurns: Turn[] = [];
  #holderTurns: Turn[] = [];
  #guestsInARow = 0;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  async connect(): Promise<PGliteClient> {
    if (this.#closed) throw new Error('PGlite pool is closed');
    const use = uses.getStore();
    const lane = use?.lane;
    const first = use?.first ?? false;
    const steps = use?.steps ?? false;
    if (lane === 'guest' && this.#holder?.shared && !this.#holder.failed) return this.#guestClient(first);
    if (!this.#holder) return this.#exclusiveClient(lane, steps);
    return new Promise<PGliteClient>((grant) => enqueue(this.#waiters, { lane, first, steps, grant }));
  }

  async end(): Promise<void> {
    this.#closed = true;
    await this.#pg.close();
  }

  async #run(sql: string, params?: readonly unknown[]): Promise<QueryResultLike> {
    const res = await this.#pg.query(sql, params ? [...params] : undefined);
    const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
    return { command, rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
  }

  async #turn<T>(guest: boolean, fn: () => Promise<T>, first = false): Promise<T> {
    // PGlite never yields between statements: without this, a transaction of a hundred statements would hold the
    // event loop for all of them (no request parsed, no timer fired); requests read meanwhile may go first
    if (!guest) await new Promise<void>((r) => setImmediate(r));
    if (this.#statementBusy) await new Promise<void>((go) => enqueue(guest ? this.#guestTurns : this.#holderTurns, { first, go }));
    this.#statementBusy = true;
    try {
      return await fn();
    } finally {
      // guests first, but a waiting holder gets every GUESTS_PER_TURN-th turn (a stream of lookups cannot starve it)
      const holderDue = this.#holderTurns.length > 0 && (this.#guestTurns.length === 0 || this.#guestsInARow >= GUESTS_PER_TURN);
      const next = holderDue ? this.#holderTurns.shift() : this.#guestTurns.shift();
      this.#guestsInARow = holderDue ? 0 : this.#guestsInARow + 1;
      if (next) next.go();
      else this.#statementBusy = false;
    }
  }

  #exclusiveClient(lane: Lane | undefined, steps = false): PGliteClient {
    const holder: Holder = { shared: lane === 'host', failed: false, long: lane === 'host' && !steps };
    this.#holder = holder;
    if (holder.long) hostHolds += 1;
    let released = false;
    return {
      query: (sql, params) => this.#turn(false, async () => {
        try {
          const r = await this.#run(sql, params);
          holder.failed = false;
          return r;
        } catch (e) {
          // a failed statement in a transaction leaves it aborted until the ROLLBACK: no guests meanwhile
          holder.failed = true;
          throw e;
        }
      }),
      release: () => {
        if (released) return;
        released = true;
        if (holder.long) hostHolds -= 1;
        this.#handOver();
      },
    };
  }

  #handOver(): void {
    this.#holder = null;
    const next = this.#waiters.shift();
    if (!next) return;
    next.grant(this.#exclusiveClient(next.lane, next.steps));
    if (!this.#holder!.shared) return;
    // a host took the session: the guests queued behind it run beside it instead
    const guests = this.#waiters.filter((w) => w.lane === 'guest');
    this.#waiters = this.#waiters.filter((w) => w.lane !== 'guest');
    for (const g of guests) g.grant(this.#guestClient(g.first));
  }

  #guestClient(first: boolean): PGliteClient {
    // the session to itself, taken (waiting like any holder) at the first statement a guest may not interleave
    let own: PGliteClient | null = null;
    return {
      query: async (sql, params) => {
        if (!own && GUEST_STATEMENT.test(sql)) {
          const done = await this.#turn(true, async () => {
            const h = this.#holder;
            if (h && (!h.shared || h.failed)) return null;
            if (!this.#pg.isInTransaction()) return this.#run(sql, params);
            await this.#pg.exec('SAVEPOINT wangge_guest');
            try {
              const r = await this.#run(sql, params);
              await this.#pg.exec('RELEASE SAVEPOINT wangge_guest');
              return r;
            } catch (e) {
              await this.#pg.exec('ROLLBACK TO SAVEPOINT wangge_guest; RELEASE SAVEPOINT wangge_guest');
              throw e;
            }
          }, first);
          if (done) return done;
        }
        own ??= await uses.exit(() => this.connect());
        return own.query(sql, params);
      },
      release: () => own?.release(),
    };
  }
}
