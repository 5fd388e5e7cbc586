// residentsVisibleTo on every engine: the same rows for each role on both engines, the data-layer predicate and
// the row-level security policy each enough on their own, commanders masked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines, type EngineName } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { residentsVisibleTo } from './residents-visible.ts';
import { G1, G2, loadPeople, type Person } from './test-people.ts';
import type { AuthUser } from './roles.ts';

const USERS: AuthUser[] = [
  { id: 1, name: 'a', role: 'admin', jcode: null, grids: [] },
  { id: 2, name: 'p', role: 'planner', jcode: null, grids: [] },
  { id: 3, name: 'c', role: 'commander', jcode: null, grids: [] },
  { id: 4, name: 'w1', role: 'grid_worker', jcode: TINY.jcode, grids: [G1] },
  { id: 5, name: 'w2', role: 'grid_worker', jcode: TINY.jcode, grids: [G2] },
  { id: 6, name: 'a-elsewhere', role: 'admin', jcode: '999999', grids: [] },
];

const engines = testEngines();
const dbs = new Map<EngineName, Database>();
const people = new Map<EngineName, Person[]>();

beforeAll(async () => {
  for (const e of engines) {
    const d = await openTestDatabase(e);
    dbs.set(e, d);
    await loadTinyTown(d.db);
    people.set(e, await loadPeople(d.db));
  }
}, 120_000);
afterAll(async () => {
  for (const d of dbs.values()) await d.close();
});

describe('residentsVisibleTo', () => {
  it(`returns exactly the same rows for each role and grid on ${engines.join(' and ')}`, async () => {
    const seen: Record<string, string> = {};
    for (const e of engines) {
      const db = dbs.get(e)!.db;
      for (const u of USERS) {
        for (const g of [G1, G2]) {
          const r = await residentsVisibleTo(db, u, TINY.jcode, g);
          const key = `${u.name}/${g}`;
          const text = JSON.stringify(r);
          if (seen[key] === undefined) seen[key] = text;
          else expect(text, `${key} on ${e}`).toBe(seen[key]);
        }
      }
    }
    // and the rows are what the roles allow
    const db = dbs.get(engines[0])!.db;
    const admin = await residentsVisibleTo(db, USERS[0], TINY.jcode, G1);
    expect(admin.view).toBe('full');
    expect(admin.residents.length).toBeGreaterThan(10);
    const all = new Map(people.get(engines[0])!.map((p) => [p.id, p]));
    for (const r of admin.residents) expect(r.idNumber).toBe(all.get(r.id)!.idNumber);
    expect((await residentsVisibleTo(db, USERS[1], TINY.jcode, G1)).residents).toEqual([]);
    const cmd = await residentsVisibleTo(db, USERS[2], TINY.jcode, G1);
    expect(cmd.view).toBe('masked');
    expect(cmd.residents.map((r) => r.id)).toEqual(admin.residents.map((r) => r.id));
    for (const r of cmd.residents) {
      expect(r.name).toMatch(/^.\*+$/u);
      expect(r.idNumber).toMatch(/^110108\*{8}\d{4}$/);
      expect(r.phone).toMatch(/^139\*{4}\d{4}$/);
    }
    const w1 = await residentsVisibleTo(db, USERS[3], TINY.jcode, G1);
    expect(w1.residents).toEqual(admin.residents);
    expect((await residentsVisibleTo(db, USERS[3], TINY.jcode, G2)).residents).toEqual([]);
    expect((await residentsVisibleTo(db, USERS[5], TINY.jcode, G1)).residents).toEqual([]);
    // the two grids hold different people
    const g2 = await residentsVisibleTo(db, USERS[0], TINY.jcode, G2);
    expect(g2.residents.length).toBeGreaterThan(10);
    expect(g2.residents.some((r) => admin.residents.some((a) => a.id === r.id))).toBe(false);
  });

  it.each(engines)('on %s, the row-level security policy alone and the data-layer predicate alone give the same rows', async (e) => {
    const db = dbs.get(e)!.db;
    for (const u of USERS) {
      for (const g of [G1, G2]) {
        const policyOnly = await residentsVisibleTo(db, u, TINY.jcode, g, { dataPredicate: false });
        const predicateOnly = await residentsVisibleTo(db, u, TINY.jcode, g, { rls: false });
        const ids = (x: typeof policyOnly) => x.residents.map((r) => r.id);
        // with the predicate off the policy's rows come unmasked; compare ids only
        const expected = predicateOnly.view === 'none' ? [] : ids(predicateOnly);
        expect(ids(policyOnly), `${u.name}/${g}`).toEqual(expected);
      }
    }
    // without a role switch the service's own login (owner, superuser in tests) is not filtered
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents`.execute(db);
    expect(rows[0].n).toBe(people.get(e)!.length);
  });

  it.each(engines)('on %s, a grid worker under the policy sees none of another grid even by a direct query', async (e) => {
    const db = dbs.get(e)!.db;
    const n = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL ROLE wangge_reader`.execute(trx);
      await sql`SELECT set_config('app.role', 'grid_worker', true), set_config('app.user_jcode', ${TINY.jcode}, true), set_config('app.user_grids', ${G1}, true)`.execute(trx);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents`.execute(trx);
      return rows[0].n;
    });
    // a grid code alone names no grid (codes repeat across jurisdictions): without its jurisdiction, nothing
    const noJurisdiction = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL ROLE wangge_reader`.execute(trx);
      await sql`SELECT set_config('app.role', 'grid_worker', true), set_config('app.user_grids', ${G1}, true)`.execute(trx);
      return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents`.execute(trx)).rows[0].n;
    });
    expect(noJurisdiction).toBe(0);
    const own = await residentsVisibleTo(db, USERS[3], TINY.jcode, G1);
    expect(n).toBe(own.residents.length);
    expect(n).toBeLessThan(people.get(e)!.length);
    const none = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL ROLE wangge_reader`.execute(trx);
      await sql`SELECT set_config('app.role', 'planner', true)`.execute(trx);
      return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents`.execute(trx)).rows[0].n;
    });
    expect(none).toBe(0);
  });
});
