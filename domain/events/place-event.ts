/**
 * Routing of an event to its grid, community, township and jurisdiction: by point (WGS-84, or GCJ-02 / BD-09 as
 * phones and Chinese map apps send them, converted first) or by address text through the address lookup.
 * Many points go in one statement (hotline imports). A point outside every grid of the published plans is an
 * answer of its own (`EventPlacementError`), never a silent drop.
 *
 * @example await placeByPoint(db, 116.301, 39.981, 'gcj02') // { jcode, planId, gridCode, communityCode, townshipCode, lon, lat }
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { parseCrs } from '../../data/crs/parse-crs.ts';
import { WanggeError } from '../../data/errors.ts';
import { lookupAddress } from '../lookup/lookup-address.ts';

export type PointCrs = 'wgs84' | 'gcj02' | 'bd09';
const CRS_NAMES: Record<string, PointCrs> = { wgs84: 'wgs84', 'wgs-84': 'wgs84', 'epsg:4326': 'wgs84', gcj02: 'gcj02', 'gcj-02': 'gcj02', bd09: 'bd09', 'bd-09': 'bd09' };

/** The CRS named by `name` (wgs84, gcj02, bd09 and their usual spellings), or undefined. */
export function pointCrs(name: string | undefined | null): PointCrs | undefined {
  return name === undefined || name === null || name === '' ? 'wgs84' : CRS_NAMES[name.trim().toLowerCase()];
}

export interface Placement {
  jcode: string;
  planId: number;
  gridCode: string;
  communityCode: string | null;
  townshipCode: string | null;
  /** WGS-84 */
  lon: number;
  lat: number;
}

/** Why an event could not be placed: `parameter` names the input (lat, address_string, …). */
export class EventPlacementError extends WanggeError {
  constructor(message: string, parameter: string) {
    super('bad_request', message, { parameter });
  }
}

/** WGS-84 [lon, lat] of a position given in `crs`; throws EventPlacementError when it cannot be one. */
export function toWgs84(lon: number, lat: number, crs: PointCrs): [number, number] {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
    throw new EventPlacementError(`lat/long must be numbers within -90..90 and -180..180, got ${lat}, ${lon}`, 'lat');
  }
  if (crs === 'wgs84') return [lon, lat];
  const c = parseCrs(crs);
  const why = c.implausible(lon, lat);
  if (why) throw new EventPlacementError(`${why} (${crs} is defined in China only)`, 'lat');
  return c.toWgs84([lon, lat]);
}

interface Row { i: number; jcode: string | null; plan_id: number | null; code: string | null; community_code: string | null; township: string | null; in_jurisdiction: boolean }

/**
 * Grids of the published plans holding WGS-84 points, in one statement; null where a point is in no grid.
 * `jcode` limits the search to one jurisdiction.
 */
export async function placePoints(db: Kysely<DB>, points: ReadonlyArray<[number, number]>, jcode?: string): Promise<Array<(Placement & { inJurisdiction: true }) | { inJurisdiction: boolean } | null>> {
  if (points.length === 0) return [];
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  // points in geohash order, so that consecutive points mostly fall in the same grid and PostGIS reuses that grid's
  // prepared geometry; the street from the grid's community (its parent: one hash join over the communities, not a
  // lookup per point), by position only when that is unknown; answered in any order (each row carries its index)
  const inJ = (col: string) => (jcode === undefined ? sql`` : sql`AND ${sql.ref(col)} = ${jcode}`);
  const { rows } = await sql<Row>`WITH p AS MATERIALIZED (
      SELECT t.i::int AS i, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS g
      FROM unnest(${lons}::float8[], ${lats}::float8[]) WITH ORDINALITY AS t(lon, lat, i)
      ORDER BY ST_GeoHash(ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326), 9)),
    tw AS MATERIALIZED (
      SELECT c.jcode, c.code, t.code AS township FROM jurisdictions c
      JOIN jurisdictions t ON t.jcode = c.jcode AND t.code = c.parent_code AND t.level = 'township'
      WHERE true ${inJ('c.jcode')})
    SELECT p.i, gr.jcode, gr.plan_id, gr.code, gr.community_code,
      CASE WHEN gr.jcode IS NULL THEN NULL ELSE coalesce(tw.township,
        (SELECT j.code FROM jurisdictions j WHERE j.jcode = gr.jcode AND j.level = 'township' AND j.geom && p.g AND ST_Intersects(j.geom, p.g)
          ORDER BY j.code LIMIT 1)) END AS township,
      CASE WHEN gr.jcode IS NOT NULL THEN true ELSE EXISTS (SELECT 1 FROM jurisdictions j WHERE j.jcode = j.code AND j.geom && p.g AND ST_Intersects(j.geom, p.g)
        ${inJ('j.jcode')}) END AS in_jurisdiction
    FROM p LEFT JOIN LATERAL (
      SELECT g.jcode, g.plan_id, g.code, g.community_code FROM grids g
      JOIN grid_plans pl ON pl.jcode = g.jcode AND pl.id = g.plan_id AND pl.status = 'published'
      WHERE g.geom && p.g AND ST_Intersects(g.geom, p.g) ${inJ('g.jcode')}
      ORDER BY g.jcode, g.code LIMIT 1) gr ON true
    LEFT JOIN tw ON tw.jcode = gr.jcode AND tw.code = gr.community_code`.execute(db);
  const out: Array<(Placement & { inJurisdiction: true }) | { inJurisdiction: boolean } | null> = points.map(() => null);
  for (const r of rows) {
    const k = Number(r.i) - 1;
    out[k] = r.jcode === null || r.code === null
      ? { inJurisdiction: Boolean(r.in_jurisdiction) }
      : {
        inJurisdiction: true, jcode: r.jcode, planId: Number(r.plan_id), gridCode: r.code, communityCode: r.community_code,
        townshipCode: r.township, lon: points[k][0], lat: points[k][1],
      };
  }
  return out;
}

function outside(lon: number, lat: number, inJurisdiction: boolean, jcode?: string): EventPlacementError {
  const where = `${lon.toFixed(6)}, ${lat.toFixed(6)}`;
  return new EventPlacementError(inJurisdiction
    ? `the point ${where} is in ${jcode ? `jurisdiction ${jcode}` : 'a loaded jurisdiction'} but in no grid of its published plan`
    : `the point ${where} (WGS-84) is outside every grid${jcode ? ` of jurisdiction ${jcode}` : ' of the loaded jurisdictions'}`, 'lat');
}

/** The grid of a point in `crs`; EventPlacementError when it is in none. */
export async function placeByPoint(db: Kysely<DB>, lon: number, lat: number, crs: PointCrs = 'wgs84', jcode?: string): Promise<Placement> {
  const [x, y] = toWgs84(lon, lat, crs);
  const [found] = await placePoints(db, [[x, y]], jcode);
  if (!found || !('gridCode' in found)) throw outside(x, y, Boolean(found?.inJurisdiction), jcode);
  return found;
}

/**
 * The grid of an address text: the address points of the lookup that contain the text, else those whose name or
 * address the text contains (a hotline's "…区示例街道3-2-1号楼3单元" holds the point's "3-2-1号楼"), longest first.
 */
export async function placeByAddress(db: Kysely<DB>, text: string, jcode?: string): Promise<Placement> {
  const q = text.trim();
  if (q.length < 2 || q.length > 200) throw new EventPlacementError('an address is 2 to 200 characters', 'address_string');
  let hits = (await lookupAddress(db, q, 5, jcode)).map((h) => ({ lon: h.lon, lat: h.lat }));
  if (hits.length === 0) {
    const { rows } = await sql<{ lon: number; lat: number }>`SELECT ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat FROM address_points a
      WHERE ${jcode === undefined ? sql`true` : sql`a.jcode = ${jcode}`}
        AND ((a.address IS NOT NULL AND length(a.address) >= 2 AND strpos(${q}, a.address) > 0) OR (a.name IS NOT NULL AND length(a.name) >= 2 AND strpos(${q}, a.name) > 0))
      ORDER BY greatest(CASE WHEN strpos(${q}, coalesce(a.address, '')) > 0 THEN length(a.address) ELSE 0 END,
        CASE WHEN strpos(${q}, coalesce(a.name, '')) > 0 THEN length(a.name) ELSE 0 END) DESC, a.jcode, a.id LIMIT 1`.execute(db);
    hits = rows.map((r) => ({ lon: Number(r.lon), lat: Number(r.lat) }));
  }
  if (hits.length === 0) throw new EventPlacementError(`no address point matches ${JSON.stringify(q.slice(0, 60))}${jcode ? ` in ${jcode}` : ''}: send a position (lat/long) instead`, 'address_string');
  const [found] = await placePoints(db, [[hits[0].lon, hits[0].lat]], jcode);
  if (!found || !('gridCode' in found)) throw outside(hits[0].lon, hits[0].lat, Boolean(found?.inJurisdiction), jcode);
  return found;
}
