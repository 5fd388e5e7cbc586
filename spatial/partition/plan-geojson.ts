/**
 * A plan's grids as a GeoJSON FeatureCollection in the shared solution format (FORMAT.md): one Polygon per
 * grid (MultiPolygon only where a grid really has several parts), properties code, households, community,
 * reason where the grid is outside the bounds, and split where part of its outline runs inside an
 * oversized street block. Ordered by code; coordinates with 9 decimals: the same input gives the same bytes.
 */
import { sql, type Kysely } from 'kysely';

export interface GridFeature {
  type: 'Feature';
  properties: {
    code: string; households: number; community: string | null; reason?: string; reason_detail?: string;
    /** certificate of an out-of-range grid (certify.ts): the component, its households, the bound and the solver */
    component?: string; component_households?: number; bound?: number; solver?: string; split?: boolean;
  };
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

export async function planFeatureCollection(db: Kysely<any>, jcode: string, planId: number): Promise<{ type: 'FeatureCollection'; features: GridFeature[] }> {
  const plan = await db.selectFrom('grid_plans').select('summary').where('jcode', '=', jcode).where('id', '=', planId).executeTakeFirst();
  const details = ((plan?.summary as any)?.reasonDetails ?? {}) as Record<string, string>;
  const certs = ((plan?.summary as any)?.certificates ?? {}) as Record<string, { component?: string; componentHouseholds?: number; bound?: number; solver?: string }>;
  const { rows } = await sql<{ code: string; households: number; community: string | null; reason: string | null; split: boolean; gj: string }>`
    SELECT g.code, g.households, g.community_code AS community, g.reason,
      EXISTS (SELECT 1 FROM blocks b WHERE b.jcode = g.jcode AND b.plan_id = g.plan_id AND b.grid_code = g.code AND b.split) AS split,
      ST_AsGeoJSON(CASE WHEN ST_NumGeometries(g.geom) = 1 THEN ST_GeometryN(g.geom, 1) ELSE g.geom END, 9) AS gj
    FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint ORDER BY g.code`.execute(db);
  return {
    type: 'FeatureCollection',
    features: rows.map((r) => {
      const properties: GridFeature['properties'] = { code: r.code, households: r.households, community: r.community };
      if (r.reason) {
        properties.reason = r.reason;
        if (details[r.code]) properties.reason_detail = details[r.code];
        const c = certs[r.code];
        if (c?.component) { properties.component = c.component; properties.component_households = c.componentHouseholds; }
        if (c?.bound !== undefined) properties.bound = c.bound;
        if (c?.solver) properties.solver = c.solver;
      }
      if (r.split) properties.split = true;
      return { type: 'Feature', properties, geometry: JSON.parse(r.gj) };
    }),
  };
}
