/**
 * Lookup: which grid (of the published plan), community, township and jurisdiction hold a position, and the
 * grid's staff contacts; one statement per position. Also by address text: address points whose address
 * or name holds the text, each with the grid holding it.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { publicContact, type ContactView } from '../auth/personal-data.ts';

export interface PlaceRef { code: string; name: string }
export interface GridRef { code: string; name: string | null; households: number; planId: number; communityCode: string | null; servicePhone?: string | null }
export interface StaffContact { name: string; role: string; department: string | null; phone: string | null }

export interface LookupAnswer {
  jurisdiction: (PlaceRef & { jcode: string }) | null;
  township: PlaceRef | null;
  community: PlaceRef | null;
  grid: GridRef | null;
  staff: StaffContact[];
}

interface Row { places: string | null; grid: string | null; staff: string | null }

/**
 * The places and grid at WGS-84 [lon, lat]; null when no loaded jurisdiction holds the position. `contacts`
 * says how staff are shown: 'public' (masked names, no personal phones: the grid's servicePhone is the number
 * to call) or 'staff' (in full); given the jurisdiction found, see api/auth/personal-data.ts.
 */
export async function lookupPosition(db: Kysely<DB>, lon: number, lat: number, contacts: (jcode: string) => ContactView = () => 'public'): Promise<LookupAnswer | null> {
  // the statement lives in wangge_lookup() (migrations/20261203T0100-lookup-function.ts): planned once per connection
  const { rows } = await sql<Row>`SELECT places, grid, staff FROM wangge_lookup(${lon}::float8, ${lat}::float8)`.execute(db);
  const r = rows[0];
  const places = (r?.places ? JSON.parse(r.places) : []) as Array<PlaceRef & { jcode: string; level: string }>;
  const top = places.find((p) => p.code === p.jcode) ?? null;
  if (!top) return null;
  const pick = (level: string): PlaceRef | null => {
    const p = places.find((x) => x.jcode === top.jcode && x.level === level);
    return p ? { code: p.code, name: p.name } : null;
  };
  const staff = r.staff ? (JSON.parse(r.staff) as StaffContact[]) : [];
  const grid = r.grid ? (JSON.parse(r.grid) as GridRef) : null;
  if (grid) grid.servicePhone ??= null;
  return {
    jurisdiction: { jcode: top.jcode, code: top.code, name: top.name },
    township: pick('township'),
    community: pick('community'),
    grid,
    staff: contacts(top.jcode) === 'staff' ? staff : staff.map(publicContact),
  };
}

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
