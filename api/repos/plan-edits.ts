/**
 * Editing a draft plan: move blocks between grids, split a grid (the blocks given become a new grid), merge
 * two grids. One transaction per edit with optimistic concurrency: the plan's version must equal the
 * caller's (the ETag it read), else precondition_failed and nothing is written; published or archived plans
 * are refused with conflict. Each edit rebuilds the changed grids as the union of their blocks with the
 * rounding of spatial/partition/persist-plan.ts (union in the local UTM zone with a 0.1 mm grid, then
 * ST_GeomFromGeoJSON(ST_AsGeoJSON(…, 9))): stored blocks can be slightly invalid in degrees, where GEOS
 * unions fail (and the embedded engine then returns no row), so the union runs in metres. It recounts
 * households the way the partition does (interior first, then lowest code), and bumps the version.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { inTransaction } from '../../data/db/capabilities.ts';
import { WanggeError } from '../../spatial/errors.ts';
import { utmSrid } from '../../spatial/geo/utm.ts';

export type PlanEdit =
  | { op: 'move'; blocks: number[]; to: string }
  | { op: 'split'; grid: string; blocks: number[] }
  | { op: 'merge'; grids: [string, string] };

export interface EditedGrid {
  code: string;
  households: number;
  blocks: number;
  reason: string | null;
}

export interface EditResult {
  planId: number;
  /** the plan's new version (its new ETag) */
  version: number;
  op: PlanEdit['op'];
  /** grids whose blocks changed, as they are now */
  changed: EditedGrid[];
  created: string[];
  removed: string[];
}

/** Most blocks one edit may name. */
export const MAX_EDIT_BLOCKS = 10_000;

const ids = (v: number[]) => sql`(SELECT (jsonb_array_elements_text(${JSON.stringify(v)}::jsonb))::int)`;
const texts = (v: string[]) => sql`(SELECT jsonb_array_elements_text(${JSON.stringify(v)}::jsonb))`;

/** Check an edit document from a request body; throws bad_request naming the field. */
export function parseEdit(body: unknown): PlanEdit {
  const b = (body ?? {}) as Record<string, unknown>;
  const code = (v: unknown, name: string): string => {
    if (typeof v !== 'string' || !/^[0-9A-Za-z_-]{1,40}$/.test(v)) throw new WanggeError('bad_request', `${name} must be a grid code`, { parameter: name });
    return v;
  };
  const blockIds = (v: unknown): number[] => {
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_EDIT_BLOCKS || !v.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      throw new WanggeError('bad_request', `blocks must be a list of 1 to ${MAX_EDIT_BLOCKS} block ids`, { parameter: 'blocks' });
    }
    return [...new Set(v as number[])].sort((x, y) => x - y);
  };
  switch (b.op) {
    case 'move': return { op: 'move', blocks: blockIds(b.blocks), to: code(b.to, 'to') };
    case 'split': return { op: 'split', grid: code(b.grid, 'grid'), blocks: blockIds(b.blocks) };
    case 'merge': {
      if (!Array.isArray(b.grids) || b.grids.length !== 2) throw new WanggeError('bad_request', 'grids must name two grids: [keep, absorb]', { parameter: 'grids' });
      const g: [string, string] = [code(b.grids[0], 'grids'), code(b.grids[1], 'grids')];
      if (g[0] === g[1]) throw new WanggeError('bad_request', 'a grid cannot be merged with itself', { parameter: 'grids' });
      return { op: 'merge', grids: g };
    }
    default: throw new WanggeError('bad_request', 'op must be move, split or merge', { parameter: 'op' });
  }
}

/** Bump the version if the plan is a draft at `expected`; else explain why not. */
async function claim(trx: Kysely<DB>, jcode: string, planId: number, expected: number): Promise<{ version: number; min: number; max: number }> {
  const { rows } = await sql<{ version: number; params: unknown }>`
    UPDATE grid_plans SET version = version + 1
    WHERE jcode = ${jcode} AND id = ${planId}::bigint AND status = 'draft' AND version = ${expected}::int
    RETURNING version, params`.execute(trx);
  if (rows[0]) {
    const p = (typeof rows[0].params === 'string' ? JSON.parse(rows[0].params) : rows[0].params) as Record<string, unknown> | null;
    const min = Number(p?.min ?? 400), max = Number(p?.max ?? 600);
    return { version: Number(rows[0].version), min: Number.isFinite(min) ? min : 400, max: Number.isFinite(max) ? max : 600 };
  }
  const cur = await trx.selectFrom('grid_plans').select(['status', 'version']).where('jcode', '=', jcode).where('id', '=', planId).executeTakeFirst();
  if (!cur) throw new WanggeError('not_found', `no plan ${planId} in jurisdiction ${jcode}`, { parameter: 'planId' });
  if (cur.status !== 'draft') throw new WanggeError('conflict', `plan ${planId} is ${cur.status}: only drafts can be edited (copy it into a new draft first)`, { parameter: 'planId' });
  throw new WanggeError('precondition_failed', `plan ${planId} is at version ${cur.version}, not ${expected}: reload it and edit again`, { parameter: 'If-Match' });
}

interface BlockRow { id: number; grid_code: string | null; community_code: string | null }

async function blocksOf(trx: Kysely<DB>, jcode: string, planId: number, list: number[]): Promise<BlockRow[]> {
  const { rows } = await sql<BlockRow>`SELECT id, grid_code, community_code FROM blocks
    WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND id IN ${ids(list)} ORDER BY id`.execute(trx);
  if (rows.length !== list.length) {
    const have = new Set(rows.map((r) => Number(r.id)));
    const missing = list.filter((i) => !have.has(i)).slice(0, 10);
    throw new WanggeError('not_found', `plan ${planId} has no block ${missing.join(', ')}`, { parameter: 'blocks' });
  }
  return rows;
}

async function gridOf(trx: Kysely<DB>, jcode: string, planId: number, code: string, parameter: string): Promise<{ code: string; community_code: string | null }> {
  const g = await trx.selectFrom('grids').select(['code', 'community_code']).where('jcode', '=', jcode).where('plan_id', '=', planId).where('code', '=', code).executeTakeFirst();
  if (!g) throw new WanggeError('not_found', `plan ${planId} has no grid ${code}`, { parameter, gridCode: code });
  return g;
}

async function assign(trx: Kysely<DB>, jcode: string, planId: number, list: number[], to: string): Promise<void> {
  await sql`UPDATE blocks SET grid_code = ${to} WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND id IN ${ids(list)}`.execute(trx);
}

/** The next free code of a community in a plan: community code + 3-digit sequence. */
async function nextCode(trx: Kysely<DB>, jcode: string, planId: number, prefix: string): Promise<string> {
  const { rows } = await sql<{ n: number | null }>`SELECT max(substr(code, ${prefix.length + 1})::int) AS n FROM grids
    WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND length(code) = ${prefix.length + 3}::int AND left(code, ${prefix.length}::int) = ${prefix}
      AND substr(code, ${prefix.length + 1}) ~ '^[0-9]{3}$'`.execute(trx);
  const n = Number(rows[0]?.n ?? 0) + 1;
  if (n > 999) throw new WanggeError('conflict', `community ${prefix} has no free grid code left`, { parameter: 'grid' });
  return `${prefix}${String(n).padStart(3, '0')}`;
}

/** Grid size of the union in metres, as the partition uses. */
const GRID_SIZE_M = 0.0001;

/** The UTM zone (EPSG code) of a jurisdiction, from its outline's centroid. */
async function jurisdictionSrid(trx: Kysely<DB>, jcode: string): Promise<number> {
  const { rows } = await sql<{ lon: number; lat: number }>`SELECT ST_X(ST_Centroid(geom)) AS lon, ST_Y(ST_Centroid(geom)) AS lat
    FROM jurisdictions WHERE jcode = ${jcode} ORDER BY (code = jcode) DESC LIMIT 1`.execute(trx);
  if (!rows[0]) throw new WanggeError('not_found', `no jurisdiction ${jcode}`, { parameter: 'jcode' });
  return utmSrid(Number(rows[0].lon), Number(rows[0].lat));
}

/** Rebuild grids `codes` from their blocks; delete those left without blocks; returns the deleted codes. */
async function rebuild(trx: Kysely<DB>, jcode: string, planId: number, codes: string[]): Promise<string[]> {
  const { rows: empty } = await sql<{ code: string }>`DELETE FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code IN ${texts(codes)}
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.jcode = g.jcode AND b.plan_id = g.plan_id AND b.grid_code = g.code) RETURNING g.code`.execute(trx);
  const removed = empty.map((r) => r.code);
  const keep = codes.filter((c) => !removed.includes(c));
  if (keep.length === 0) return removed;
  const srid = await jurisdictionSrid(trx, jcode);
  const res = await sql`UPDATE grids g SET geom = u.geom FROM (
      SELECT b.grid_code AS code,
        ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(ST_AsGeoJSON(ST_CollectionExtract(ST_Transform(
          ST_UnaryUnion(ST_Collect(ST_Transform(b.geom, ${srid}::int) ORDER BY b.id), ${GRID_SIZE_M}::float8), 4326), 3), 9)), 4326)) AS geom
      FROM blocks b WHERE b.jcode = ${jcode} AND b.plan_id = ${planId}::bigint AND b.grid_code IN ${texts(keep)} GROUP BY b.grid_code) u
    WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = u.code AND NOT ST_IsEmpty(u.geom)`.execute(trx);
  // the embedded engine can swallow a GEOS exception and return no row: count what was written
  if (Number(res.numAffectedRows) !== keep.length) {
    throw new WanggeError('engine', `rebuilt ${res.numAffectedRows} of ${keep.length} grids: a union of blocks failed`);
  }
  return removed;
}

/** Recount households of `codes` and of the grids near them (a shared edge point can change hands). */
async function recount(trx: Kysely<DB>, jcode: string, planId: number, codes: string[]): Promise<void> {
  if (codes.length === 0) return;
  await sql`WITH near AS (
      -- bounding boxes only: polygon-polygon predicates can raise a GEOS topology exception on rounded outlines
      SELECT DISTINCT n.code FROM grids c JOIN grids n ON n.jcode = c.jcode AND n.plan_id = c.plan_id AND n.geom && c.geom
      WHERE c.jcode = ${jcode} AND c.plan_id = ${planId}::bigint AND c.code IN ${texts(codes)}),
    pts AS (
      SELECT DISTINCT p.id, p.households, p.geom FROM address_points p
      JOIN grids g ON g.jcode = p.jcode AND g.plan_id = ${planId}::bigint AND g.code IN (SELECT code FROM near) AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom)
      WHERE p.jcode = ${jcode}),
    credit AS (
      SELECT DISTINCT ON (pts.id) pts.id, pts.households AS hh, g.code FROM pts
      JOIN grids g ON g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.geom && pts.geom AND ST_Intersects(g.geom, pts.geom)
      ORDER BY pts.id, ST_Contains(g.geom, pts.geom) DESC, g.code),
    sums AS (SELECT n.code, coalesce(sum(c.hh), 0)::int AS hh FROM near n LEFT JOIN credit c ON c.code = n.code GROUP BY n.code)
    UPDATE grids g SET households = s.hh FROM sums s WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = s.code`.execute(trx);
}

/**
 * Apply one edit to draft plan `planId` at version `expected`.
 * @example await editPlan(db, '110108990000', 7, 3, { op: 'move', blocks: [12, 13], to: '110108990001004' })
 */
export async function editPlan(db: Kysely<DB>, jcode: string, planId: number, expected: number, edit: PlanEdit): Promise<EditResult> {
  return inTransaction(db, async (trx: Kysely<DB>) => {
    const { version, min, max } = await claim(trx, jcode, planId, expected);
    let touched: string[];
    const created: string[] = [];
    if (edit.op === 'move') {
      const target = await gridOf(trx, jcode, planId, edit.to, 'to');
      const blocks = await blocksOf(trx, jcode, planId, edit.blocks);
      const foreign = blocks.find((b) => target.community_code !== null && b.community_code !== null && b.community_code !== target.community_code);
      if (foreign) {
        throw new WanggeError('bad_request', `block ${foreign.id} is in community ${foreign.community_code}, grid ${edit.to} in ${target.community_code}: grids stay inside their community`, { parameter: 'to', gridCode: edit.to });
      }
      touched = [...new Set([edit.to, ...blocks.map((b) => b.grid_code).filter((c): c is string => c !== null)])];
      await assign(trx, jcode, planId, edit.blocks, edit.to);
    } else if (edit.op === 'split') {
      const grid = await gridOf(trx, jcode, planId, edit.grid, 'grid');
      const blocks = await blocksOf(trx, jcode, planId, edit.blocks);
      const other = blocks.find((b) => b.grid_code !== edit.grid);
      if (other) throw new WanggeError('bad_request', `block ${other.id} is not in grid ${edit.grid}`, { parameter: 'blocks', gridCode: edit.grid });
      const all = await trx.selectFrom('blocks').select((eb) => eb.fn.countAll<number>().as('n')).where('jcode', '=', jcode).where('plan_id', '=', planId).where('grid_code', '=', edit.grid).executeTakeFirstOrThrow();
      if (Number(all.n) <= blocks.length) throw new WanggeError('bad_request', `a split must leave grid ${edit.grid} at least one of its ${all.n} blocks`, { parameter: 'blocks', gridCode: edit.grid });
      const code = await nextCode(trx, jcode, planId, grid.community_code ?? edit.grid.slice(0, -3));
      await sql`INSERT INTO grids (jcode, plan_id, code, community_code, households, geom)
        SELECT jcode, plan_id, ${code}, community_code, 0, geom FROM grids WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND code = ${edit.grid}`.execute(trx);
      await assign(trx, jcode, planId, edit.blocks, code);
      created.push(code);
      touched = [edit.grid, code];
    } else {
      const [keep, absorb] = edit.grids;
      const a = await gridOf(trx, jcode, planId, keep, 'grids');
      const b = await gridOf(trx, jcode, planId, absorb, 'grids');
      if (a.community_code !== b.community_code) {
        throw new WanggeError('bad_request', `grids ${keep} and ${absorb} are in different communities`, { parameter: 'grids', gridCode: absorb });
      }
      await sql`UPDATE blocks SET grid_code = ${keep} WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND grid_code = ${absorb}`.execute(trx);
      touched = [keep, absorb];
    }
    const removed = await rebuild(trx, jcode, planId, touched);
    const live = touched.filter((c) => !removed.includes(c));
    await recount(trx, jcode, planId, live);
    // a reason is kept only where it is true: in range clears it, out of range after an edit says so
    await sql`UPDATE grids SET reason = CASE
        WHEN reason = 'dedicated' THEN reason
        WHEN households BETWEEN ${min}::int AND ${max}::int THEN NULL
        ELSE coalesce(reason, 'edited') END
      WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint AND code IN ${texts(live)}`.execute(trx);
    const { rows } = await sql<{ code: string; households: number; blocks: number; reason: string | null }>`
      SELECT g.code, g.households, g.reason, (SELECT count(*)::int FROM blocks b WHERE b.jcode = g.jcode AND b.plan_id = g.plan_id AND b.grid_code = g.code) AS blocks
      FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code IN ${texts(live)} ORDER BY g.code`.execute(trx);
    return {
      planId, version, op: edit.op,
      changed: rows.map((r) => ({ code: r.code, households: Number(r.households), blocks: Number(r.blocks), reason: r.reason })),
      created, removed,
    };
  });
}
