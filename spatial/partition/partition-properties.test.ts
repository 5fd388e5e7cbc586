/**
 * Properties of any partition, on random towns from the generator (random seeds and sizes, fast-check):
 * full coverage, no overlap, every household counted exactly once, connected grids nested in communities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { openTestDatabase, testEngines } from '../../data/db/test-engines.ts';
import type { Database } from '../../data/db/connect.ts';
import { generateTown, loadTown } from '../../data/generator/index.ts';
import { partitionJurisdiction } from './index.ts';

describe.each(testEngines())('partition properties on %s PostGIS', (engine) => {
  let database: Database;
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => { await database?.close(); });

  it('covers the jurisdiction exactly once, conserves households and nests in communities, for random towns', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 5_000, max: 9_000 }), async (seed, households) => {
      const town = generateTown({ households, seed });
      const { jcode } = await loadTown(database.db, town, { replace: true, residents: false });
      const s = await partitionJurisdiction(database.db, { jcode, seed });
      const { rows } = await sql<{ boundary: number; total: number; union: number; multi: number; hh: number; pts: number; outside_com: number }>`
        WITH g AS (SELECT code, community_code, households, geom FROM grids WHERE jcode = ${jcode} AND plan_id = ${s.planId}::bigint)
        SELECT (SELECT ST_Area(geom::geography) FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}) AS boundary,
          (SELECT sum(ST_Area(geom::geography)) FROM g) AS total,
          (SELECT ST_Area(ST_Union(geom)::geography) FROM g) AS union,
          (SELECT count(*) FROM g WHERE ST_NumGeometries(geom) > 1)::int AS multi,
          (SELECT sum(households) FROM g)::int AS hh,
          (SELECT sum(households) FROM address_points WHERE jcode = ${jcode})::int AS pts,
          (SELECT count(*) FROM g JOIN jurisdictions c ON c.jcode = ${jcode} AND c.code = g.community_code
             WHERE ST_Area(ST_Difference(g.geom, c.geom)::geography) > 0.01 * ST_Area(g.geom::geography))::int AS outside_com`.execute(database.db);
      const r = rows[0];
      expect(Math.abs(r.total - r.boundary) / r.boundary).toBeLessThan(1e-6); // no overlap (sum = area) …
      expect(Math.abs(r.union - r.boundary) / r.boundary).toBeLessThan(1e-6); // … and no gap
      expect(r.multi).toBe(0);
      expect(r.hh).toBe(r.pts);
      expect(r.hh).toBe(town.households);
      expect(r.outside_com).toBe(0);
    }), { numRuns: 3, seed: 20261123 });
  });
});
