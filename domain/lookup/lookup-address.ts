/**
 * Lookup by address text: address points whose address or name holds the text, each with the grid of the
 * published plan that holds it (moved here from api/repos/lookup.ts so the events domain can route by address).
 *
 * @example await lookupAddress(db, '1-1-1号楼', 10) // [{ jcode, id, name, address, lon, lat, grid: { code, … } }]
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';

export interface AddressHit {
  jcode: string;
  id: number;
  name: string | null;
  address: string | null;
  households: number;
  lon: number;
  lat: number;
  grid: { code: string; name: string | null; planId: number } | null;
}

/** Address points whose address or name contains `text` (exact matches first), at most `limit`. */
export async function lookupAddress(db: Kysely<DB>, text: string, limit: number, jcode?: string): Promise<AddressHit[]> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await sql<{ jcode: string; id: number; name: string | null; address: string | null; households: number; lon: number; lat: number; grid: string | null }>`
    SELECT a.jcode, a.id, a.name, a.address, a.households, ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat,
      (SELECT json_build_object('code', g.code, 'name', g.name, 'planId', g.plan_id)::text
        FROM grids g JOIN grid_plans p ON p.jcode = g.jcode AND p.id = g.plan_id AND p.status = 'published'
        WHERE g.jcode = a.jcode AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom)
        ORDER BY ST_Contains(g.geom, a.geom) DESC, g.code LIMIT 1) AS grid
    FROM address_points a
    WHERE (a.address ILIKE ${pattern} OR a.name ILIKE ${pattern}) ${jcode === undefined ? sql`` : sql`AND a.jcode = ${jcode}`}
    ORDER BY (a.address = ${text} OR a.name = ${text}) DESC, a.jcode, a.id
    LIMIT ${limit}::int`.execute(db);
  return rows.map((r) => ({
    jcode: r.jcode, id: Number(r.id), name: r.name, address: r.address, households: Number(r.households),
    lon: Number(r.lon), lat: Number(r.lat), grid: r.grid ? JSON.parse(r.grid) : null,
  }));
}
