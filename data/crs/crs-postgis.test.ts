/**
 * Our proj4 definitions of the 64 CGCS2000 Gauss-Krüger codes against PostGIS's own EPSG definitions
 * (spatial_ref_sys + PROJ) on each engine: the same projected position must land on the same WGS-84 point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as turf from '@turf/turf';
import { openTestDatabase, testEngines } from '../db/test-engines.ts';
import type { Database } from '../db/connect.ts';
import { gaussKrugerZone } from './gauss-kruger.ts';
import { parseCrs } from './parse-crs.ts';

describe.each(testEngines())('Gauss-Krüger definitions agree with PostGIS (%s)', (engine) => {
  let database: Database;
  beforeAll(async () => { database = await openTestDatabase(engine); });
  afterAll(async () => { await database?.close(); });

  it('for every code 4491–4554', async () => {
    const cases: { code: number; x: number; y: number }[] = [];
    for (let code = 4491; code <= 4554; code++) {
      const z = gaussKrugerZone(code)!;
      // a point 0.8° east of the central meridian at 35°N, in the zone's own coordinates
      const [x, y] = parseCrs(`EPSG:${code}`).fromWgs84([z.lon0 + 0.8, 35]);
      cases.push({ code, x, y });
    }
    const { rows } = await sql<{ code: number; lon: number; lat: number }>`
      SELECT c.code, ST_X(g) AS lon, ST_Y(g) AS lat FROM json_to_recordset(${JSON.stringify(cases)}::json) AS c(code int, x float8, y float8),
      LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(c.x, c.y), c.code), 4326) AS g) t ORDER BY c.code`.execute(database.db);
    expect(rows).toHaveLength(64);
    for (const r of rows) {
      const z = gaussKrugerZone(r.code)!;
      const d = turf.distance([r.lon, r.lat], [z.lon0 + 0.8, 35], { units: 'meters' });
      expect(d, `EPSG:${r.code}`).toBeLessThan(0.01);
    }
  });
});
