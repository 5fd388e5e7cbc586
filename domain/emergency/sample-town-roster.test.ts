// Issue 14's "done when" over the generated sample town (5,000 households, partitioned and published as `npm start`
// does): a drawn area's households, checked independently by point in polygon (turf), are on the roster exactly
// once, the vulnerable flagged, each household with a shelter whose capacity holds, and a responsible worker of the
// grid that holds the household (checked by point in polygon against the published grids).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { booleanPointInPolygon } from '@turf/turf';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { assignStaff, generateTown, loadTown } from '../../data/generator/index.ts';
import { partitionJurisdiction, publishPlan } from '../../spatial/partition/index.ts';
import { buildRoster } from './build-roster.ts';
import { householdsInside, rosterHouseholdTimes } from './test-roster-checks.ts';
import { getRosterArea, responsibleStaff, rosterPeople, rosterSummary, type RosterArea } from './roster-repository.ts';

describe.each(testEngines())('a roster over the sample town on the %s engine', (engine) => {
  let database: Database;
  let jcode = '';
  let area: RosterArea;
  let polygon: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const town = generateTown({ households: 5000, seed: 3 });
    ({ jcode } = await loadTown(database.db, town));
    const plan = await partitionJurisdiction(database.db, { jcode, min: 400, max: 600, seed: 1 });
    await publishPlan(database.db, jcode, plan.planId);
    await assignStaff(database.db, jcode, plan.planId);
    // an irregular pentagon over the middle of the town, as a commander would draw it
    const { rows: [b] } = await sql<{ x0: number; y0: number; x1: number; y1: number }>`SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
      FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}`.execute(database.db);
    const P = (u: number, v: number): [number, number] => [b.x0 + u * (b.x1 - b.x0), b.y0 + v * (b.y1 - b.y0)];
    polygon = { type: 'Polygon', coordinates: [[P(0.2, 0.25), P(0.65, 0.2), P(0.8, 0.55), P(0.5, 0.8), P(0.15, 0.6), P(0.2, 0.25)]] };
    const { id } = await buildRoster(database.db, jcode, { name: '洪水转移', kind: 'flood', deadline: new Date('2026-12-01T04:00:00Z'), area: polygon, createdBy: 'test' });
    area = (await getRosterArea(database.db, id))!;
  }, 600_000);
  afterAll(async () => {
    await database?.close();
  });

  it('holds every household inside exactly once, the vulnerable flagged, shelters within capacity, workers of the right grid', async () => {
    const db = database.db;
    const { inside } = await householdsInside(db, jcode, polygon);
    expect(inside.size).toBeGreaterThan(500);
    const times = await rosterHouseholdTimes(db, jcode, area.id);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(times.keys())).toEqual(inside);

    const admin = { name: 'a', role: 'admin' as const, jcode, grids: [] };
    const people = await rosterPeople(db, admin, area);
    const { rows: [{ n }] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents WHERE jcode = ${jcode} AND household_id = ANY (${[...inside]}::bigint[])`.execute(db);
    expect(people.length).toBe(n);
    const { rows: needy } = await sql<{ id: string }>`SELECT id FROM residents WHERE jcode = ${jcode} AND household_id = ANY (${[...inside]}::bigint[])
      AND (cardinality(needs) > 0 OR tags && ARRAY['elderly_alone', 'disabled'])`.execute(db);
    expect(needy.length).toBeGreaterThan(10);
    const flagged = new Set(people.filter((p) => p.vulnerable).map((p) => p.residentId));
    for (const r of needy) expect(flagged.has(Number(r.id))).toBe(true);

    const summary = await rosterSummary(db, admin, area, new Date('2026-12-01T00:00:00Z'));
    expect(summary.shelters.length).toBeGreaterThan(0);
    for (const s of summary.shelters) expect(s.assigned).toBeLessThanOrEqual(s.capacity);
    const { rows: [{ dangerous }] } = await sql<{ dangerous: number }>`SELECT count(*)::int AS dangerous FROM households WHERE jcode = ${jcode}
      AND dangerous_house AND id = ANY (${[...inside]}::bigint[])`.execute(db);
    expect(summary.dangerous_houses).toBe(dangerous);

    const { rows: grids } = await sql<{ code: string; g: string }>`SELECT code, ST_AsGeoJSON(geom) AS g FROM grids WHERE jcode = ${jcode} AND plan_id = ${area.planId}`.execute(db);
    const parsed = grids.map((g) => ({ code: g.code, geom: JSON.parse(g.g) }));
    const staff = await responsibleStaff(db, jcode, grids.map((g) => g.code));
    const seen = new Map<string, string | null>();
    for (const p of people) {
      const key = `${p.lon},${p.lat}`;
      if (!seen.has(key)) seen.set(key, parsed.find((g) => booleanPointInPolygon([p.lon, p.lat], g.geom))?.code ?? null);
      expect(p.gridCode).toBe(seen.get(key));
      expect(staff.get(p.gridCode!)?.length ?? 0).toBeGreaterThan(0);
    }
  });
});
