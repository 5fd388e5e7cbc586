/**
 * The login limiter (issue 17), kept in the database (login_attempts, migrations/20261210T0100-login-attempts.ts)
 * so that it survives a restart and holds across the processes of a deployment.
 *
 * - Counted before the password is verified, atomically: `reserve` takes a transaction-level advisory lock,
 *   counts the attempts of the window and, when allowed, writes this attempt as 'pending' before the lock is
 *   released. Parallel guesses therefore see each other: 60 at once get at most `maxFailures` verifications.
 * - Three counts, each with its own threshold: this name from this address (LOGIN_MAX_FAILURES), this address
 *   over all names (LOGIN_MAX_FAILURES_PER_ADDRESS: guessing across many names), this name from all addresses
 *   (LOGIN_MAX_FAILURES_PER_NAME: guessing from many addresses).
 * - Backing off, not locking out: past a threshold the next attempt waits BACKOFF_BASE_S × 2^(n - threshold)
 *   seconds after the latest one (30 s, 1 min, 2 min, …, at most the window; at most ACCOUNT_BACKOFF_CAP_S for the per-name count, which also
 *   delays the rightful user at another address), so the rightful user waits seconds, not the whole window, while a guesser
 *   gets only a handful more tries in it. A refused attempt is not recorded, so hammering does not extend it.
 * - `fail` turns the pending attempt into a failure; `succeed` deletes it and the failures of this name from this
 *   address. Attempts older than the window are swept.
 */
import { sql, type Kysely } from 'kysely';
import { inTransaction } from '../../data/db/capabilities.ts';

/** advisory lock key of the limiter */
const LOGIN_LOCK = 7_070_708;

export interface LoginLimits {
  /** failures of one name from one address before backing off */
  maxFailures: number;
  /** failures from one address over all names */
  maxPerAddress: number;
  /** failures of one name over all addresses */
  maxPerName: number;
  windowMs: number;
}

export type LimitedBy = 'name' | 'address' | 'account';
export type Reservation = { ok: true; id: number } | { ok: false; retryAfterS: number; why: LimitedBy };

/** The first wait past a threshold, seconds; each further failure doubles it. */
export const BACKOFF_BASE_S = 30;
/** Longest wait the per-account count imposes: it also delays the rightful user, from any address. */
export const ACCOUNT_BACKOFF_CAP_S = 120;

/** Seconds to wait after the latest attempt when `n` attempts are counted against threshold `max` (0: none). */
export function backoffSeconds(n: number, max: number, capS: number, baseS = BACKOFF_BASE_S): number {
  if (n < max) return 0;
  return Math.min(capS, baseS * 2 ** Math.min(30, n - max));
}

export class LoginLimiter {
  constructor(readonly db: Kysely<any>, readonly limits: LoginLimits) {}

  /** Count and, when allowed, record a pending attempt of `name` from `ip` (one atomic step). */
  async reserve(name: string, ip: string): Promise<Reservation> {
    const windowS = this.limits.windowMs / 1000;
    return inTransaction(this.db, async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${LOGIN_LOCK})`.execute(trx);
      await sql`DELETE FROM login_attempts WHERE at < clock_timestamp() - make_interval(secs => ${windowS})`.execute(trx);
      const { rows } = await sql<{ pair: number; pair_last: number | null; addr: number; addr_last: number | null; acct: number; acct_last: number | null }>`
        SELECT count(*) FILTER (WHERE name = ${name} AND ip = ${ip})::int AS pair,
               extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE name = ${name} AND ip = ${ip}))::float8 AS pair_last,
               count(*) FILTER (WHERE ip = ${ip})::int AS addr,
               extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE ip = ${ip}))::float8 AS addr_last,
               count(*) FILTER (WHERE name = ${name})::int AS acct,
               extract(epoch FROM clock_timestamp() - max(at) FILTER (WHERE name = ${name}))::float8 AS acct_last
        FROM login_attempts WHERE name = ${name} OR ip = ${ip}`.execute(trx);
      const r = rows[0];
      const checks: Array<[LimitedBy, number, number | null, number, number]> = [
        ['name', Number(r.pair), r.pair_last, this.limits.maxFailures, windowS],
        ['address', Number(r.addr), r.addr_last, this.limits.maxPerAddress, windowS],
        ['account', Number(r.acct), r.acct_last, this.limits.maxPerName, Math.min(windowS, ACCOUNT_BACKOFF_CAP_S)],
      ];
      let worst: Reservation | null = null;
      for (const [why, n, since, max, cap] of checks) {
        const wait = backoffSeconds(n, max, cap) - Number(since ?? Infinity);
        if (wait > 0 && (!worst || (!worst.ok && wait > worst.retryAfterS))) worst = { ok: false, retryAfterS: Math.max(1, Math.ceil(wait)), why };
      }
      if (worst) return worst;
      const { rows: ins } = await sql<{ id: string }>`INSERT INTO login_attempts (name, ip, at, outcome) VALUES (${name}, ${ip}, clock_timestamp(), 'pending') RETURNING id`.execute(trx);
      return { ok: true, id: Number(ins[0].id) };
    });
  }

  /** The reserved attempt was a wrong name or password. */
  async fail(id: number): Promise<void> {
    await sql`UPDATE login_attempts SET outcome = 'failed' WHERE id = ${id}`.execute(this.db);
  }

  /** The reserved attempt logged in: forget it and this name's failures from this address. */
  async succeed(id: number, name: string, ip: string): Promise<void> {
    await sql`DELETE FROM login_attempts WHERE id = ${id} OR (name = ${name} AND ip = ${ip})`.execute(this.db);
  }
}
