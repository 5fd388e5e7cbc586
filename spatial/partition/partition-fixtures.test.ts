/**
 * The small fixtures under spatial/test/fixtures/partition/, on every engine. Each case checks the behaviour
 * it was made for; `expected.geojson` beside each case is the reviewed output (UPDATE=1 rewrites it, with
 * stroke/fill so that it renders in any GeoJSON viewer), compared by code, households, reason and area.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { partitionJurisdiction, planFeatureCollection, publishPlan, type GridFeature } from './index.ts';
import { REPO_ROOT } from '../test/scorer.ts';

const FIX = path.join(REPO_ROOT, 'spatial/test/fixtures/partition');
const PALETTE = ['#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00', '#a65628', '#f781bf', '#999999'];

describe.each(testEngines())('partition fixtures on %s PostGIS', (engine) => {
  let database: Database;
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => { await database?.close(); });

  async function run(name: string, seed = 1) {
    const dir = path.join(FIX, name);
    const imp = await importProblemDir(database.db, dir, { jcode: name, replace: true });
    const s = await partitionJurisdiction(database.db, { jcode: name, min: imp.params.min, max: imp.params.max, seed });
    const fc = await planFeatureCollection(database.db, name, s.planId);
    return { imp, s, fc };
  }

  async function areaM2(f: GridFeature): Promise<number> {
    const { rows } = await sql<{ a: number }>`SELECT ST_Area(ST_GeomFromGeoJSON(${JSON.stringify(f.geometry)})::geography) AS a`.execute(database.db);
    return rows[0].a;
  }

  async function checkExpected(name: string, features: GridFeature[]) {
    const file = path.join(FIX, name, 'expected.geojson');
    if (process.env.UPDATE === '1') {
      const out = { type: 'FeatureCollection', features: features.map((f, i) => ({ ...f, properties: { ...f.properties,
        stroke: '#333333', 'stroke-width': 2, fill: PALETTE[i % PALETTE.length], 'fill-opacity': 0.4 } })) };
      writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
    }
    if (!existsSync(file)) throw new Error(`${file} is missing: review the output and write it with UPDATE=1`);
    const expected = JSON.parse(readFileSync(file, 'utf8')).features as GridFeature[];
    expect(features.map((f) => [f.properties.code, f.properties.households, f.properties.reason ?? null]))
      .toEqual(expected.map((f) => [f.properties.code, f.properties.households, f.properties.reason ?? null]));
    for (let i = 0; i < features.length; i++) {
      const [a, b] = [await areaM2(features[i]), await areaM2(expected[i])];
      expect(Math.abs(a - b) / b).toBeLessThan(1e-4);
    }
  }

  /** total area of the grids, and the area where two grids overlap */
  async function coverage(fc: { features: GridFeature[] }, jcode: string) {
    const { rows } = await sql<{ total: number; union: number; boundary: number }>`
      WITH g AS (SELECT ST_GeomFromGeoJSON(f->>'geometry') AS g FROM json_array_elements(${JSON.stringify(fc.features)}::json) f)
      SELECT (SELECT sum(ST_Area(g::geography)) FROM g) AS total, (SELECT ST_Area(ST_Union(g)::geography) FROM g) AS union,
        (SELECT ST_Area(geom::geography) FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}) AS boundary`.execute(database.db);
    return rows[0];
  }

  it('2×2 street grid: two grids of 500 that follow the streets', async () => {
    const { s, fc } = await run('grid-2x2');
    expect(s.blocks).toBe(4);
    expect(fc.features.map((f) => f.properties.households)).toEqual([500, 500]);
    const c = await coverage(fc, 'grid-2x2');
    expect(Math.abs(c.total - c.boundary) / c.boundary).toBeLessThan(1e-6);
    expect(Math.abs(c.union - c.boundary) / c.boundary).toBeLessThan(1e-6);
    await checkExpected('grid-2x2', fc.features);
  });

  it('cul-de-sac: a dead end makes no block, a lane stopping 1 m short still cuts its block', async () => {
    const { s, fc } = await run('cul-de-sac');
    expect(s.blocks).toBe(5);
    expect(fc.features.reduce((t, f) => t + f.properties.households, 0)).toBe(1010);
    await checkExpected('cul-de-sac', fc.features);
  });

  it('river: the river bounds blocks like a street; no block crosses it', async () => {
    const { s, fc } = await run('river');
    expect(fc.features).toHaveLength(3);
    const { rows } = await sql<{ crossing: number; blocks: number }>`
      WITH r AS (SELECT geom FROM streets WHERE jcode = 'river' AND kind = 'river')
      SELECT count(*) FILTER (WHERE ST_Length(ST_Intersection(ST_Buffer(b.geom::geography, -1)::geometry, r.geom)::geography) > 0.5)::int AS crossing,
        count(*)::int AS blocks
      FROM blocks b, r WHERE b.jcode = 'river' AND b.plan_id = ${s.planId}::bigint`.execute(database.db);
    expect(rows[0]).toEqual({ crossing: 0, blocks: 6 });
    await checkExpected('river', fc.features);
  });

  it('oversized tower: the tower is an indivisible grid, its block is split between buildings and flagged', async () => {
    const { s, fc } = await run('oversized-tower');
    expect(s.splitBlocks).toBe(1);
    const tower = fc.features.find((f) => f.properties.reason === 'indivisible')!;
    expect(tower.properties.households).toBe(750);
    expect(tower.properties.split).toBe(true);
    expect(fc.features.reduce((t, f) => t + f.properties.households, 0)).toBe(2030);
    for (const f of fc.features) {
      const h = f.properties.households;
      if (h < 400 || h > 600) expect(['indivisible', 'arithmetic', 'proven']).toContain(f.properties.reason);
    }
    // the 300-household grid: three blocks whose every partition leaves one grid out of range, proven by search
    const short = fc.features.find((f) => f.properties.households === 300)!;
    expect(short.properties).toMatchObject({ reason: 'proven', solver: 'exact', bound: 1 });
    await checkExpected('oversized-tower', fc.features);
  });

  it('isolated village: a community of 250 households is one grid with an arithmetic certificate, codes nest in communities', async () => {
    const { fc } = await run('isolated-village');
    const village = fc.features.filter((f) => f.properties.community === '110101001002');
    expect(village).toHaveLength(1);
    expect(village[0].properties).toMatchObject({ code: '110101001002001', households: 250, reason: 'arithmetic', component_households: 250, bound: 1 });
    for (const f of fc.features) expect(f.properties.code.startsWith(f.properties.community!)).toBe(true);
    await checkExpected('isolated-village', fc.features);
  });

  it('unit spanning two blocks stays whole; a dedicated school is a grid of its own', async () => {
    const { fc } = await run('unit-two-blocks');
    const school = fc.features.find((f) => f.properties.reason === 'dedicated')!;
    expect(school.properties.households).toBe(12);
    const { rows } = await sql<{ unit: string; grids: number }>`
      WITH g AS (SELECT f->'properties'->>'code' AS code, ST_GeomFromGeoJSON(f->>'geometry') AS g FROM json_array_elements(${JSON.stringify(fc.features)}::json) f)
      SELECT u.code AS unit, count(*) FILTER (WHERE ST_Area(ST_Intersection(g.g, u.geom)) > 0.01 * ST_Area(u.geom))::int AS grids
      FROM units u, g WHERE u.jcode = 'unit-two-blocks' GROUP BY u.code ORDER BY u.code`.execute(database.db);
    expect(rows).toEqual([{ unit: 'U1', grids: 1 }, { unit: 'U2', grids: 1 }]);
    await checkExpected('unit-two-blocks', fc.features);
  });

  it('same input and seed give byte-identical output; the plan is stored as a draft and can be published', async () => {
    const a = await run('river', 3);
    const b = await run('river', 3);
    expect(JSON.stringify(b.fc)).toBe(JSON.stringify(a.fc));
    const plan = await database.db.selectFrom('grid_plans').select(['status', 'version']).where('jcode', '=', 'river').where('id', '=', b.s.planId).executeTakeFirstOrThrow();
    expect(plan.status).toBe('draft');
    await publishPlan(database.db, 'river', b.s.planId);
    const after = await database.db.selectFrom('grid_plans').select(['status', 'version']).where('jcode', '=', 'river').where('id', '=', b.s.planId).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'published', version: plan.version + 1 });
    const blocks = await database.db.selectFrom('blocks').select(({ fn }) => fn.countAll<number>().as('n')).where('jcode', '=', 'river').where('plan_id', '=', b.s.planId).executeTakeFirstOrThrow();
    expect(Number(blocks.n)).toBe(b.s.blocks);
  });
});
