// Issue 17: on the embedded engine a read-only request does not wait for the whole of a heavy one. A guest's SELECT
// runs between the statements of a session host's transaction (in a savepoint: its failure leaves the host's
// transaction alone), other statements of guests wait for the session, and the event loop turns between
// statements (PGlite alone never yields).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from './test-engines.ts';
import type { Database } from './connect.ts';
import { inTransaction } from './capabilities.ts';
import { runAsGuestRead, runAsSessionHost, runAsUrgentRead } from './pglite-pool.ts';

const STATEMENTS = 30;
const slow = sql`SELECT count(*)::int AS n FROM generate_series(1, 20000) g WHERE g % 7 = 0`;

describe('the embedded session shared with read-only guests', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('embedded');
    await sql`CREATE TABLE pool_probe (id int PRIMARY KEY)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  /** A host transaction of STATEMENTS statements; `log` records the order of events. */
  const host = (log: string[]) => runAsSessionHost(() => inTransaction(database.db, async (trx) => {
    await sql`CREATE TEMP TABLE host_tmp ON COMMIT DROP AS SELECT 1 AS x`.execute(trx);
    for (let i = 0; i < STATEMENTS; i++) {
      await slow.execute(trx);
      log.push(`host ${i}`);
    }
    log.push('host done');
    return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM host_tmp`.execute(trx)).rows[0].n;
  }));

  it('runs a guest SELECT between the statements of a host transaction, and keeps a failing guest out of it', async () => {
    const log: string[] = [];
    const work = host(log);
    await new Promise((r) => setTimeout(r, 0));
    const guest = runAsGuestRead(async () => {
      const r = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
      log.push('guest');
      return r.rows[0].one;
    });
    const failing = runAsGuestRead(() => sql`SELECT 1 / 0 AS boom`.execute(database.db)).catch((e: unknown) => e);
    expect(await guest).toBe(1);
    expect(await failing).toBeInstanceOf(Error);
    // the host's transaction went on after the failed guest and committed
    expect(await work).toBe(1);
    expect(log.indexOf('guest')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('guest')).toBeLessThan(log.indexOf('host done'));
  });

  it('makes a guest statement that is not a SELECT, and an ordinary request, wait for the whole host transaction', async () => {
    const log: string[] = [];
    const work = host(log);
    await new Promise((r) => setTimeout(r, 0));
    const write = runAsGuestRead(async () => {
      await sql`INSERT INTO pool_probe VALUES (1)`.execute(database.db);
      log.push('guest write');
    });
    const plain = (async () => {
      await sql`SELECT 1`.execute(database.db);
      log.push('plain read');
    })();
    await Promise.all([work, write, plain]);
    expect(log.indexOf('guest write')).toBeGreaterThan(log.indexOf('host done'));
    expect(log.indexOf('plain read')).toBeGreaterThan(log.indexOf('host done'));
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM pool_probe`.execute(database.db)).rows[0].n).toBe(1);
  });

  it('lets a guest run its own transaction whole, after the host', async () => {
    const log: string[] = [];
    const work = host(log);
    await new Promise((r) => setTimeout(r, 0));
    const trx = runAsGuestRead(() => inTransaction(database.db, async (t) => {
      await sql`SELECT 1`.execute(t);
      await sql`INSERT INTO pool_probe VALUES (2)`.execute(t);
      log.push('guest transaction');
    }));
    await Promise.all([work, trx]);
    expect(log.indexOf('guest transaction')).toBeGreaterThan(log.indexOf('host done'));
  });

  it('serves an urgent read (a lookup) ahead of the requests already waiting for the session', async () => {
    const log: string[] = [];
    // one request holds the session; ten others queue behind it, each a statement; then a lookup arrives
    const holder = inTransaction(database.db, async (trx) => {
      for (let i = 0; i < 5; i++) await slow.execute(trx);
      log.push('holder');
    });
    await new Promise((r) => setTimeout(r, 0));
    const queued = Array.from({ length: 10 }, (_x, i) => runAsGuestRead(async () => {
      await slow.execute(database.db);
      log.push(`queued ${i}`);
    }));
    const lookup = runAsUrgentRead(async () => {
      await sql`SELECT 1`.execute(database.db);
      log.push('lookup');
    });
    await Promise.all([holder, ...queued, lookup]);
    expect(log.indexOf('lookup')).toBe(log.indexOf('holder') + 1);
    expect(log.indexOf('lookup')).toBeLessThan(log.indexOf('queued 0'));
  });

  it('turns the event loop between the statements of a transaction', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 0);
    try {
      await inTransaction(database.db, async (trx) => {
        for (let i = 0; i < STATEMENTS; i++) await slow.execute(trx);
      });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});
