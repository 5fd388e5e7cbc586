/**
 * Street blocks and their graph, built in PostGIS inside the caller's transaction (temporary tables
 * wg_*, dropped at commit). Everything is measured in the jurisdiction's UTM zone.
 *
 * 1. Lines: streets of every kind clipped to the jurisdiction (line parts only), the jurisdiction outline and
 *    the community outlines; a dangling end within `snapM` of another line is joined to it by a connector.
 * 2. Noded with a precision grid (ST_UnaryUnion(…, gridSize)), polygonized into faces; faces whose interior
 *    point lies outside the jurisdiction (holes) are dropped; the faces must tile the jurisdiction.
 * 3. Address points go to the face containing them (lowest id on a shared edge, nearest face otherwise);
 *    points outside the jurisdiction are counted and left out.
 * 4. A face holding more than `max` households at two or more locations is split into the Voronoi cells of its
 *    address points, clipped to it: the only boundaries allowed off the streets, flagged `split`.
 * 5. Atoms (faces and cells) with their households, area, perimeter, centroid and community; adjacency is a
 *    shared boundary of positive length (corner touches are not adjacency); unit overlaps.
 *
 * The embedded engine can swallow a GEOS exception and return no row (POSTGIS-NOTES.md): every geometry step
 * is checked for its row count or area, and a failure throws WanggeError('engine').
 */
import { sql, type Kysely } from 'kysely';
import { stepTimer } from './profile.ts';
import { WanggeError } from '../errors.ts';

export interface AtomRow {
  id: number;
  /** the street face this atom belongs to (its own id for unsplit faces) */
  face: number;
  split: boolean;
  community: string;
  households: number;
  points: number;
  /** households of the largest address point in the atom */
  maxPoint: number;
  /** distinct address locations (points closer than 1 cm count once) */
  locations: number;
  area: number;
  perimeter: number;
  cx: number;
  cy: number;
}

export interface EdgeRow {
  a: number;
  b: number;
  /** shared boundary length, metres (any positive length; adjacency of blocks needs ADJACENT_M) */
  length: number;
}

/** Two blocks are adjacent (a grid may hold both) when they share a border longer than this (m). */
export const ADJACENT_M = 0.5;

export interface UnitOverlap {
  atom: number;
  unit: string;
  dedicated: boolean;
  /** overlap area / unit area */
  unitShare: number;
  /** overlap area / atom area */
  atomShare: number;
}

export interface AtomGraph {
  srid: number;
  atoms: AtomRow[];
  edges: EdgeRow[];
  units: UnitOverlap[];
  communities: Array<{ code: string; name: string; minx: number; maxy: number }>;
  /** households of the address points inside each unit's own outline (in the jurisdiction) */
  unitHouseholds: Map<string, number>;
  /** boundary area, m² */
  area: number;
  outside: { points: number; households: number };
  stats: { lines: number; connectors: number; faces: number; splitFaces: number; cells: number };
}

export interface BuildAtomsOptions {
  jcode: string;
  srid: number;
  max: number;
  /** dangling line ends this close to another line are joined to it (m) */
  snapM?: number;
  /** precision grid of the noding (m) */
  gridSize?: number;
}

/** A Voronoi cell of an oversized block aims at this share of max households (30 for 400–600). */
const CELL_SHARE = 0.05;

const one = <T>(rows: T[], what: string): T => {
  if (rows.length !== 1) throw new WanggeError('engine', `${what}: expected one row, got ${rows.length} (a swallowed GEOS failure?)`);
  return rows[0];
};

export async function buildAtoms(db: Kysely<any>, opts: BuildAtomsOptions): Promise<AtomGraph> {
  const { jcode, srid, max } = opts;
  const snapM = opts.snapM ?? 2;
  const gridSize = opts.gridSize ?? 0.01;
  const mark = stepTimer('build-atoms');
  const x = async (q: ReturnType<typeof sql>) => { const r = await q.execute(db); mark(q.compile(db).sql.replace(/\s+/g, ' ').slice(0, 60)); return r; };

  await x(sql`DROP TABLE IF EXISTS wg_bnd, wg_com, wg_lines, wg_noded, wg_faces, wg_pts, wg_pf, wg_cells, wg_atoms, wg_pa`);
  await x(sql`CREATE TEMP TABLE wg_bnd ON COMMIT DROP AS
    SELECT ST_Transform(geom, ${srid}::int) AS g, geom AS g4 FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}`);
  const bnd = one((await sql<{ area: number; n: number }>`SELECT ST_Area(g) AS area, 1 AS n FROM wg_bnd`.execute(db)).rows, 'jurisdiction');
  if (!(bnd.area > 0)) throw new WanggeError('bad_feature', 'the jurisdiction boundary has no area', { file: 'boundary.geojson' });

  await x(sql`CREATE TEMP TABLE wg_com ON COMMIT DROP AS
    SELECT code, name, ST_Transform(geom, ${srid}::int) AS g FROM jurisdictions WHERE jcode = ${jcode} AND level = 'community'`);
  await x(sql`CREATE INDEX ON wg_com USING gist (g)`);
  await x(sql`ANALYZE wg_com`);
  const communities = (await sql<{ code: string; name: string; minx: number; maxy: number }>`
    SELECT code, name, ST_XMin(g) AS minx, ST_YMax(g) AS maxy FROM wg_com ORDER BY code`.execute(db)).rows;

  // 1. lines
  await x(sql`CREATE TEMP TABLE wg_lines ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY src, sid, path) AS id, g FROM (
      SELECT src, sid, (d).path AS path, (d).geom AS g FROM (
        SELECT 1 AS src, s.id AS sid, ST_Dump(ST_CollectionExtract(ST_Intersection(ST_Transform(s.geom, ${srid}::int), b.g), 2)) AS d
          FROM streets s, wg_bnd b WHERE s.jcode = ${jcode} AND s.geom && b.g4
        UNION ALL SELECT 2, 0, ST_Dump(ST_Boundary(g)) FROM wg_bnd
        UNION ALL SELECT 3, 0, ST_Dump(ST_CollectionExtract(ST_Intersection(ST_Boundary(c.g), b.g), 2)) FROM wg_com c, wg_bnd b
      ) s0) s1 WHERE NOT ST_IsEmpty(g) AND ST_Length(g) > 0`);
  await x(sql`CREATE INDEX ON wg_lines USING gist (g)`);
  await x(sql`ANALYZE wg_lines`);

  // dangling ends that nearly meet another line: add the connector from the end to that line
  const { rows: conn } = await sql<{ n: number }>`
    WITH ends AS (
      SELECT id, ST_StartPoint(g) AS p FROM wg_lines WHERE NOT ST_IsClosed(g)
      UNION ALL SELECT id, ST_EndPoint(g) FROM wg_lines WHERE NOT ST_IsClosed(g)),
    dangling AS (
      SELECT e.id, e.p FROM ends e
      WHERE NOT EXISTS (SELECT 1 FROM wg_lines l WHERE l.id <> e.id AND ST_DWithin(l.g, e.p, ${gridSize * 2}::float8))
        AND NOT EXISTS (SELECT 1 FROM ends e2 WHERE e2.id = e.id AND e2.p IS DISTINCT FROM e.p AND ST_DWithin(e2.p, e.p, ${gridSize * 2}::float8))),
    ins AS (
      INSERT INTO wg_lines (id, g)
      SELECT 1000000000 + row_number() OVER (ORDER BY d.id, ST_X(d.p), ST_Y(d.p)), ST_ShortestLine(d.p, n.g)
      FROM dangling d CROSS JOIN LATERAL (
        SELECT l.g FROM wg_lines l WHERE l.id <> d.id AND ST_DWithin(l.g, d.p, ${snapM}::float8) ORDER BY l.g <-> d.p, l.id LIMIT 1) n
      WHERE ST_Distance(d.p, n.g) > 0
      RETURNING 1)
    SELECT count(*)::int AS n FROM ins`.execute(db);
  const lineCount = one((await sql<{ n: number }>`SELECT count(*)::int AS n FROM wg_lines`.execute(db)).rows, 'lines').n;

  // 2. node and polygonize
  await x(sql`CREATE TEMP TABLE wg_noded ON COMMIT DROP AS
    SELECT ST_UnaryUnion(ST_Collect(g ORDER BY id), ${gridSize}::float8) AS g FROM wg_lines`);
  const noded = one((await sql<{ ok: boolean }>`SELECT (g IS NOT NULL AND NOT ST_IsEmpty(g)) AS ok FROM wg_noded`.execute(db)).rows, 'noding');
  if (!noded.ok) throw new WanggeError('engine', 'noding the street lines returned nothing (a swallowed GEOS failure?)');
  await x(sql`CREATE TEMP TABLE wg_faces ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY round(ST_X(c)::numeric, 2), round(ST_Y(c)::numeric, 2), ST_Area(f2.g))::int AS id, f2.g
    FROM (SELECT f.g, ST_PointOnSurface(f.g) AS c FROM (SELECT (ST_Dump(ST_Polygonize(g))).geom AS g FROM wg_noded) f) f2, wg_bnd b
    WHERE ST_Intersects(b.g, f2.c)`);
  await x(sql`CREATE INDEX ON wg_faces USING gist (g)`);
  await x(sql`ANALYZE wg_faces`);
  const faceStats = one((await sql<{ n: number; area: number }>`SELECT count(*)::int AS n, COALESCE(sum(ST_Area(g)), 0) AS area FROM wg_faces`.execute(db)).rows, 'faces');
  if (faceStats.n === 0 || Math.abs(faceStats.area - bnd.area) > Math.max(1, bnd.area * 1e-6)) {
    throw new WanggeError('engine', `street blocks cover ${faceStats.area.toFixed(1)} m² of a ${bnd.area.toFixed(1)} m² jurisdiction (${faceStats.n} blocks): polygonizing failed`);
  }

  // 3. address points to faces
  await x(sql`CREATE TEMP TABLE wg_pts ON COMMIT DROP AS
    SELECT id, households AS hh, ST_Transform(geom, ${srid}::int) AS g FROM address_points WHERE jcode = ${jcode}`);
  await x(sql`CREATE INDEX ON wg_pts USING gist (g)`);
  await x(sql`ANALYZE wg_pts`);
  // each face probes the points under it (faces outer, so the face's prepared geometry is reused for all of its
  // points); a point on a shared edge goes to the lowest face id
  await x(sql`CREATE TEMP TABLE wg_pf ON COMMIT DROP AS
    SELECT p.id AS pid, p.hh, p.g, ST_Intersects(b.g, p.g) AS inb, m.fid
    FROM wg_pts p CROSS JOIN wg_bnd b
    LEFT JOIN (SELECT DISTINCT ON (q.id) q.id, f.id AS fid FROM wg_faces f JOIN wg_pts q ON f.g && q.g AND ST_Intersects(f.g, q.g)
               ORDER BY q.id, f.id) m ON m.id = p.id`);
  await x(sql`UPDATE wg_pf SET fid = (SELECT f.id FROM wg_faces f ORDER BY f.g <-> wg_pf.g, f.id LIMIT 1) WHERE fid IS NULL AND inb`);
  const outside = one((await sql<{ points: number; households: number }>`
    SELECT count(*)::int AS points, COALESCE(sum(hh), 0)::int AS households FROM wg_pf WHERE NOT inb`.execute(db)).rows, 'outside');

  // 4. oversized faces with several locations → Voronoi cells around their address points, clustered (k-means)
  // into sites of about CELL_SHARE of max households: fine enough for grids of whole cells, and a village field
  // of thousands of houses makes hundreds of cells, not thousands
  const cellHh = Math.max(1, Math.floor(max * CELL_SHARE));
  await x(sql`CREATE INDEX ON wg_pf (fid)`);
  await x(sql`CREATE TEMP TABLE wg_cells ON COMMIT DROP AS
    WITH big AS (
      SELECT fid, sum(hh) AS hh, count(*) AS n FROM wg_pf WHERE inb GROUP BY fid
      HAVING sum(hh) > ${max}::int AND count(DISTINCT (round(ST_X(g)::numeric, 2), round(ST_Y(g)::numeric, 2))) > 1),
    cl AS (
      SELECT pf.fid, pf.pid, pf.g, ST_ClusterKMeans(pf.g, LEAST(big.n, GREATEST(2, ceil(big.hh::float8 / ${cellHh}::int)))::int) OVER (PARTITION BY pf.fid) AS cid
      FROM wg_pf pf JOIN big ON big.fid = pf.fid WHERE pf.inb),
    sites AS (SELECT fid, cid, ST_Centroid(ST_Collect(g ORDER BY pid)) AS g FROM cl GROUP BY fid, cid)
    SELECT f.id AS fid, (ST_Dump(ST_CollectionExtract(ST_Intersection(v.g, f.g, ${gridSize}::float8), 3))).geom AS g
    FROM wg_faces f JOIN big ON big.fid = f.id
    CROSS JOIN LATERAL (
      SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(s.g ORDER BY s.cid), 0, ST_Expand(f.g, 50)))).geom AS g
      FROM sites s WHERE s.fid = f.id) v`);
  await x(sql`CREATE INDEX ON wg_cells (fid)`);
  const split = one((await sql<{ faces: number; cells: number; bad: number }>`
    WITH c AS (SELECT fid, sum(ST_Area(g)) AS a, count(*) AS n FROM wg_cells GROUP BY fid)
    SELECT count(*)::int AS faces, COALESCE(sum(n), 0)::int AS cells,
      count(*) FILTER (WHERE abs(c.a - ST_Area(f.g)) > GREATEST(0.5, ST_Area(f.g) * 1e-6))::int AS bad
    FROM c JOIN wg_faces f ON f.id = c.fid`.execute(db)).rows, 'split');
  if (split.bad > 0) throw new WanggeError('engine', `splitting ${split.bad} oversized blocks into Voronoi cells lost area`);

  // 5. atoms: unsplit faces, then cells
  await x(sql`CREATE TEMP TABLE wg_atoms ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY face, ord)::int AS id, face, split, g FROM (
      SELECT f.id AS face, 0::bigint AS ord, false AS split, f.g FROM wg_faces f WHERE NOT EXISTS (SELECT 1 FROM wg_cells c WHERE c.fid = f.id)
      UNION ALL
      SELECT c.fid, row_number() OVER (PARTITION BY c.fid ORDER BY round(ST_X(ST_PointOnSurface(c.g))::numeric, 2), round(ST_Y(ST_PointOnSurface(c.g))::numeric, 2)), true, c.g FROM wg_cells c
    ) a`);
  await x(sql`CREATE INDEX ON wg_atoms USING gist (g)`);
  await x(sql`ANALYZE wg_atoms`);
  await x(sql`CREATE INDEX ON wg_atoms (face)`);
  // households to atoms: unsplit faces keep their points; cells take the points inside them (nearest if on none)
  await x(sql`CREATE TEMP TABLE wg_pa ON COMMIT DROP AS
    SELECT pf.pid, pf.hh, COALESCE(u.id, c.id) AS aid
    FROM wg_pf pf
    LEFT JOIN wg_atoms u ON u.face = pf.fid AND NOT u.split
    LEFT JOIN LATERAL (
      SELECT a.id FROM wg_atoms a WHERE u.id IS NULL AND a.face = pf.fid AND a.split AND a.g && pf.g AND ST_Intersects(a.g, pf.g) ORDER BY a.id LIMIT 1) c ON true
    WHERE pf.inb`);
  await x(sql`UPDATE wg_pa SET aid = (
      SELECT a.id FROM wg_atoms a JOIN wg_pf pf ON pf.pid = wg_pa.pid WHERE a.face = pf.fid ORDER BY a.g <-> pf.g, a.id LIMIT 1)
    WHERE aid IS NULL`);
  const lost = one((await sql<{ n: number }>`SELECT count(*)::int AS n FROM wg_pa WHERE aid IS NULL`.execute(db)).rows, 'households');
  if (lost.n > 0) throw new WanggeError('engine', `${lost.n} address points found no block`);

  mark('before atoms');
  const atoms = (await sql<AtomRow>`
    SELECT a.id, a.face, a.split,
      COALESCE((SELECT c.code FROM wg_com c WHERE c.g && ST_PointOnSurface(a.g) AND ST_Intersects(c.g, ST_PointOnSurface(a.g)) ORDER BY c.code LIMIT 1),
               (SELECT c.code FROM wg_com c WHERE c.g && a.g ORDER BY ST_Area(ST_Intersection(c.g, a.g)) DESC, c.code LIMIT 1),
               (SELECT c.code FROM wg_com c ORDER BY c.g <-> a.g, c.code LIMIT 1),
               ${jcode}::text) AS community,
      COALESCE(h.hh, 0)::int AS households, COALESCE(h.n, 0)::int AS points, COALESCE(h.mx, 0)::int AS "maxPoint", COALESCE(h.loc, 0)::int AS locations,
      ST_Area(a.g) AS area, ST_Perimeter(a.g) AS perimeter, ST_X(ST_Centroid(a.g)) AS cx, ST_Y(ST_Centroid(a.g)) AS cy
    FROM wg_atoms a LEFT JOIN (SELECT pa.aid, sum(pa.hh) AS hh, count(*) AS n, max(pa.hh) AS mx,
        count(DISTINCT (round(ST_X(p.g)::numeric, 2), round(ST_Y(p.g)::numeric, 2))) AS loc
      FROM wg_pa pa JOIN wg_pts p ON p.id = pa.pid GROUP BY pa.aid) h ON h.aid = a.id
    ORDER BY a.id`.execute(db)).rows;

  mark('atoms');
  // Blocks polygonized from one noded network share their edges vertex for vertex, so two blocks' common border
  // is the sum of their identical segments (a hash join, no overlay). Voronoi cells of split blocks meet their
  // neighbours at new vertices, so pairs with a cell take the overlay of the two polygons.
  const edges = (await sql<EdgeRow>`
    WITH seg AS (
      SELECT a.id, (ST_DumpSegments(a.g)).geom AS s FROM wg_atoms a WHERE NOT a.split),
    ends AS (
      SELECT id, ST_Length(s) AS len, ST_X(ST_StartPoint(s)) AS x1, ST_Y(ST_StartPoint(s)) AS y1, ST_X(ST_EndPoint(s)) AS x2, ST_Y(ST_EndPoint(s)) AS y2 FROM seg),
    k AS (
      SELECT id, len,
        CASE WHEN (x1, y1) <= (x2, y2) THEN x1 ELSE x2 END AS ax, CASE WHEN (x1, y1) <= (x2, y2) THEN y1 ELSE y2 END AS ay,
        CASE WHEN (x1, y1) <= (x2, y2) THEN x2 ELSE x1 END AS bx, CASE WHEN (x1, y1) <= (x2, y2) THEN y2 ELSE y1 END AS by
      FROM ends WHERE len > 0)
    SELECT k1.id AS a, k2.id AS b, sum(k1.len) AS length
      FROM k k1 JOIN k k2 ON k1.ax = k2.ax AND k1.ay = k2.ay AND k1.bx = k2.bx AND k1.by = k2.by AND k1.id < k2.id
      GROUP BY 1, 2
    UNION ALL
    SELECT a.id, b.id, ST_Length(ST_CollectionExtract(ST_Intersection(a.g, b.g), 2))
      FROM wg_atoms a JOIN wg_atoms b ON a.id < b.id AND (a.split OR b.split) AND a.g && b.g AND ST_Intersects(a.g, b.g)
    ORDER BY 1, 2`.execute(db)).rows.filter((e) => e.length > 0);

  mark('edges');
  const units = (await sql<UnitOverlap>`
    WITH u AS (SELECT code, dedicated, ST_Transform(geom, ${srid}::int) AS g FROM units WHERE jcode = ${jcode})
    SELECT a.id AS atom, u.code AS unit, u.dedicated, ST_Area(i.g) / NULLIF(ST_Area(u.g), 0) AS "unitShare", ST_Area(i.g) / NULLIF(ST_Area(a.g), 0) AS "atomShare"
    FROM u JOIN wg_atoms a ON a.g && u.g AND ST_Intersects(a.g, u.g)
    CROSS JOIN LATERAL (SELECT ST_Intersection(a.g, u.g, ${gridSize}::float8) AS g) i
    ORDER BY 1, 2`.execute(db)).rows;

  mark('units');
  const unitHh = (await sql<{ code: string; hh: number }>`
    WITH u AS (SELECT code, ST_Transform(geom, ${srid}::int) AS g FROM units WHERE jcode = ${jcode})
    SELECT u.code, COALESCE(sum(p.hh), 0)::int AS hh
    FROM u LEFT JOIN wg_pts p ON p.g && u.g AND ST_Intersects(u.g, p.g)
    GROUP BY u.code ORDER BY u.code`.execute(db)).rows;
  return {
    unitHouseholds: new Map(unitHh.map((r) => [r.code, r.hh])),
    srid,
    atoms,
    edges,
    units,
    communities,
    area: bnd.area,
    outside,
    stats: { lines: lineCount, connectors: conn[0]?.n ?? 0, faces: faceStats.n, splitFaces: split.faces, cells: split.cells },
  };
}
