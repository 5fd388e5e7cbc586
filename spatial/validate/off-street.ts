/**
 * Internal grid boundaries that do not follow the streets (街巷定界), measured like the independent scorer:
 * a boundary stretch is on the streets when it lies within `streetTolM` of a street line; stretches along a
 * community outline or the jurisdiction outline are excused, and so are stretches inside a street block that
 * alone holds more than `max` households (such a block has to be split between buildings).
 *
 * Set-based, in three steps over wv_seg (coverage-edges.ts):
 * 1. a boundary segment is on the streets when both its ends lie within the tolerance of one and the same
 *    straight reference segment (distance to a segment is convex, so the whole segment does);
 * 2. the other segments are cut into pieces of at most `streetTolM`; a piece whose ends and middle all lie
 *    within the tolerance of the reference lines is on the streets; the failing pieces are merged into
 *    stretches per pair of grids;
 * 3. street blocks are polygonized only around those stretches (tiles of 400 m with a 200 m margin, then
 *    1 km with a 500 m margin for stretches whose block reached the window edge; a block cut by the window
 *    edge is never trusted, so its stretches stay reported), and the length inside blocks above `max`
 *    households is excused.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';

export interface OffStreetStretch {
  /** feature indexes of the grids on either side (b = null where no grid matches the edge exactly) */
  a: number;
  b: number | null;
  lengthM: number;
  excusedM: number;
  /** GeoJSON, WGS-84 */
  geojson: string;
}

export interface OffStreetResult {
  internalM: number;
  /** seconds by step */
  timings: Record<string, number>;
  stretches: OffStreetStretch[];
}

const TILE_M = 1000;
const PAD_M = 500;

/**
 * Measure the off-street internal boundary of the loaded layer. Needs wv_seg, wv_grid, wv_bnd, wv_com and
 * wv_pts (load-layer.ts, coverage-edges.ts) in the current transaction; builds wv_ref*, wv_off*, wv_face.
 *
 * @example const { stretches } = await offStreetStretches(trx, jcode, { streetTolM: 3, minOffStreetM: 2, max: 600 });
 */
export async function offStreetStretches(db: Kysely<any>, jcode: string, opts: { streetTolM: number; minOffStreetM: number; max: number; srid: number }): Promise<OffStreetResult> {
  const x = (q: ReturnType<typeof sql>) => q.execute(db);
  const tol = opts.streetTolM;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (k: string) => { const now = performance.now(); timings[k] = +((now - t) / 1000).toFixed(3); t = now; };
  await x(sql`DROP TABLE IF EXISTS wv_refline, wv_refseg, wv_cand, wv_piece, wv_offline, wv_tile, wv_face`);
  // reference lines: streets, community outlines, the jurisdiction outline
  await x(sql`CREATE TEMP TABLE wv_refline ON COMMIT DROP AS
    SELECT 'street' AS kind, (ST_Dump(ST_Transform(s.geom, ${opts.srid}::int))).geom AS g FROM streets s, wv_bnd b
      WHERE s.jcode = ${jcode} AND s.geom && ST_Expand(b.g4, 0.001)
    UNION ALL SELECT 'community', (ST_Dump(ST_Boundary(g))).geom FROM wv_com
    UNION ALL SELECT 'outline', (ST_Dump(outline)).geom FROM wv_bnd`);
  await x(sql`CREATE INDEX ON wv_refline USING gist (g)`);
  await x(sql`CREATE TEMP TABLE wv_refseg ON COMMIT DROP AS SELECT kind, (ST_DumpSegments(g)).geom AS s FROM wv_refline`);
  await x(sql`CREATE INDEX ON wv_refseg USING gist (s)`);
  await x(sql`ANALYZE wv_refline`);
  await x(sql`ANALYZE wv_refseg`);
  lap('reference');

  // internal boundary segments: shared ones once (with both grids), unmatched ones off the outline
  await x(sql`CREATE TEMP TABLE wv_cand ON COMMIT DROP AS
    SELECT a, b, s FROM (
      SELECT idx AS a, s, n, on_outline, row_number() OVER w AS rn,
        nth_value(idx, 2) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS b
      FROM wv_seg WINDOW w AS (PARTITION BY x1, y1, x2, y2 ORDER BY idx)) k
    WHERE (n >= 2 AND rn = 1) OR (n = 1 AND NOT on_outline)`);
  lap('candidates');
  const internal = (await sql<{ m: number }>`SELECT COALESCE(sum(ST_Length(s)), 0)::float8 AS m FROM wv_cand`.execute(db)).rows[0];
  await x(sql`DELETE FROM wv_cand c WHERE EXISTS (
    SELECT 1 FROM wv_refseg r WHERE ST_DWithin(r.s, ST_StartPoint(c.s), ${tol}::float8) AND ST_DWithin(r.s, ST_EndPoint(c.s), ${tol}::float8))`);
  lap('coarse');
  await x(sql`CREATE TEMP TABLE wv_piece ON COMMIT DROP AS
    SELECT a, b, (ST_DumpSegments(ST_Segmentize(s, ${Math.max(0.5, tol)}::float8))).geom AS s FROM wv_cand`);
  await x(sql`DELETE FROM wv_piece p WHERE
    EXISTS (SELECT 1 FROM wv_refseg r WHERE r.s && ST_Expand(ST_StartPoint(p.s), ${tol}::float8) AND ST_DWithin(r.s, ST_StartPoint(p.s), ${tol}::float8))
    AND EXISTS (SELECT 1 FROM wv_refseg r WHERE r.s && ST_Expand(ST_EndPoint(p.s), ${tol}::float8) AND ST_DWithin(r.s, ST_EndPoint(p.s), ${tol}::float8))
    AND EXISTS (SELECT 1 FROM wv_refseg r WHERE r.s && ST_Expand(ST_LineInterpolatePoint(p.s, 0.5), ${tol}::float8)
      AND ST_DWithin(r.s, ST_LineInterpolatePoint(p.s, 0.5), ${tol}::float8))`);
  await x(sql`CREATE TEMP TABLE wv_offline ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY a, b, ST_XMin(s), ST_YMin(s))::int AS id, a, b, s, ST_LineInterpolatePoint(s, 0.5) AS m, 0::float8 AS excused, false AS resolved
    FROM (SELECT a, b, (ST_Dump(ST_LineMerge(ST_Collect(s ORDER BY ST_XMin(s), ST_YMin(s))))).geom AS s FROM wv_piece GROUP BY a, b) z
    WHERE ST_Length(s) >= ${opts.minOffStreetM}::float8`);
  const n = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM wv_offline`.execute(db)).rows[0].n;
  lap('fine');

  // street blocks around the stretches: small windows first; a stretch whose block reaches the window edge is
  // measured again in a large window
  const pass = async (tileM: number, padM: number, retry: boolean): Promise<void> => {
    await x(sql`DROP TABLE IF EXISTS wv_tile, wv_face`);
    await x(sql`CREATE TEMP TABLE wv_tile ON COMMIT DROP AS
      SELECT DISTINCT floor(ST_X(m) / ${tileM}::float8)::int AS tx, floor(ST_Y(m) / ${tileM}::float8)::int AS ty FROM wv_offline
      WHERE ${retry ? sql`NOT resolved` : sql`true`}`);
    await x(sql`CREATE TEMP TABLE wv_face ON COMMIT DROP AS
      SELECT t.tx, t.ty, w.w, f.f FROM wv_tile t
      CROSS JOIN LATERAL (SELECT ST_MakeEnvelope(t.tx * ${tileM}::float8 - ${padM}::float8, t.ty * ${tileM}::float8 - ${padM}::float8,
        (t.tx + 1) * ${tileM}::float8 + ${padM}::float8, (t.ty + 1) * ${tileM}::float8 + ${padM}::float8, ${opts.srid}::int) AS w) w
      CROSS JOIN LATERAL (SELECT (ST_Dump(ST_Polygonize(nd.g))).geom AS f FROM (
        SELECT ST_UnaryUnion(ST_Collect(l), 0.001) AS g FROM (
          SELECT ST_CollectionExtract(ST_Intersection(r.g, w.w), 2) AS l FROM wv_refline r WHERE r.g && w.w
          UNION ALL SELECT ST_Boundary(w.w)) z WHERE NOT ST_IsEmpty(l)) nd) f`);
    const faces = (await sql<{ tiles: number }>`SELECT count(DISTINCT (tx, ty))::int AS tiles FROM wv_face`.execute(db)).rows[0];
    const tiles = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM wv_tile`.execute(db)).rows[0];
    if (faces.tiles !== tiles.n) throw new WanggeError('engine', `polygonizing street blocks returned faces for ${faces.tiles} of ${tiles.n} tiles (a swallowed GEOS failure?)`);
    await x(sql`CREATE INDEX ON wv_face USING gist (f)`);
    // faces cut by the window edge are not trusted
    await x(sql`DELETE FROM wv_face WHERE ST_Intersects(ST_Boundary(w), f)`);
    await x(sql`WITH big AS (
        SELECT f.tx, f.ty, f.f FROM wv_face f
        WHERE (SELECT COALESCE(sum(p.hh), 0) FROM wv_pts p WHERE p.g && f.f AND ST_Intersects(f.f, p.g)) > ${opts.max}::int)
      UPDATE wv_offline o SET excused = LEAST(ST_Length(o.s), e.len) FROM (
        SELECT o2.id, sum(ST_Length(ST_Intersection(o2.s, big.f))) AS len FROM wv_offline o2
        JOIN big ON big.tx = floor(ST_X(o2.m) / ${tileM}::float8)::int AND big.ty = floor(ST_Y(o2.m) / ${tileM}::float8)::int AND big.f && o2.s
        WHERE ${retry ? sql`NOT o2.resolved` : sql`true`}
        GROUP BY o2.id) e WHERE e.id = o.id`);
    await x(sql`UPDATE wv_offline o SET resolved = true FROM (SELECT DISTINCT o.id FROM wv_offline o
        CROSS JOIN LATERAL (SELECT floor(ST_X(o.m) / ${tileM}::float8)::int AS tx, floor(ST_Y(o.m) / ${tileM}::float8)::int AS ty) o2
        JOIN wv_face f ON f.tx = o2.tx AND f.ty = o2.ty AND f.f && o.m AND ST_Intersects(f.f, o.m)) r WHERE r.id = o.id`);
  };
  if (n > 0) {
    await pass(TILE_M / 2.5, PAD_M / 2.5, false);
    await pass(TILE_M, PAD_M, true);
  }
  lap('blocks');
  const stretches = (await sql<OffStreetStretch>`
    SELECT a, b, ST_Length(s) AS "lengthM", excused AS "excusedM", ST_AsGeoJSON(ST_Transform(s, 4326), 8) AS geojson
    FROM wv_offline ORDER BY id`.execute(db)).rows;
  timings.stretches = n;
  return { internalM: internal?.m ?? 0, timings, stretches };
}
