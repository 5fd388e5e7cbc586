// Issue 17: an open, heavy read (a whole layer, an OGC page of 10,000, a tile of the town) does not hold the
// embedded engine's one session for one long statement: it is read through a cursor in FETCHes of a bounded time,
// and a lookup (an urgent guest) runs between them instead of after the whole read. Same rows as one SELECT, on
// each engine; inside a transaction the cursor lives in it; a failing query leaves the session usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from './test-engines.ts';
import type { Database } from './connect.ts';
import { inTransaction } from './capabilities.ts';
import { guestBesideHost, runAsGuestRead, runAsSessionHost, runAsUrgentRead } from './pglite-pool.ts';
import { readInSteps } from './read-in-steps.ts';

/** 3,000 rows that cost something each (an md5 chain), in the order of the series. */
const costly = (n = 3_000) => sql<{ g: number; h: string }>`
  SELECT g, md5(md5(md5(repeat(g::text, 200)))) AS h FROM generate_series(1, ${n}::int) g ORDER BY g`;

describe.each(testEngines())('reads in steps on the %s engine', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('answers the rows of one SELECT, in order, also inside a transaction', async () => {
    const once = (await costly().execute(database.db)).rows;
    expect(await readInSteps(database.db, costly(), 1)).toEqual(once);
    expect(await inTransaction(database.db, (trx) => readInSteps(trx, costly(), 1))).toEqual(once);
    expect(await readInSteps(database.db, sql<{ g: number }>`SELECT 1 AS g WHERE false`)).toEqual([]);
  });

  it('rejects a failing query and leaves the database usable', async () => {
    await expect(readInSteps(database.db, sql`SELECT 1 / (g - 2000) FROM generate_series(1, 3000) g`, 1)).rejects.toThrow(/division by zero/);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows[0].one).toBe(1);
  });

  it.skipIf(engine === 'server')('lets a lookup run between its FETCHes, before the whole read ends', async () => {
    const log: string[] = [];
    const heavy = runAsGuestRead(async () => {
      const rows = await readInSteps(database.db, costly(20_000), 2);
      log.push('heavy done');
      return rows.length;
    });
    // a lookup arriving once the read is under way; another read in steps would wait for this one, not read beside it
    await new Promise((r) => setTimeout(r, 30));
    expect(runAsGuestRead(guestBesideHost)).toBe(false);
    const lookup = runAsUrgentRead(async () => {
      await sql`SELECT 1`.execute(database.db);
      log.push('lookup');
    });
    await Promise.all([heavy, lookup]);
    expect(await heavy).toBe(20_000);
    expect(log).toEqual(['lookup', 'heavy done']);
  });

  it.skipIf(engine === 'server')('runs as one guest statement between the statements of a host (a validation), not after it', async () => {
    const log: string[] = [];
    const host = runAsSessionHost(() => inTransaction(database.db, async (trx) => {
      for (let i = 0; i < 40; i++) await sql`SELECT count(*) FROM generate_series(1, 20000) g WHERE g % 7 = 0`.execute(trx);
      log.push('host done');
    }));
    await new Promise((r) => setTimeout(r, 20));
    expect(runAsGuestRead(guestBesideHost)).toBe(true);
    const read = runAsGuestRead(async () => {
      const rows = await readInSteps(database.db, costly(300), 1);
      log.push('read done');
      return rows.length;
    });
    await Promise.all([host, read]);
    expect(await read).toBe(300);
    expect(log).toEqual(['read done', 'host done']);
  });
});
