import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, tableCounts, testEngines } from '../db/test-engines.ts';
import type { Database } from '../db/connect.ts';
import { importProblemDir } from '../importers/problem-dir.ts';
import { isWanggeError } from '../errors.ts';
import { generateTown } from './generate-town.ts';
import { writeProblemDir } from './write-problem-dir.ts';
import { iterateHouseholds } from './residents.ts';
import { loadTown } from './load-town.ts';
import { townShelters } from './emergency-extras.ts';
import { assignStaff } from './assign-staff.ts';

const town = generateTown({ households: 12_000, seed: 5 });
let residents = 0;
for (const { household } of iterateHouseholds(town)) residents += household.members;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(testEngines())('loadTown on %s PostGIS', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('loads every layer in one transaction with the generated counts', async () => {
    const { db } = database;
    const res = await loadTown(db, town);
    const counts = await tableCounts(db);
    const expected = {
      jurisdictions: 1 + town.townships.length + town.communities.length, streets: town.streets.length, address_points: town.buildings.length,
      households: town.households, residents, units: town.units.length, hazards: town.hazards.length, cameras: town.cameras.length,
      patrol_tracks: town.tracks.length, overlay_layers: 3, overlay_zones: town.overlays.reduce((s, o) => s + o.zones.length, 0),
    };
    expect(res.counts).toEqual({ ...expected, shelters: townShelters(town).length });
    for (const [k, v] of Object.entries(expected)) expect(counts[k], k).toBe(v);
    const hh = await sql<{ s: number }>`SELECT sum(households)::int AS s FROM address_points WHERE jcode = ${town.code}`.execute(db);
    expect(hh.rows[0].s).toBe(town.households);
    const orphan = await sql<{ n: number }>`SELECT count(*)::int AS n FROM households h LEFT JOIN address_points a
      ON a.jcode = h.jcode AND a.id = h.address_point_id WHERE a.id IS NULL`.execute(db);
    expect(orphan.rows[0].n).toBe(0);
    const members = await sql<{ ok: boolean }>`SELECT bool_and(h.members = r.n) AS ok FROM households h
      JOIN (SELECT jcode, household_id, count(*) AS n FROM residents GROUP BY 1, 2) r ON r.jcode = h.jcode AND r.household_id = h.id`.execute(db);
    expect(members.rows[0].ok).toBe(true);
    const tags = await sql<{ n: number }>`SELECT count(*)::int AS n FROM residents WHERE 'elderly_alone' = ANY(tags)`.execute(db);
    expect(tags.rows[0].n).toBeGreaterThan(0);
  });

  it('refuses to load the same jurisdiction twice unless replace, and nothing changes', async () => {
    const { db } = database;
    const before = await tableCounts(db);
    const err = await loadTown(db, town).catch((e) => e);
    expect(isWanggeError(err) && err.code).toBe('conflict');
    expect(await tableCounts(db)).toEqual(before);
    await loadTown(db, town, { replace: true, residents: false });
    const after = await tableCounts(db);
    expect(after.residents).toBe(0);
    expect(after.address_points).toBe(before.address_points);
    await loadTown(db, town, { replace: true });
    expect(await tableCounts(db)).toEqual(before);
  });

  it('stores valid geometry: polygons valid, streets simple', async () => {
    const { db } = database;
    const { rows } = await sql<{ t: string; n: number }>`
      SELECT 'jurisdictions' AS t, count(*)::int AS n FROM jurisdictions WHERE NOT ST_IsValid(geom)
      UNION ALL SELECT 'units', count(*)::int FROM units WHERE NOT ST_IsValid(geom)
      UNION ALL SELECT 'zones', count(*)::int FROM overlay_zones WHERE NOT ST_IsValid(geom)
      UNION ALL SELECT 'hazards', count(*)::int FROM hazards WHERE NOT ST_IsValid(geom)
      UNION ALL SELECT 'streets', count(*)::int FROM streets WHERE NOT ST_IsValid(geom) OR (NOT ST_IsSimple(geom) AND kind <> 'river')
      UNION ALL SELECT 'tracks', count(*)::int FROM patrol_tracks WHERE NOT ST_IsValid(geom) OR ST_NPoints(geom) <> cardinality(times)`.execute(db);
    for (const r of rows) expect(r.n, r.t).toBe(0);
  });

  it('tiles the county with communities and townships (no gap, no overlap) and nests codes', async () => {
    const { db } = database;
    for (const level of ['community', 'township']) {
      const { rows } = await sql<{ county: number; gap: number; overlap: number; sum: number }>`
        WITH c AS (SELECT ST_Transform(geom, 32650) AS g FROM jurisdictions WHERE jcode = ${town.code} AND level = 'county'),
             p AS (SELECT code, ST_Transform(geom, 32650) AS g FROM jurisdictions WHERE jcode = ${town.code} AND level = ${level}),
             u AS (SELECT ST_UnaryUnion(ST_Collect(g), 0.001) AS g FROM p)
        SELECT (SELECT ST_Area(g) FROM c) AS county,
               (SELECT ST_Area(ST_Difference(c.g, u.g, 0.001)) FROM c, u) AS gap,
               (SELECT coalesce(sum(ST_Area(ST_Intersection(a.g, b.g))), 0) FROM p a JOIN p b ON a.code < b.code AND a.g && b.g
                  AND ST_Relate(a.g, b.g, 'T********')) AS overlap,
               (SELECT sum(ST_Area(g)) FROM p) AS sum`.execute(db);
      const r = rows[0];
      expect(r.county, level).toBeGreaterThan(1e6);
      expect(r.gap / r.county, level).toBeLessThan(1e-6);
      expect(r.overlap / r.county, level).toBeLessThan(1e-6);
      expect(Math.abs(r.sum - r.county) / r.county, level).toBeLessThan(1e-6);
    }
    const nest = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jurisdictions c JOIN jurisdictions t
      ON t.jcode = c.jcode AND t.code = c.parent_code WHERE c.jcode = ${town.code} AND c.level = 'community'
      AND (t.level <> 'township' OR left(c.code, 9) <> left(t.code, 9))`.execute(db);
    expect(nest.rows[0].n).toBe(0);
    const orphans = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jurisdictions c WHERE c.jcode = ${town.code}
      AND c.level = 'community' AND NOT EXISTS (SELECT 1 FROM jurisdictions t WHERE t.jcode = c.jcode AND t.code = c.parent_code)`.execute(db);
    expect(orphans.rows[0].n).toBe(0);
  });

  it('puts every address point inside the county and inside exactly one community', async () => {
    const { db } = database;
    const { rows } = await sql<{ outside: number; notone: number }>`
      SELECT (SELECT count(*)::int FROM address_points a JOIN jurisdictions c ON c.jcode = a.jcode AND c.level = 'county'
                WHERE a.jcode = ${town.code} AND NOT ST_Within(a.geom, c.geom)) AS outside,
             (SELECT count(*)::int FROM (SELECT a.id, count(m.code) AS n FROM address_points a LEFT JOIN jurisdictions m
                ON m.jcode = a.jcode AND m.level = 'community' AND ST_Within(a.geom, m.geom)
                WHERE a.jcode = ${town.code} GROUP BY a.id) x WHERE n <> 1) AS notone`.execute(db);
    expect(rows[0]).toEqual({ outside: 0, notone: 0 });
  });

  it('writes a problem directory that importProblemDir loads with the same counts', async () => {
    const { db } = database;
    const dir = path.join(tmp, `problem-${engine}`);
    writeProblemDir(town, dir, { residents: false });
    const res = await importProblemDir(db, dir, { jcode: '990000000001' });
    expect(res.counts).toEqual({ communities: town.communities.length, streets: town.streets.length, addressPoints: town.buildings.length,
      households: town.households, units: town.units.length });
  });

  it('assigns a leader, members and a specialist with phones to every grid of a plan', async () => {
    const { db } = database;
    const plan = await db.insertInto('grid_plans').values({ jcode: town.code, name: 't', method: 'test', params: {}, summary: {} }).returning('id').executeTakeFirstOrThrow();
    await sql`INSERT INTO grids (jcode, plan_id, code, community_code, households, geom)
      SELECT jcode, ${plan.id}, code || '001', code, households, geom FROM jurisdictions WHERE jcode = ${town.code} AND level = 'community'`.execute(db);
    const n = await assignStaff(db, town.code, Number(plan.id));
    expect(n).toBeGreaterThanOrEqual(3 * town.communities.length);
    const { rows } = await sql<{ grids: number; leaders: number; bad: number }>`SELECT count(DISTINCT grid_code)::int AS grids,
      count(*) FILTER (WHERE role = 'leader')::int AS leaders, count(*) FILTER (WHERE phone !~ '^1[0-9]{10}$')::int AS bad
      FROM grid_staff WHERE jcode = ${town.code}`.execute(db);
    expect(rows[0]).toEqual({ grids: town.communities.length, leaders: town.communities.length, bad: 0 });
    expect(await assignStaff(db, town.code, Number(plan.id))).toBe(n);
  });
});
