// Personal data by role on each engine: 401, 403 with an audit entry, masked for commanders, full for admins
// and a grid's own workers, never for planners (on any GET route of the OpenAPI document), the audit trail and
// its tamper evidence, and suppressed small H3 cells.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { latLngToCell } from 'h3-js';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { bodyText, expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY, type TinyTown } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, login, loadPeople, type Person } from '../auth/test-people.ts';

const J = TINY.jcode;

/** Concrete URLs for every GET path of the OpenAPI document (each enum value of a path parameter). */
function getUrls(doc: any, town: TinyTown): string[] {
  const out: string[] = [];
  const tile = (() => {
    const z = 15;
    const lon = TINY.x0 + 0.005;
    const lat = TINY.y0 + 0.004;
    const x = Math.floor(((lon + 180) / 360) * 2 ** z);
    const r = (lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
    return { z, x, y };
  })();
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    if (!ops.get) continue;
    let urls = [p];
    for (const prm of ops.get.parameters ?? []) {
      if (prm.in !== 'path') continue;
      const values: string[] = prm.schema?.enum ?? ({
        jcode: [J], planId: [String(town.publishedPlanId)], code: [G1, G2], collectionId: ['grids'], featureId: ['1'],
        id: ['00000000-0000-4000-8000-000000000000'], z: [String(tile.z)], x: [String(tile.x)], y: [String(tile.y)],
      } as Record<string, string[]>)[prm.name] ?? ['1'];
      urls = urls.flatMap((u) => values.map((v) => u.replace(`{${prm.name}}`, v)));
    }
    const query = p === '/api/lookup' ? `lon=${TINY.x0 + 0.001}&lat=${TINY.y0 + 0.001}`
      : p.endsWith('/diff') ? `jcode=${J}&against=${town.draftPlanId}` : `jcode=${J}`;
    out.push(...urls.map((u) => `${u}?${query}`));
  }
  return out;
}

describe.each(testEngines())('personal data by role on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let town: TinyTown;
  let people: Person[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    town = await loadTinyTown(database.db);
    people = await loadPeople(database.db);
    await createAccounts(database.db);
    s = await startTestServer(database, { auth: { h3MinHouseholds: 300, writesRequireLogin: true } });
    for (const n of ['admin1', 'planner1', 'commander1', 'worker1', 'worker2']) tokens[n] = await login(s.base, n);
  }, 120_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  const residents = (token: string | null, grid = G1) => s.get(`/api/grids/${grid}/residents?jcode=${J}`, token ? { headers: bearer(token) } : {});
  const audit = async (verify = false) => {
    const res = await s.get(`/api/audit${verify ? '?verify=1' : ''}`, { headers: bearer(tokens.admin1) });
    expect(res.status).toBe(200);
    return res.json();
  };

  it('refuses anonymous callers and bad tokens with 401', async () => {
    await expectProblem(await residents(null), 401, 'unauthorized', 'Authorization');
    await expectProblem(await residents('x'.repeat(43)), 401, 'unauthorized');
    await expectProblem(await s.get(`/api/h3?jcode=${J}`), 401, 'unauthorized');
    await expectProblem(await s.get('/api/audit'), 401, 'unauthorized');
  });

  it("gives a grid worker their own grid in full and refuses another grid with 403 and an audit entry", async () => {
    const own = await residents(tokens.worker1);
    expect(own.status).toBe(200);
    const body = await own.json();
    expect(body.view).toBe('full');
    expect(body.count).toBeGreaterThan(10);
    const byId = new Map(people.map((p) => [p.id, p]));
    for (const r of body.residents) {
      expect(r.name).toBe(byId.get(r.id)!.name);
      expect(r.idNumber).toBe(byId.get(r.id)!.idNumber);
    }
    const before = (await audit()).entries.length;
    const p = await expectProblem(await residents(tokens.worker1, G2), 403, 'forbidden', 'code');
    expect(JSON.stringify(p)).not.toMatch(/\d{17}[\dX]/);
    const after = (await audit()).entries;
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ userName: 'worker1', role: 'grid_worker', gridCode: G2, outcome: 'denied', recordIds: [], jcode: J, route: '/api/grids/{code}/residents' });
    expect(after.at(-1).ip).toMatch(/127\.0\.0\.1/);
    await expectProblem(await residents(tokens.planner1), 403, 'forbidden');
  });

  it('gives a commander masked values only and an admin full records, each read audited with the record ids', async () => {
    const c = await (await residents(tokens.commander1, G2)).json();
    expect(c.view).toBe('masked');
    expect(c.count).toBeGreaterThan(10);
    for (const r of c.residents) {
      expect(r.name).toMatch(/^\p{Script=Han}\*+$/u);
      expect(r.idNumber).toMatch(/^110108\*{8}\d{4}$/);
      expect(r.phone).toMatch(/^139\*{4}\d{4}$/);
      expect(r.birthDate).toMatch(/^\d{4}-\*\*-\*\*$/);
    }
    const text = JSON.stringify(c);
    for (const p of people) {
      expect(text).not.toContain(p.idNumber);
      expect(text).not.toContain(p.phone);
      expect(text).not.toContain(`"${p.name}"`);
    }
    const a = await (await residents(tokens.admin1, G2)).json();
    expect(a.view).toBe('full');
    expect(a.residents.map((r: any) => r.id)).toEqual(c.residents.map((r: any) => r.id));
    const trail = (await audit(true));
    expect(trail.verified).toMatchObject({ ok: true, entries: trail.entries.length, brokenAt: null, reason: null });
    const last = trail.entries.at(-1);
    expect(last).toMatchObject({ userName: 'admin1', role: 'admin', outcome: 'ok', gridCode: G2 });
    expect(last.recordIds).toEqual(a.residents.map((r: any) => r.id));
    expect(trail.entries.at(-2)).toMatchObject({ userName: 'commander1', outcome: 'ok' });
    // only admins read the audit log
    await expectProblem(await s.get('/api/audit', { headers: bearer(tokens.commander1) }), 403, 'forbidden');
  });

  it('never gives a planner a resident name, ID number or phone on any GET route of the OpenAPI document', async () => {
    const doc = await (await s.get('/api/openapi.json')).json();
    const urls = getUrls(doc, town);
    expect(urls.length).toBeGreaterThan(30);
    let ok = 0;
    for (const u of urls) {
      const res = await s.get(u, { headers: bearer(tokens.planner1) });
      expect(res.status, u).toBeLessThan(500);
      if (res.status === 200) ok += 1;
      const text = await bodyText(res);
      for (const p of people) {
        expect(text.includes(p.idNumber), `${u} holds an ID number`).toBe(false);
        expect(text.includes(p.phone), `${u} holds a resident phone`).toBe(false);
        expect(text.includes(p.name), `${u} holds a resident name`).toBe(false);
      }
    }
    expect(ok).toBeGreaterThan(20);
  });

  it('lets only planners and admins change plans or import, anonymous 401, other roles 403, nothing written', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM grid_plans`.execute(database.db);
    const P = `/api/jurisdictions/${J}/plans`;
    const writes: Array<[string, unknown, Record<string, string>]> = [
      [P, { min: 400, max: 600 }, {}],
      [`${P}/${town.draftPlanId}/edits`, { op: 'merge', grids: ['A', 'B'] }, { 'If-Match': '"1"' }],
      [`${P}/${town.draftPlanId}/copy`, {}, {}],
      [`${P}/${town.draftPlanId}/publish`, undefined, {}],
      [`/api/jurisdictions/${J}/imports`, {}, {}],
      [`${P.toUpperCase().replace('/API/JURISDICTIONS', '/api/jurisdictions')}/`, {}, {}],
    ];
    for (const [url, body, headers] of writes) {
      await expectProblem(await s.post(url, body, headers), 401, 'unauthorized');
      for (const who of ['commander1', 'worker1']) await expectProblem(await s.post(url, body, { ...headers, ...bearer(tokens[who]) }), 403, 'forbidden');
    }
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM grid_plans`.execute(database.db);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    // a planner passes the guard (and meets the route's own checks)
    await expectProblem(await s.post(`${P}/${town.draftPlanId}/edits`, { op: 'fly' }, { 'If-Match': '"1"', ...bearer(tokens.planner1) }), 400, 'bad_request', 'op');
  });

  it('suppresses H3 cells with fewer than k households', async () => {
    const res = await s.get(`/api/h3?jcode=${J}&res=9`, { headers: bearer(tokens.planner1) });
    expect(res.status).toBe(200);
    const h = await res.json();
    expect(h.k).toBe(300);
    const { rows } = await sql<{ x: number; y: number; n: number }>`SELECT ST_X(geom) AS x, ST_Y(geom) AS y, households AS n FROM address_points WHERE jcode = ${J}`.execute(database.db);
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(latLngToCell(r.y, r.x, 9), (sums.get(latLngToCell(r.y, r.x, 9)) ?? 0) + r.n);
    const big = [...sums].filter(([, n]) => n >= 300);
    expect(big.length).toBeGreaterThan(0);
    expect(h.suppressedCells).toBe(sums.size - big.length);
    expect(h.suppressedCells).toBeGreaterThan(0);
    expect(h.cells.map((c: any) => [c.h3, c.households]).sort()).toEqual(big.sort());
    await expectProblem(await s.get(`/api/h3?jcode=${J}&res=99`, { headers: bearer(tokens.planner1) }), 400, 'bad_request', 'res');
    await expectProblem(await s.get('/api/h3?jcode=NOPE', { headers: bearer(tokens.planner1) }), 404, 'not_found', 'jcode');
  });

  it('keeps the audit log append-only and detects a row changed behind its back', async () => {
    expect((await audit(true)).verified.ok).toBe(true);
    await expect(sql`UPDATE audit_log SET user_name = 'someone' WHERE seq = 1`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE seq = 1`.execute(database.db)).rejects.toThrow(/append-only/);
    // an attacker with owner rights switches the trigger off and rewrites who read what
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(database.db);
    const changed = await sql`UPDATE audit_log SET user_name = 'nobody', record_ids = '{}' WHERE seq = 2 AND user_name <> 'nobody'`.execute(database.db);
    expect(Number(changed.numAffectedRows)).toBe(1);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(database.db);
    const v = (await audit(true)).verified;
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toBe(2);
  });
});
