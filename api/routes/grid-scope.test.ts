// Issue 17, findings 3 and 10. Grid codes repeat across jurisdictions, so a grid worker's scope is (jurisdiction,
// grid), in the data layer and in row-level security alike, and a grid-scoped account must have its jurisdiction
// (the one shipped before is given it, or disabled). And GET /api/grids/{code}/residents works again without
// ?jcode= when the code is unambiguous (400 naming the candidates when not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { migrateTo, migrateToLatest } from '../../data/db/migrate.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY, writeTinyProblemDir } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, loadPeople, login, PASSWORD } from '../auth/test-people.ts';
import { createUser } from '../auth/users.ts';
import { residentsVisibleTo } from '../auth/residents-visible.ts';
import { rmSync } from 'node:fs';

const J1 = TINY.jcode;
const J2 = '110108990077';
const OTHER = '外县居民';

/** A second jurisdiction on the same ground with the same grid codes, its own published plan and residents. */
async function loadTwin(db: Kysely<any>): Promise<void> {
  const dir = writeTinyProblemDir();
  try {
    await importProblemDir(db, dir, { jcode: J2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const plan = await db.insertInto('grid_plans')
    .values({ jcode: J2, name: '外县方案', status: 'published', method: 'test', params: '{}', summary: '{}', published_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow();
  // G1 of J2 covers all of J2 (a grid code that J1 has too)
  await sql`INSERT INTO grids (jcode, plan_id, code, community_code, households, geom)
    SELECT ${J2}, ${plan.id}::bigint, ${G1}, NULL, 100, ST_Multi(geom) FROM jurisdictions WHERE jcode = ${J2} AND code = ${J2}`.execute(db);
  const { rows } = await sql<{ id: string }>`SELECT id FROM address_points WHERE jcode = ${J2} ORDER BY id`.execute(db);
  for (const [k, p] of rows.entries()) {
    const { rows: h } = await sql<{ id: string }>`INSERT INTO households (jcode, address_point_id) VALUES (${J2}, ${p.id}) RETURNING id`.execute(db);
    await bulkInsert(db, 'residents', [{ name: 'jcode', kind: 'text' }, { name: 'household_id', kind: 'bigint' }, { name: 'name', kind: 'text' }, { name: 'phone', kind: 'text' }],
      [{ jcode: J2, household_id: Number(h[0].id), name: `${OTHER}${k}`, phone: `137${String(k).padStart(8, '0')}` }]);
  }
}

describe.each(testEngines())('grid scope and the residents route on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await loadPeople(database.db);
    await loadTwin(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database);
    for (const n of ['admin1', 'worker1', 'commander1']) tokens[n] = await login(s.base, n);
  }, 180_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const residents = (token: string, code: string, jcode?: string) =>
    s.get(`/api/grids/${code}/residents${jcode ? `?jcode=${jcode}` : ''}`, { headers: bearer(token) });

  it("refuses a grid worker the residents of the same grid code in another jurisdiction (403, audited)", async () => {
    const own = await residents(tokens.worker1, G1, J1);
    expect(own.status).toBe(200);
    expect((await own.json()).count).toBeGreaterThan(0);
    const p = await expectProblem(await residents(tokens.worker1, G1, J2), 403, 'forbidden', 'code');
    expect(p.detail).toContain(J2);
    const { rows } = await sql<{ outcome: string; jcode: string }>`SELECT outcome, jcode FROM audit_log ORDER BY seq DESC LIMIT 1`.execute(database.db);
    expect(rows[0]).toEqual({ outcome: 'denied', jcode: J2 });
  });

  it('filters by (jurisdiction, grid) in the data layer and in row-level security, each on its own', async () => {
    const worker = { id: 99, name: 'w', role: 'grid_worker' as const, jcode: J1, grids: [G1] };
    for (const opts of [{ rls: false }, { dataPredicate: false }]) {
      const there = await residentsVisibleTo(database.db, worker, J2, G1, opts);
      expect(there.residents, JSON.stringify(opts)).toEqual([]);
      const here = await residentsVisibleTo(database.db, worker, J1, G1, opts);
      expect(here.residents.length, JSON.stringify(opts)).toBeGreaterThan(0);
    }
    // an account without its jurisdiction (as the demo worker was) sees nothing anywhere, by either layer
    const legacy = { ...worker, jcode: null };
    for (const j of [J1, J2]) {
      for (const opts of [{ rls: false }, { dataPredicate: false }]) {
        expect((await residentsVisibleTo(database.db, legacy, j, G1, opts)).residents, `${j} ${JSON.stringify(opts)}`).toEqual([]);
      }
    }
  });

  it('requires a jurisdiction for every grid worker, in the service and in the database', async () => {
    await expect(createUser(database.db, { name: 'w-nojcode', role: 'grid_worker', grids: [G1], password: PASSWORD })).rejects.toMatchObject({ code: 'bad_request', where: { parameter: 'jcode' } });
    await expect(sql`INSERT INTO users (name, role, grids, password_hash) VALUES ('w-raw', 'grid_worker', ${[G1]}::text[], 'x')`.execute(database.db)).rejects.toThrow(/users_grid_worker_jcode/);
  });

  it('gives a worker shipped without a jurisdiction the one that holds their grids, or disables the account', async () => {
    // back to before the migration, with two such accounts: G2 is in J1 only, G1 in both J1 and J2
    await migrateTo(database.db, '20261210T0100-login-attempts');
    await sql`INSERT INTO users (name, role, grids, password_hash) VALUES ('legacy-g2', 'grid_worker', ${[G2]}::text[], 'x'), ('legacy-g1', 'grid_worker', ${[G1]}::text[], 'x')`.execute(database.db);
    await migrateToLatest(database.db);
    const { rows } = await sql<{ name: string; jcode: string | null; disabled: boolean }>`SELECT name, jcode, disabled FROM users WHERE name LIKE 'legacy-%' ORDER BY name`.execute(database.db);
    expect(rows).toEqual([{ name: 'legacy-g1', jcode: null, disabled: true }, { name: 'legacy-g2', jcode: J1, disabled: false }]);
  });

  it('answers the residents route without ?jcode= when the code is unambiguous, and 400 naming the candidates when not', async () => {
    // G2 is in J1's published plan only
    const one = await residents(tokens.admin1, G2);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ jcode: J1, grid: G2, view: 'full' });
    // G1 is in both
    const p = await expectProblem(await residents(tokens.admin1, G1), 400, 'bad_request', 'jcode');
    expect(p.detail).toContain(J1);
    expect(p.detail).toContain(J2);
    expect((await residents(tokens.admin1, G1, J2)).status).toBe(200);
    // an account of one jurisdiction means that one
    const own = await residents(tokens.worker1, G1);
    expect(own.status).toBe(200);
    expect((await own.json()).jcode).toBe(J1);
    const text = JSON.stringify(await (await residents(tokens.worker1, G1)).json());
    expect(text).not.toContain(OTHER);
    await expectProblem(await residents(tokens.admin1, 'NOSUCHGRID'), 404, 'not_found', 'code');
  });
});
