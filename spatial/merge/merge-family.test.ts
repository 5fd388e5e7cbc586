/**
 * 多网合一 on a random sample of the test-world family (data/generator/worlds) with departmental layers drawn
 * over each world by another hand (data/generator/worlds/overlays.ts), on every engine. Behaviour only: every
 * household in exactly one grid, grids in one piece and nested in their communities, the reported fidelity
 * equal to a recomputation from the address points and the stored grids and zones, and the attribution
 * accounting for every household not kept. The sample is drawn anew on every run (MERGE_FAMILY_SEED=n repeats
 * one; under CI a fixed one); scripts/bench-merge-family.ts runs the family at large.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { importProblemDir } from '../../data/importers/problem-dir.ts';
import { generateWorld, worldFamily, writeWorld, SYNTHETIC_KINDS } from '../../data/generator/worlds/index.ts';
import { worldOverlays } from '../../data/generator/worlds/overlays.ts';
import { mergeOverlays } from './index.ts';

const CI_SEED = 20261203;
const SEED = process.env.MERGE_FAMILY_SEED ? Number(process.env.MERGE_FAMILY_SEED)
  : process.env.CI === 'true' ? CI_SEED : Math.floor(Math.random() * 2 ** 31);
process.stderr.write(`merge family sample: MERGE_FAMILY_SEED=${SEED}\n`);
// small worlds keep the file under a minute per engine
const SAMPLE = worldFamily(SEED, 1, { kinds: SYNTHETIC_KINDS }).map((s, i) => ({ ...s, households: 3000 + ((SEED >>> (i * 4)) % 7) * 300 }));

describe.each(testEngines())('merge on a random sample of the test-world family on %s PostGIS', (engine) => {
  let database: Database;
  const out = mkdtempSync(path.join(os.tmpdir(), 'wangge-merge-family-test-'));
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => {
    await database?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it.each(SAMPLE)('world $kind $seed ($households households)', async (spec) => {
    const world = generateWorld(spec.seed, { kind: spec.kind, households: spec.households });
    const dir = path.join(out, `${spec.kind}-${spec.seed}`);
    writeWorld(world, dir);
    const ov = worldOverlays(world, spec.seed);
    expect(ov.layers.length).toBeGreaterThanOrEqual(2);
    expect(ov.layers.length).toBeLessThanOrEqual(4);
    const imp = await importProblemDir(database.db, dir, { jcode: `mf${spec.seed % 100000}`, replace: true });
    const jcode = imp.jcode;
    const r = await mergeOverlays(database.db, { jcode, min: imp.params.min, max: imp.params.max, seed: 1 }, ov.layers.map((l) => ({ name: l.name, features: l.features })));
    const planId = r.summary.planId;

    // every household of the jurisdiction in exactly one grid
    const { rows: [cover] } = await sql<{ none: number; two: number; total: number; sum: number }>`
      WITH j AS (SELECT geom FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}),
      p AS (SELECT p.id, p.households, p.geom FROM address_points p, j WHERE p.jcode = ${jcode} AND ST_Intersects(j.geom, p.geom)),
      c AS (SELECT p.id, count(g.code) FILTER (WHERE ST_Contains(g.geom, p.geom)) AS inside, count(g.code) AS touching
        FROM p LEFT JOIN grids g ON g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom) GROUP BY p.id)
      SELECT count(*) FILTER (WHERE touching = 0)::int AS none, count(*) FILTER (WHERE inside > 1)::int AS two,
        (SELECT COALESCE(sum(households), 0) FROM p)::int AS total,
        (SELECT COALESCE(sum(households), 0) FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint)::int AS sum
      FROM c`.execute(database.db);
    expect(cover.none).toBe(0);
    expect(cover.two).toBe(0);
    expect(cover.sum).toBe(cover.total);
    expect(r.summary.households).toBe(cover.total);

    // grids in one piece, not overlapping, nested in their communities
    const { rows: [shape] } = await sql<{ multi: number; overlap: number; outside: number }>`
      WITH g AS (SELECT code, community_code, geom FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint)
      SELECT (SELECT count(*) FROM g WHERE ST_NumGeometries(geom) <> 1)::int AS multi,
        (SELECT COALESCE(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) FROM g a JOIN g b ON a.code < b.code AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********'))::float8 AS overlap,
        (SELECT count(*) FROM g JOIN jurisdictions c ON c.jcode = ${jcode} AND c.code = g.community_code
          WHERE ST_Area(ST_Difference(g.geom, c.geom)::geography) > 0.01 * ST_Area(g.geom::geography))::int AS outside`.execute(database.db);
    expect(shape.multi).toBe(0);
    expect(shape.overlap).toBeLessThan(1);
    expect(shape.outside).toBe(0);

    // fidelity recomputed from the points, the stored grids and the stored zones
    const { rows: pts } = await sql<{ pid: number; hh: number; grid: string; layer: string; zone: string }>`
      WITH pg AS (
        SELECT DISTINCT ON (p.id) p.id AS pid, p.households AS hh, g.code AS grid, p.geom
        FROM address_points p JOIN grids g ON g.jcode = p.jcode AND g.plan_id = ${planId}::bigint AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom)
        WHERE p.jcode = ${jcode} ORDER BY p.id, ST_Contains(g.geom, p.geom) DESC, g.code)
      SELECT pg.pid, pg.hh, pg.grid, l.name AS layer, z.code AS zone
      FROM pg JOIN overlay_zones z ON z.jcode = ${jcode} AND z.geom && pg.geom AND ST_Intersects(z.geom, pg.geom)
      JOIN overlay_layers l ON l.jcode = z.jcode AND l.id = z.layer_id`.execute(database.db);
    const { rows: gridHh } = await sql<{ grid: string; hh: number }>`
      SELECT g.code AS grid, COALESCE(sum(x.hh), 0)::int AS hh FROM grids g LEFT JOIN (
        SELECT DISTINCT ON (p.id) p.households AS hh, g2.code
        FROM address_points p JOIN grids g2 ON g2.jcode = p.jcode AND g2.plan_id = ${planId}::bigint AND g2.geom && p.geom AND ST_Intersects(g2.geom, p.geom)
        WHERE p.jcode = ${jcode} ORDER BY p.id, ST_Contains(g2.geom, p.geom) DESC, g2.code) x ON x.code = g.code
      WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint GROUP BY g.code`.execute(database.db);
    const gtot = new Map(gridHh.map((g) => [g.grid, g.hh]));
    for (const l of ov.layers) {
      const rows = pts.filter((p) => p.layer === l.name);
      const zg = new Map<string, number>(), ztot = new Map<string, number>();
      for (const p of rows) {
        zg.set(`${p.zone}\u0000${p.grid}`, (zg.get(`${p.zone}\u0000${p.grid}`) ?? 0) + p.hh);
        ztot.set(p.zone, (ztot.get(p.zone) ?? 0) + p.hh);
      }
      const pureGrid = new Set<string>(), pureZone = new Set<string>();
      for (const [k, v] of zg) {
        const [z, g] = k.split('\u0000');
        if (v >= 0.95 * gtot.get(g)!) pureGrid.add(g);
        if (v >= 0.95 * ztot.get(z)!) pureZone.add(z);
      }
      const byPoint = new Map<number, { hh: number; good: boolean }>();
      for (const p of rows) {
        const b = byPoint.get(p.pid) ?? { hh: p.hh, good: pureGrid.has(p.grid) };
        b.good ||= pureZone.has(p.zone);
        byPoint.set(p.pid, b);
      }
      let good = 0, total = 0;
      for (const b of byPoint.values()) { total += b.hh; if (b.good) good += b.hh; }
      const fid = total ? good / total : 0;
      expect(r.fidelity[l.name], l.name).toBeCloseTo(fid, 3);
      // the attribution names zones for every household not kept
      const lost = r.attribution.zonesCut.filter((z) => z.layer === l.name).reduce((t, z) => t + z.lost, 0);
      expect(lost, l.name).toBe(total - good);
    }
    // every grid out of range is reported with the zones it holds
    const outOfRange = [...gtot.values()].filter((h) => h < imp.params.min || h > imp.params.max).length;
    expect(r.attribution.gridsOutOfRange.length).toBe(outOfRange);
    expect(r.summary.grids - r.summary.inRange).toBe(outOfRange);
  }, 120_000);
});
