// Emergency rosters (issue 14) over HTTP on each engine: a drawn area's households checked independently by point in
// polygon (turf), vulnerable people flagged, shelters' capacity respected, the responsible worker from the
// household's grid, two phones ticking one person at once both kept, the .xlsx read back (exceljs), the PDF rendered
// (pdftoppm when installed, else its structure), scope by role (403s) and the audit trail.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { booleanPointInPolygon } from '@turf/turf';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { expectProblem, startTestServer, type TestServer } from '../test/http.ts';
import { loadTinyTown, TINY } from '../test/tiny-town.ts';
import { bearer, createAccounts, G1, G2, login, loadPeople } from '../auth/test-people.ts';
import { householdsInside, rosterHouseholdTimes } from '../../domain/emergency/test-roster-checks.ts';
import { withEventScope } from '../../domain/events/event-scope.ts';

const J = TINY.jcode;
const X = (i: number) => TINY.x0 + i * TINY.dx;
const Y = (j: number) => TINY.y0 + j * TINY.dy;
// an irregular area over the west of the town, crossing grids and both communities' border
const AREA = {
  type: 'Polygon' as const,
  coordinates: [[[X(-0.2), Y(-0.2)], [X(2.6), Y(-0.2)], [X(2.3), Y(2.1)], [X(1.4), Y(3.3)], [X(-0.2), Y(3.0)], [X(-0.2), Y(-0.2)]]],
};
const hasPdftoppm = (() => { try { execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();

describe.each(testEngines())('emergency rosters on the %s engine', (engine) => {
  let database: Database;
  let s: TestServer;
  let rosterId = 0;
  const tokens: Record<string, string> = {};
  const as = (who: string) => bearer(tokens[who]);
  const get = (p: string, who: string) => s.get(p, { headers: as(who) });

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await loadTinyTown(database.db);
    await loadPeople(database.db);
    await createAccounts(database.db);
    const db = database.db;
    // vulnerability and dangerous houses on some; staff for two grids; three shelters (one inside the area)
    await sql`UPDATE residents SET needs = ARRAY['wheelchair'] WHERE id % 9 = 0`.execute(db);
    await sql`UPDATE residents SET tags = ARRAY['elderly_alone'] WHERE id % 13 = 0`.execute(db);
    await sql`UPDATE households SET dangerous_house = true WHERE id % 7 = 0`.execute(db);
    await sql`INSERT INTO grid_staff (jcode, grid_code, name, role, phone) VALUES (${J}, ${G1}, '网格员甲', 'leader', '13900000001'), (${J}, ${G2}, '网格员乙', 'leader', '13900000002')`.execute(db);
    await sql`INSERT INTO shelters (jcode, name, capacity_day, capacity_night, contact_name, contact_phone, geom) VALUES
      (${J}, '近安置点', 40, 20, '联系人一', '13800000001', ST_SetSRID(ST_MakePoint(${X(3)}, ${Y(1)}), 4326)),
      (${J}, '远安置点', 400, 200, '联系人二', '13800000002', ST_SetSRID(ST_MakePoint(${X(4)}, ${Y(4)}), 4326)),
      (${J}, '区内安置点', 1000, 1000, '联系人三', '13800000003', ST_SetSRID(ST_MakePoint(${X(1)}, ${Y(1)}), 4326))`.execute(db);
    s = await startTestServer(database, { auth: { writesRequireLogin: true } });
    for (const n of ['admin1', 'planner1', 'commander1', 'worker1', 'worker2']) tokens[n] = await login(s.base, n);
  }, 180_000);
  afterAll(async () => {
    await s?.app.stop();
    await database?.close();
  });

  it('makes a roster for a commander only (201 {id}), with problems for bad input', async () => {
    const body = { name: '“海葵”洪水转移', kind: 'flood', deadline: '2026-12-01T06:00:00Z', area: AREA };
    await expectProblem(await s.post('/api/emergency/rosters', body), 401, 'unauthorized');
    await expectProblem(await s.post('/api/emergency/rosters', body, as('planner1')), 403, 'forbidden');
    await expectProblem(await s.post('/api/emergency/rosters', body, as('worker1')), 403, 'forbidden');
    await expectProblem(await s.post('/api/emergency/rosters', { ...body, kind: 'meteor' }, as('commander1')), 400, 'bad_request', 'kind');
    await expectProblem(await s.post('/api/emergency/rosters', { ...body, area: { type: 'Point', coordinates: [1, 2] } }, as('commander1')), 400, 'bad_request');
    await expectProblem(await s.post('/api/emergency/rosters', { ...body, area: { type: 'Polygon', coordinates: [[[2, 48], [2.1, 48], [2.1, 48.1], [2, 48]]] } }, as('commander1')), 400, 'bad_request', 'area');
    const res = await s.post('/api/emergency/rosters', body, as('commander1'));
    expect(res.status, await res.clone().text()).toBe(201);
    const out = await res.json() as { id: number };
    expect(Object.keys(out)).toEqual(['id']);
    rosterId = out.id;
  });

  it('holds every household inside the area exactly once (point in polygon, independently), its residents, the vulnerable flagged', async () => {
    const db = database.db;
    const { inside, all } = await householdsInside(db, J, AREA);
    expect(inside.size).toBeGreaterThan(20);
    expect(inside.size).toBeLessThan(all);
    const times = await rosterHouseholdTimes(db, J, rosterId);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(times.keys())).toEqual(inside);

    const summary = await (await get(`/api/emergency/rosters/${rosterId}`, 'commander1')).json() as any;
    expect(summary.households).toBe(inside.size);
    const { rows: [{ n: residents }] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents WHERE jcode = ${J} AND household_id = ANY (${[...inside]}::bigint[])`.execute(db);
    expect(summary.residents).toBe(residents);
    expect(summary.by_grid.reduce((a: number, g: any) => a + g.households, 0)).toBe(inside.size);
    for (const g of summary.by_grid) expect(Object.keys(g)).toEqual(expect.arrayContaining(['grid_code', 'households', 'residents', 'vulnerable']));

    const people = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'admin1')).json() as any;
    expect(people.total).toBe(residents);
    const { rows: flagged } = await sql<{ id: string }>`SELECT id FROM residents WHERE jcode = ${J} AND household_id = ANY (${[...inside]}::bigint[])
      AND (cardinality(needs) > 0 OR 'elderly_alone' = ANY (tags))`.execute(db);
    expect(flagged.length).toBeGreaterThan(0);
    const vulnerable = new Set(people.people.filter((p: any) => p.vulnerable).map((p: any) => p.residentId));
    for (const f of flagged) expect(vulnerable.has(Number(f.id))).toBe(true);
    expect(summary.vulnerable).toBe(vulnerable.size);
    const wheel = people.people.filter((p: any) => p.reasons.includes('wheelchair'));
    expect(wheel.length).toBeGreaterThan(0);
    expect(wheel.every((p: any) => p.needsVehicle)).toBe(true);
    // vulnerable people first within each grid
    for (const g of new Set(people.people.map((p: any) => p.gridCode))) {
      const flags = people.people.filter((p: any) => p.gridCode === g).map((p: any) => p.vulnerable);
      expect(flags).toEqual([...flags].sort((a, b) => Number(b) - Number(a)));
    }
  });

  it("gives each household a shelter outside the area, never over capacity, and the responsible worker of the household's grid", async () => {
    const summary = await (await get(`/api/emergency/rosters/${rosterId}`, 'commander1')).json() as any;
    expect(summary.capacity_period).toBe('day');
    for (const sh of summary.shelters) expect(sh.assigned).toBeLessThanOrEqual(sh.capacity);
    expect(summary.shelters.map((x: any) => x.name)).not.toContain('区内安置点');
    expect(summary.shelters.reduce((a: number, x: any) => a + x.assigned, 0) + 0).toBe(summary.residents);
    expect(summary.unassigned_households).toBe(0);
    const near = summary.shelters.find((x: any) => x.name === '近安置点');
    expect(near.capacity - near.assigned).toBeLessThan(5); // the nearest filled first
    const people = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'admin1')).json() as any;
    expect(people.people.every((p: any) => p.shelterId !== null && p.walkM > 0)).toBe(true);

    const { rows: grids } = await sql<{ code: string; g: string }>`SELECT code, ST_AsGeoJSON(geom) AS g FROM grids g
      WHERE g.jcode = ${J} AND g.plan_id = (SELECT id FROM grid_plans WHERE jcode = ${J} AND status = 'published')`.execute(database.db);
    for (const p of people.people) {
      const holder = grids.find((g) => booleanPointInPolygon([p.lon, p.lat], JSON.parse(g.g)));
      expect(p.gridCode).toBe(holder?.code);
    }
    const g1 = people.people.filter((p: any) => p.gridCode === G1);
    expect(g1.length).toBeGreaterThan(0);
    expect(people.staff[G1][0]).toMatchObject({ name: '网格员甲', phone: '13900000001' });
  });

  it('scopes by role: a grid worker their grid only (403 for another), a commander masked, a planner counts only', async () => {
    const w1 = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'worker1')).json() as any;
    expect(w1.total).toBeGreaterThan(0);
    expect(w1.people.every((p: any) => p.gridCode === G1)).toBe(true);
    expect(w1.people.some((p: any) => !p.name.includes('*'))).toBe(true);
    const s1 = await (await get(`/api/emergency/rosters/${rosterId}`, 'worker1')).json() as any;
    expect(s1.by_grid.map((g: any) => g.grid_code)).toEqual([G1]);
    await expectProblem(await get(`/api/emergency/rosters/${rosterId}/people?grid=${G2}`, 'worker1'), 403, 'forbidden', 'grid');
    await expectProblem(await get(`/api/emergency/rosters/${rosterId}/grids/${G2}.pdf`, 'worker1'), 403, 'forbidden', 'grid');
    const admin = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'admin1')).json() as any;
    const other = admin.people.find((p: any) => p.gridCode !== G1);
    await expectProblem(await s.post(`/api/emergency/rosters/${rosterId}/ticks`, { residentId: other.residentId, status: 'moved' }, as('worker1')), 403, 'forbidden', 'residentId');

    const c = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'commander1')).json() as any;
    expect(c.view).toBe('masked');
    expect(c.total).toBe(admin.total);
    expect(c.people.every((p: any) => p.name.includes('*') && (p.phone === null || p.phone.includes('*')))).toBe(true);

    const plan = await get(`/api/emergency/rosters/${rosterId}`, 'planner1');
    expect(plan.status).toBe(200);
    expect(JSON.stringify(await plan.json())).not.toContain(admin.people[0].name);
    await expectProblem(await get(`/api/emergency/rosters/${rosterId}/people`, 'planner1'), 403, 'forbidden', 'role');
    await expectProblem(await get(`/api/emergency/rosters/${rosterId}/people`, ''), 401, 'unauthorized');
  });

  it('holds the grid scope by row-level security alone (no predicate in the query)', async () => {
    const worker = { name: 'worker1', role: 'grid_worker' as const, jcode: J, grids: [G1] };
    const rows = await withEventScope(database.db, worker, async (trx) => (await sql<{ grid_code: string }>`SELECT grid_code FROM roster_people
      WHERE roster_id = ${rosterId}`.execute(trx)).rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.grid_code))).toEqual(new Set([G1]));
    const other = await withEventScope(database.db, { ...worker, jcode: '990000000000' }, async (trx) => (await sql<{ n: number }>`SELECT count(*)::int AS n
      FROM roster_households WHERE roster_id = ${rosterId}`.execute(trx)).rows[0].n);
    expect(other).toBe(0);
  });

  it('keeps both ticks of two phones at once; the latest is the status; progress follows', async () => {
    const w1 = await (await get(`/api/emergency/rosters/${rosterId}/people`, 'worker1')).json() as any;
    const person = w1.people[0];
    const [a, b] = await Promise.all([
      s.post(`/api/emergency/rosters/${rosterId}/ticks`, { residentId: person.residentId, status: 'not_found' }, as('worker1')),
      s.post(`/api/emergency/rosters/${rosterId}/ticks`, { residentId: person.residentId, status: 'moved' }, as('commander1')),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const ta = await a.json() as any, tb = await b.json() as any;
    const ticks = await (await get(`/api/emergency/rosters/${rosterId}/ticks/${person.residentId}`, 'worker1')).json() as any;
    expect(ticks.ticks.map((t: any) => t.id).sort()).toEqual([ta.id, tb.id].sort());
    const last = [...ticks.ticks].sort((x: any, y: any) => x.at.localeCompare(y.at) || x.id - y.id).at(-1);
    const after = await (await get(`/api/emergency/rosters/${rosterId}/people?grid=${G1}`, 'worker1')).json() as any;
    expect(after.people.find((p: any) => p.residentId === person.residentId).status).toBe(last.status);
    // a later tick wins
    const third = await s.post(`/api/emergency/rosters/${rosterId}/ticks`, { residentId: person.residentId, status: 'moved' }, as('worker1'));
    expect((await third.json() as any).current).toBe('moved');
    const summary = await (await get(`/api/emergency/rosters/${rosterId}`, 'commander1')).json() as any;
    const g = summary.by_grid.find((x: any) => x.grid_code === G1);
    expect(g.moved).toBe(1);
    expect(g.remaining).toBe(g.residents - 1);
    expect(summary.shelters.reduce((n: number, x: any) => n + x.arrived, 0)).toBe(1);
  });

  it('streams progress to the wall (Server-Sent Events)', async () => {
    const ac = new AbortController();
    const res = await fetch(`${s.base}/api/emergency/rosters/${rosterId}/live`, { headers: as('commander1'), signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    expect(text).toMatch(/^event: progress\ndata: /);
    const data = JSON.parse(text.split('\n')[1].slice(6));
    expect(data.by_grid.length).toBeGreaterThan(1);
    expect(data.shelters.length).toBeGreaterThan(0);
  });

  it('exports an .xlsx that opens, with the people for staff and counts only for planners', async () => {
    const res = await get(`/api/emergency/rosters/${rosterId}.xlsx`, 'commander1');
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '安置点', '转移名单']);
    const summary = await (await get(`/api/emergency/rosters/${rosterId}`, 'commander1')).json() as any;
    expect(wb.getWorksheet('转移名单')!.rowCount).toBe(summary.residents + 1);
    expect(String(wb.getWorksheet('转移名单')!.getRow(2).getCell(2).value)).toContain('*');
    const p = await get(`/api/emergency/rosters/${rosterId}.xlsx`, 'planner1');
    const pw = new ExcelJS.Workbook();
    await pw.xlsx.load(Buffer.from(await p.arrayBuffer()) as never);
    expect(pw.worksheets.map((w) => w.name)).toEqual(['汇总', '安置点']);
  });

  it('prints a grid as a PDF that renders', async () => {
    const res = await get(`/api/emergency/rosters/${rosterId}/grids/${G1}.pdf`, 'worker1');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-roster-pdf-'));
    try {
      writeFileSync(path.join(dir, 'g.pdf'), pdf);
      if (hasPdftoppm) {
        execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', path.join(dir, 'g.pdf'), path.join(dir, 'page')]);
        const png = [path.join(dir, 'page-1.png'), path.join(dir, 'page-01.png')].find((f) => existsSync(f))!;
        expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
      } else {
        expect(pdf.toString('latin1')).toMatch(/\/Type \/Page\b/);
        expect(pdf.toString('latin1')).toMatch(/\/FontFile2/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes an area from the data: grids by code, a buffer along the river', async () => {
    const deadline = '2026-12-01T06:00:00Z';
    await expectProblem(await s.post('/api/emergency/rosters', { name: 'x', kind: 'flood', deadline, grids: [G1] }, as('commander1')), 400, 'bad_request', 'jcode');
    const res = await s.post('/api/emergency/rosters', { name: '网格转移', kind: 'flood', deadline, grids: [G1], jcode: J }, as('commander1'));
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = await res.json() as { id: number };
    const { rows: [grid] } = await sql<{ g: string }>`SELECT ST_AsGeoJSON(geom) AS g FROM grids WHERE jcode = ${J} AND code = ${G1}
      AND plan_id = (SELECT id FROM grid_plans WHERE jcode = ${J} AND status = 'published')`.execute(database.db);
    const { inside } = await householdsInside(database.db, J, JSON.parse(grid.g));
    expect(new Set((await rosterHouseholdTimes(database.db, J, id)).keys())).toEqual(inside);
    const { rows: onRoster } = await sql<{ grid_code: string }>`SELECT grid_code FROM roster_households WHERE jcode = ${J} AND roster_id = ${id}`.execute(database.db);
    expect(new Set(onRoster.map((r) => r.grid_code))).toEqual(new Set([G1]));
    const river = await s.post('/api/emergency/rosters', { name: '沿河转移', kind: 'flood', deadline, riverBufferM: 120, jcode: J }, as('commander1'));
    expect(river.status, await river.clone().text()).toBe(201);
    const { rows: [area] } = await sql<{ m: number }>`SELECT ST_Area(geom::geography) AS m FROM hazard_areas WHERE jcode = ${J} AND id = ${(await river.json() as { id: number }).id}`.execute(database.db);
    expect(area.m).toBeGreaterThan(50_000);
  });

  it('imports dangerous houses and needs from a sheet, all or nothing with the bad rows named', async () => {
    const { rows: [r] } = await sql<{ id: string; id_number: string; household_id: string }>`SELECT id, id_number, household_id FROM residents WHERE jcode = ${J} ORDER BY id LIMIT 1`.execute(database.db);
    const send = (csv: string) => {
      const form = new FormData();
      form.append('file', new Blob([csv], { type: 'text/csv' }), 'a.csv');
      return fetch(`${s.base}/api/emergency/attributes?jcode=${J}`, { method: 'POST', headers: as('commander1'), body: form });
    };
    const bad = await send(`身份证号,危房,需求\n${r.id_number},是,轮椅、吸氧\n110108000000000000,也许,飞行\n`);
    const p = await expectProblem(bad, 400, 'bad_file', 'file');
    expect(p.report.errors.map((e: any) => [e.row, e.field])).toEqual([[3, '危房'], [3, '需求'], [3, '身份证号']]);
    const { rows: [before] } = await sql<{ needs: string[] }>`SELECT needs FROM residents WHERE id = ${r.id}`.execute(database.db);
    expect(before.needs).not.toContain('oxygen');
    const ok = await send(`身份证号,危房,需求\n${r.id_number},是,轮椅、吸氧\n`);
    expect(ok.status, await ok.clone().text()).toBe(200);
    const { rows: [after] } = await sql<{ needs: string[]; d: boolean }>`SELECT r.needs, h.dangerous_house AS d FROM residents r JOIN households h ON h.jcode = r.jcode AND h.id = r.household_id
      WHERE r.id = ${r.id}`.execute(database.db);
    expect(after).toEqual({ needs: ['wheelchair', 'oxygen'], d: true });
    expect((await (await fetch(`${s.base}/api/emergency/attributes?jcode=${J}`, { method: 'POST', headers: as('planner1') })).status)).toBe(403);
  });

  it('writes every read and change of the roster to the audit log', async () => {
    const audit = await (await get(`/api/audit?jcode=${J}&limit=500`, 'admin1')).json() as any;
    const actions = (audit.entries ?? audit).map((e: any) => `${e.action} ${e.outcome}`);
    for (const a of [`roster ${rosterId} create ok`, `roster ${rosterId} read ok`, `roster ${rosterId} people ok`, `roster ${rosterId} people denied`,
      `roster ${rosterId} tick moved ok`, `roster ${rosterId} tick moved denied`, `roster ${rosterId} xlsx ok`, `roster ${rosterId} pdf ok`, `roster ${rosterId} grid ${G2} denied`]) {
      expect(actions).toContain(a);
    }
  });
});
