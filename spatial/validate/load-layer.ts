/**
 * Load a grid layer and its jurisdiction into temporary tables of the caller's transaction (dropped at
 * commit), projected to the jurisdiction's UTM zone, for the set-based checks of validate and repair:
 *
 *   wv_grid (idx, code, claimed, community, reason, note, g4, why, loc, g)  one row per feature; g is the valid
 *            polygonal part in metres (NULL where nothing polygonal is left), why/loc the invalidity reason/place
 *   wv_bnd  (g, g4, outline)            the jurisdiction
 *   wv_oseg (s)                         the jurisdiction outline as segments (GiST)
 *   wv_com  (code, g)                   communities
 *   wv_unit (code, name, dedicated, g)  units
 *   wv_pts  (id, hh, inb, g)            address points, inb = inside the jurisdiction
 *
 * Geometry is checked here before it reaches the engine: a feature whose geometry cannot be built at all
 * (not a polygon, a ring of fewer than 4 positions, coordinates that are not lon/lat) keeps g4 NULL and a
 * `note`; an unclosed ring is closed and noted. Row counts are checked after every geometry step, because
 * the embedded engine can swallow a GEOS exception (POSTGIS-NOTES.md).
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { utmSrid } from '../geo/utm.ts';
import { bulkInsert } from '../../data/db/bulk-insert.ts';
import type { GeoJsonGeometry, GridLayer } from './types.ts';

export interface LoadedLayer {
  srid: number;
  /** feature count */
  grids: number;
  /** code per feature index (a missing code becomes "#<index>") */
  codes: string[];
  missingCode: number[];
  communities: number;
}

interface CleanGeometry {
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] } | null;
  note: string | null;
}

/** Check a feature's geometry structurally; close open rings; never throws. */
export function cleanGeometry(g: GeoJsonGeometry | null | undefined): CleanGeometry {
  if (!g || typeof g !== 'object') return { geometry: null, note: 'no geometry' };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return { geometry: null, note: `not a polygon: ${String(g.type)}` };
  const polys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown;
  if (!Array.isArray(polys)) return { geometry: null, note: 'coordinates are not an array' };
  const notes: string[] = [];
  const out: number[][][][] = [];
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) { notes.push('empty polygon dropped'); continue; }
    const rings: number[][][] = [];
    for (let r = 0; r < poly.length; r++) {
      const ring = poly[r];
      if (!Array.isArray(ring)) return { geometry: null, note: 'a ring is not an array of positions' };
      const pts: number[][] = [];
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return { geometry: null, note: 'a position is not a pair of numbers' };
        if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return { geometry: null, note: `position [${p[0]}, ${p[1]}] is not lon/lat (WGS-84 expected)` };
        pts.push([p[0], p[1]]);
      }
      if (pts.length > 0 && (pts[0][0] !== pts[pts.length - 1][0] || pts[0][1] !== pts[pts.length - 1][1])) {
        pts.push([pts[0][0], pts[0][1]]);
        notes.push('ring not closed (closed here)');
      }
      if (pts.length < 4) {
        if (r === 0) { notes.push('shell with fewer than 4 positions dropped'); break; }
        notes.push('hole with fewer than 4 positions dropped');
        continue;
      }
      rings.push(pts);
    }
    if (rings.length > 0) out.push(rings);
  }
  if (out.length === 0) return { geometry: null, note: notes.join('; ') || 'no polygon' };
  return { geometry: { type: 'MultiPolygon', coordinates: out }, note: notes.length ? notes.join('; ') : null };
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function count(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

const one = <T>(rows: T[], what: string): T => {
  if (rows.length !== 1) throw new WanggeError('engine', `${what}: expected one row, got ${rows.length} (a swallowed GEOS failure?)`);
  return rows[0];
};

/**
 * Load `layer` and jurisdiction `jcode` into the wv_* temporary tables (see the file comment). Must run
 * inside a transaction. Throws not_found when the jurisdiction is not stored, bad_request when `layer` is not
 * a FeatureCollection.
 *
 * @example
 * await inTransaction(db, async (trx) => { const l = await loadLayer(trx, fc, '110108990000'); … });
 */
export async function loadLayer(db: Kysely<any>, layer: GridLayer, jcode: string): Promise<LoadedLayer> {
  if (!layer || layer.type !== 'FeatureCollection' || !Array.isArray(layer.features)) {
    throw new WanggeError('bad_request', 'the grid layer must be a GeoJSON FeatureCollection', { parameter: 'layer' });
  }
  const j = await db.selectFrom('jurisdictions')
    .select([sql<number>`ST_X(ST_Centroid(geom))`.as('lon'), sql<number>`ST_Y(ST_Centroid(geom))`.as('lat')])
    .where('jcode', '=', jcode).where('code', '=', jcode).executeTakeFirst();
  if (!j) throw new WanggeError('not_found', `no jurisdiction ${jcode} is stored`, { parameter: 'jcode' });
  const srid = utmSrid(j.lon, j.lat);
  const x = (q: ReturnType<typeof sql>) => q.execute(db);
  // many short statements with costly geometry functions: JIT compilation (server engine) costs more than it saves
  await x(sql`SET LOCAL jit = off`);

  await x(sql`DROP TABLE IF EXISTS wv_raw, wv_grid, wv_bnd, wv_oseg, wv_com, wv_unit, wv_pts`);
  await x(sql`CREATE TEMP TABLE wv_raw (idx integer, code text, claimed integer, community text, reason text, note text, g4 geometry) ON COMMIT DROP`);
  const codes: string[] = [];
  const missingCode: number[] = [];
  const rows = layer.features.map((f, idx) => {
    const p = (f && typeof f === 'object' && f.properties && typeof f.properties === 'object') ? f.properties : {};
    let code = text(p.code);
    if (code === null) { missingCode.push(idx); code = `#${idx}`; }
    codes.push(code);
    const c = cleanGeometry(f && typeof f === 'object' ? f.geometry : null);
    return { idx, code, claimed: count(p.households), community: text(p.community), reason: text(p.reason), note: c.note, g4: c.geometry };
  });
  await bulkInsert(db, 'wv_raw', [
    { name: 'idx', kind: 'integer' }, { name: 'code', kind: 'text' }, { name: 'claimed', kind: 'integer' }, { name: 'community', kind: 'text' },
    { name: 'reason', kind: 'text' }, { name: 'note', kind: 'text' }, { name: 'g4', kind: 'geometry' },
  ], rows);

  await x(sql`CREATE TEMP TABLE wv_grid ON COMMIT DROP AS
    SELECT r.idx, r.code, r.claimed, r.community, r.reason, r.note, r.g4, v.why,
      CASE WHEN v.why IS NOT NULL THEN ST_Transform(ST_SetSRID(v.loc, 4326), ${srid}::int) END AS loc,
      CASE WHEN r.g4 IS NULL THEN NULL
           WHEN v.why IS NULL THEN ST_Multi(ST_Transform(r.g4, ${srid}::int))
           ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(r.g4, ${srid}::int)), 3)) END AS g
    FROM wv_raw r
    LEFT JOIN LATERAL (SELECT CASE WHEN ST_IsValid(r.g4) THEN NULL ELSE (ST_IsValidDetail(r.g4)).reason END AS why,
                              (ST_IsValidDetail(r.g4)).location AS loc) v ON r.g4 IS NOT NULL`);
  await x(sql`UPDATE wv_grid SET g = NULL WHERE g IS NOT NULL AND ST_IsEmpty(g)`);
  const loaded = one((await sql<{ n: number; made: number; built: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE g4 IS NOT NULL)::int AS built,
      count(*) FILTER (WHERE g4 IS NOT NULL AND (why IS NULL OR g IS NOT NULL OR ST_Area(g4) = 0))::int AS made FROM wv_grid`.execute(db)).rows, 'grids');
  if (loaded.n !== layer.features.length) throw new WanggeError('engine', `loaded ${loaded.n} of ${layer.features.length} grids (a swallowed GEOS failure?)`);
  if (loaded.made !== loaded.built) throw new WanggeError('engine', `making ${loaded.built - loaded.made} invalid grid geometries valid failed`);
  await x(sql`CREATE INDEX ON wv_grid USING gist (g)`);
  await x(sql`ANALYZE wv_grid`);

  await x(sql`CREATE TEMP TABLE wv_bnd ON COMMIT DROP AS
    SELECT ST_Transform(geom, ${srid}::int) AS g, geom AS g4, ST_Boundary(ST_Transform(geom, ${srid}::int)) AS outline
    FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}`);
  one((await sql<{ n: number }>`SELECT 1 AS n FROM wv_bnd`.execute(db)).rows, 'jurisdiction');
  await x(sql`CREATE TEMP TABLE wv_oseg ON COMMIT DROP AS SELECT (ST_DumpSegments(outline)).geom AS s FROM wv_bnd`);
  await x(sql`CREATE INDEX ON wv_oseg USING gist (s)`);
  await x(sql`CREATE TEMP TABLE wv_com ON COMMIT DROP AS
    SELECT code, ST_Transform(geom, ${srid}::int) AS g FROM jurisdictions WHERE jcode = ${jcode} AND level = 'community'`);
  await x(sql`CREATE INDEX ON wv_com USING gist (g)`);
  await x(sql`CREATE TEMP TABLE wv_unit ON COMMIT DROP AS
    SELECT code, name, dedicated, ST_Transform(geom, ${srid}::int) AS g FROM units WHERE jcode = ${jcode}`);
  await x(sql`CREATE TEMP TABLE wv_pts ON COMMIT DROP AS
    SELECT p.id, p.households AS hh, ST_Intersects(b.g4, p.geom) AS inb, ST_Transform(p.geom, ${srid}::int) AS g
    FROM address_points p, wv_bnd b WHERE p.jcode = ${jcode}`);
  await x(sql`CREATE INDEX ON wv_pts USING gist (g)`);
  await x(sql`ANALYZE wv_pts`);
  const communities = one((await sql<{ n: number }>`SELECT count(*)::int AS n FROM wv_com`.execute(db)).rows, 'communities').n;
  return { srid, grids: layer.features.length, codes, missingCode, communities };
}
