/**
 * Persist a partition as a draft plan: the plan row, its blocks (nodes, with the grid each belongs to, so the
 * editor can move them later) and its grids (the union of their atoms), in the caller's transaction and
 * from the temporary atom table built by buildAtoms. Grid household counts are recounted from the stored
 * geometry the way an independent checker counts them (interior first; a point on a shared edge goes to the
 * first grid in code order), so a grid's claimed count always equals what its outline holds.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../errors.ts';
import { stepTimer } from './profile.ts';
import { bulkInsert, type BulkColumn } from '../../data/db/bulk-insert.ts';

export interface PersistGrid {
  code: string;
  community: string;
  reason?: string;
  reasonDetail?: string;
  /** atom ids */
  atoms: number[];
  split: boolean;
}

export interface PersistBlock {
  id: number;
  atoms: number[];
  households: number;
  community: string;
  units: string[];
  split: boolean;
  grid: string;
}

export interface PersistInput {
  jcode: string;
  srid: number;
  name: string;
  method: string;
  params: Record<string, unknown>;
  gridSize: number;
  grids: PersistGrid[];
  blocks: PersistBlock[];
}

export async function persistPlan(db: Kysely<any>, input: PersistInput): Promise<{ planId: number; households: Map<string, number> }> {
  const { jcode, gridSize } = input;
  const mark = stepTimer('persist');
  const plan = await db.insertInto('grid_plans')
    .values({ jcode, name: input.name, method: input.method, params: JSON.stringify(input.params), status: 'draft' })
    .returning('id').executeTakeFirstOrThrow();
  const planId = Number(plan.id);

  const rows: Array<Record<string, unknown>> = [];
  for (const b of input.blocks) for (const a of b.atoms) rows.push({ atom: a, block: b.id, grid: b.grid });
  await tempTable(db, 'wg_assign', [{ name: 'atom', kind: 'integer' }, { name: 'block', kind: 'integer' }, { name: 'grid', kind: 'text' }], rows);
  mark('assignment');

  // blocks
  await tempTable(db, 'wg_blockmeta', [{ name: 'id', kind: 'integer' }, { name: 'households', kind: 'integer' }, { name: 'community', kind: 'text' },
    { name: 'unit_code', kind: 'text' }, { name: 'split', kind: 'boolean' }, { name: 'grid', kind: 'text' }],
    input.blocks.map((b) => ({ id: b.id, households: b.households, community: b.community, unit_code: b.units.join(',') || null, split: b.split, grid: b.grid })));
  const blk = await sql`INSERT INTO blocks (jcode, plan_id, id, households, community_code, unit_code, grid_code, split, geom)
    SELECT ${jcode}, ${planId}::bigint, m.id, m.households, m.community, m.unit_code, m.grid, m.split,
      ST_Multi(ST_CollectionExtract(ST_Transform(u.g, 4326), 3))
    FROM wg_blockmeta m JOIN (
      SELECT s.block, ST_UnaryUnion(ST_Collect(a.g ORDER BY a.id), ${gridSize}::float8) AS g
      FROM wg_assign s JOIN wg_atoms a ON a.id = s.atom GROUP BY s.block) u ON u.block = m.id`.execute(db);
  if (Number(blk.numAffectedRows) !== input.blocks.length) {
    throw new WanggeError('engine', `stored ${blk.numAffectedRows} of ${input.blocks.length} blocks: a union of atoms failed`);
  }

  // grids: union of atoms, rounded to what GeoJSON output carries (9 decimals)
  await tempTable(db, 'wg_gridmeta', [{ name: 'code', kind: 'text' }, { name: 'community', kind: 'text' }, { name: 'reason', kind: 'text' }],
    input.grids.map((g) => ({ code: g.code, community: g.community, reason: g.reason ?? null })));
  const gr = await sql`INSERT INTO grids (jcode, plan_id, code, community_code, households, reason, geom)
    SELECT ${jcode}, ${planId}::bigint, m.code, m.community, 0, m.reason,
      ST_Multi(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_Transform(u.g, 4326), 3), 9)))
    FROM wg_gridmeta m JOIN (
      SELECT s.grid, ST_UnaryUnion(ST_Collect(a.g ORDER BY a.id), ${gridSize}::float8) AS g
      FROM wg_assign s JOIN wg_atoms a ON a.id = s.atom GROUP BY s.grid) u ON u.grid = m.code`.execute(db);
  if (Number(gr.numAffectedRows) !== input.grids.length) {
    throw new WanggeError('engine', `stored ${gr.numAffectedRows} of ${input.grids.length} grids: a union of atoms failed`);
  }
  await sql`UPDATE grids SET geom = ST_SetSRID(geom, 4326) WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND ST_SRID(geom) <> 4326`.execute(db);
  mark('blocks and grids (unions of atoms)');
  // one coverage in the output's own coordinates: the grids' outlines noded together at the 9 decimals GeoJSON
  // carries and polygonized, each face back to the grid holding its interior point. Neighbours then share
  // identical vertices and every crossing is a vertex, so an overlay of all grids (a checker's union, in any
  // projection) meets no near-coincident edges, which GEOS in WebAssembly cannot recover from. The outer edges
  // are left as noded (within a millimetre of the outline, never on its own vertices: that GEOS also fails to
  // take the difference of two rings with the same vertices starting at different ones)
  await sql`DROP TABLE IF EXISTS wg_cov`.execute(db);
  await sql`CREATE TEMP TABLE wg_cov ON COMMIT DROP AS
    SELECT row_number() OVER ()::int AS id, f, ST_PointOnSurface(f) AS p FROM (
      SELECT (ST_Dump(ST_Polygonize(n))).geom AS f FROM (
        SELECT ST_UnaryUnion(ST_Collect(l), 1e-9) AS n FROM (
          SELECT ST_Boundary(geom) AS l FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint) x) y) z`.execute(db);
  await sql`CREATE INDEX ON wg_cov USING gist (f)`.execute(db);
  mark('coverage noded');
  await sql`UPDATE grids g SET geom = c.g FROM (
      SELECT code, ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(f ORDER BY id), 1e-9), 3)) AS g FROM (
        SELECT w.id, w.f, (SELECT gr.code FROM grids gr WHERE gr.jcode = ${jcode} AND gr.plan_id = ${planId}::bigint AND gr.geom && ST_Expand(w.f, 1e-7)
            AND ST_Intersects(gr.geom, w.p) ORDER BY gr.code LIMIT 1) AS code
        FROM wg_cov w) a
      WHERE code IS NOT NULL GROUP BY code) c
    WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = c.code AND NOT ST_IsEmpty(c.g)`.execute(db);
  await sql`UPDATE grids SET geom = ST_SetSRID(geom, 4326) WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND ST_SRID(geom) <> 4326`.execute(db);
  mark('coverage faces back to grids');
  // the round trip to degrees and 9 decimals can fold a thread-thin spike along the outline into a
  // self-touching ring: make such a grid valid again (the spike has no area, so no neighbour loses any)
  await makeGridsValid(db, jcode, planId);
  mark('made valid');
  const { rows: invalid } = await sql<{ code: string; reason: string }>`
    SELECT code, ST_IsValidReason(geom) AS reason FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND NOT ST_IsValid(geom) ORDER BY code LIMIT 1`.execute(db);
  if (invalid.length) throw new WanggeError('engine', `grid outline stays invalid (${invalid[0].reason})`, { gridCode: invalid[0].code });
  // a detached crumb of under 1 m² without an address point (a noding artefact, or a spike folded off by the
  // rounding) is dropped from a grid of several parts: it leaves a gap no checker counts, and no household
  await sql`UPDATE grids g SET geom = k.g FROM (
      SELECT code, ST_Multi(ST_Collect(p ORDER BY path)) AS g FROM (
        SELECT g.code, d.path, d.geom AS p, ST_Area(d.geom::geography) AS a, max(ST_Area(d.geom::geography)) OVER (PARTITION BY g.code) AS amax
        FROM grids g, ST_Dump(g.geom) d WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND ST_NumGeometries(g.geom) > 1) x
      WHERE a >= 1 OR a = amax OR EXISTS (SELECT 1 FROM address_points ap WHERE ap.jcode = ${jcode} AND ap.geom && x.p AND ST_Intersects(x.p, ap.geom))
      GROUP BY code) k
    WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = k.code`.execute(db);
  await reattachStrayParts(db, jcode, planId);
  mark('stray parts');
  // a grid still in parts is kept (a partition is not thrown away for one grid) and reported by the caller
  const { rows: multi } = await sql<{ code: string }>`
    SELECT code FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND ST_NumGeometries(geom) > 1 ORDER BY code`.execute(db);
  if (multi.length) process.stderr.write(`partition: ${multi.length} grid(s) left in several parts: ${multi.map((m) => m.code).join(', ')}\n`);
  // postcondition: every grid of positive area (a grid of land too small for its own would have
  // joined a neighbour before; this is the check that nothing degenerate slipped through)
  const { rows: degenerate } = await sql<{ code: string; parts: number; area: number; sizes: string }>`
    SELECT code, ST_NumGeometries(geom) AS parts, ST_Area(geom::geography) AS area,
      (SELECT string_agg(round(ST_Area(d.geom::geography)::numeric, 3)::text || ' m² near ' || ST_AsText(ST_PointOnSurface(d.geom)), '; ') FROM ST_Dump(geom) d) AS sizes FROM grids
    WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND (ST_IsEmpty(geom) OR ST_Area(geom) = 0)
    ORDER BY code LIMIT 1`.execute(db);
  if (degenerate.length) {
    const d = degenerate[0];
    throw new WanggeError('engine', `grid outline is degenerate: ${d.parts} parts, ${Number(d.area).toFixed(3)} m² (${d.sizes ?? 'empty'})`, { gridCode: d.code });
  }

  // recount households from the stored outlines
  const { rows: counts } = await sql<{ code: string; hh: number }>`
    WITH hits AS (
      SELECT p.id AS pid, p.households AS hh, g.code, ST_Contains(g.geom, p.geom) AS inside
      FROM address_points p JOIN grids g ON g.jcode = p.jcode AND g.plan_id = ${planId}::bigint AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom)
      WHERE p.jcode = ${jcode}),
    credit AS (
      SELECT DISTINCT ON (pid) pid, hh, code FROM hits ORDER BY pid, inside DESC, code)
    SELECT code, sum(hh)::int AS hh FROM credit GROUP BY code`.execute(db);
  const households = new Map<string, number>(input.grids.map((g) => [g.code, 0]));
  for (const r of counts) households.set(r.code, r.hh);
  await tempTable(db, 'wg_gridcount', [{ name: 'code', kind: 'text' }, { name: 'hh', kind: 'integer' }], counts);
  await sql`UPDATE grids g SET households = c.hh FROM wg_gridcount c WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = c.code`.execute(db);
  mark('recount');
  return { planId, households };
}

/** Grids of the plan whose outline is invalid made valid, at the 9 decimals GeoJSON carries (in SRID 4326). */
async function makeGridsValid(db: Kysely<any>, jcode: string, planId: number): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    await sql`UPDATE grids SET geom = ST_Multi(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_MakeValid(geom), 3), 9)))
      WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND NOT ST_IsValid(geom)`.execute(db);
  }
  await sql`UPDATE grids SET geom = ST_SetSRID(geom, 4326) WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND ST_SRID(geom) <> 4326`.execute(db);
}

/** A temporary table (dropped at commit) filled with rows. */
async function tempTable(db: Kysely<any>, name: string, columns: BulkColumn[], rows: Array<Record<string, unknown>>): Promise<void> {
  await sql`DROP TABLE IF EXISTS ${sql.table(name)}`.execute(db);
  const defs = sql.join(columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(c.kind)}`));
  await sql`CREATE TEMP TABLE ${sql.table(name)} (${defs}) ON COMMIT DROP`.execute(db);
  await bulkInsert(db, name, columns, rows);
}

/**
 * A grid stored in several parts (the overlays at output precision can sever a neck of a few millimetres, or
 * leave a block held only by a corner): its main part (most households, then area) stays, every other part
 * joins a neighbouring grid where that union is one polygon: of the same community first (nesting), then the
 * one it shares the longest border with. Parts are listed anew after each move (a move renumbers the parts of
 * the grids it touches).
 */
async function reattachStrayParts(db: Kysely<any>, jcode: string, planId: number): Promise<void> {
  for (let moves = 0; moves < 1000; moves++) {
    const { rows: parts } = await sql<{ code: string; path: number; main: boolean }>`
      WITH p AS (
        SELECT g.code, d.path[1] AS path, d.geom,
          (SELECT COALESCE(sum(ap.households), 0) FROM address_points ap WHERE ap.jcode = ${jcode} AND ap.geom && d.geom AND ST_Intersects(d.geom, ap.geom)) AS hh
        FROM grids g, ST_Dump(g.geom) d WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND ST_NumGeometries(g.geom) > 1)
      SELECT code, path, row_number() OVER (PARTITION BY code ORDER BY hh DESC, ST_Area(geom) DESC, path) = 1 AS main FROM p ORDER BY code, path`.execute(db);
    let moved = false;
    for (const part of parts.filter((p) => !p.main)) {
      const { rows } = await sql<{ code: string }>`
        WITH s AS (SELECT community_code, (ST_Dump(geom)).path[1] AS path, (ST_Dump(geom)).geom AS g FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND code = ${part.code}),
        p AS (SELECT community_code, g FROM s WHERE path = ${part.path}::int)
        SELECT o.code FROM grids o, p WHERE o.jcode = ${jcode} AND o.plan_id = ${planId}::bigint AND o.code <> ${part.code} AND o.geom && p.g
          AND ST_NumGeometries(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(o.geom, p.g), 1e-9), 3)) = 1
        ORDER BY o.community_code IS NOT DISTINCT FROM p.community_code DESC, ST_Length(ST_Intersection(ST_Boundary(o.geom), ST_Boundary(p.g))) DESC, o.code LIMIT 1`.execute(db);
      if (!rows.length) continue;
      if (process.env.WANGGE_PROFILE === '1') process.stderr.write(`  stray part ${part.path} of ${part.code} joins ${rows[0].code}\n`);
      await sql`
        WITH s AS (SELECT (ST_Dump(geom)).path[1] AS path, (ST_Dump(geom)).geom AS g FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND code = ${part.code}),
        p AS (SELECT g FROM s WHERE path = ${part.path}::int)
        UPDATE grids o SET geom = ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(o.geom, p.g), 1e-9), 3)) FROM p
        WHERE o.jcode = ${jcode} AND o.plan_id = ${planId}::bigint AND o.code = ${rows[0].code}`.execute(db);
      await sql`
        UPDATE grids g SET geom = ST_Multi(ST_CollectionExtract(ST_Difference(g.geom, o.geom, 1e-9), 3)) FROM grids o
        WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = ${part.code}
          AND o.jcode = ${jcode} AND o.plan_id = ${planId}::bigint AND o.code = ${rows[0].code}`.execute(db);
      moved = true;
      break;
    }
    if (!moved) return;
  }
}
