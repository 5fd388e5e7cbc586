/**
 * Plans for the API: list, read, their grids and blocks as GeoJSON, copy a plan into a new draft, and the
 * difference between two plans (which blocks and households changed grid). Edits are in plan-edits.ts.
 * Every value reaches SQL as a parameter; GeoJSON is assembled from per-row JSON text made by PostGIS.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, PlanStatus } from '../../data/db/schema.ts';
import { inTransaction } from '../../data/db/capabilities.ts';
import { readInSteps } from '../../data/db/read-in-steps.ts';
import { WanggeError } from '../../spatial/errors.ts';

export interface PlanInfo {
  id: number;
  jcode: string;
  name: string;
  status: PlanStatus;
  version: number;
  method: string;
  params: Record<string, unknown>;
  parentId: number | null;
  createdAt: string;
  publishedAt: string | null;
  grids: number;
  households: number;
  /** grids, inRange, reasons, compactnessMean of the partition summary (when there is one) */
  summary: Record<string, unknown>;
}

interface PlanRow {
  id: number; jcode: string; name: string; status: PlanStatus; version: number; method: string; params: unknown; summary: unknown;
  parent_id: number | null; created_at: Date | string; published_at: Date | string | null; grids: number; households: number | null;
}

const json = (v: unknown): Record<string, unknown> => ((typeof v === 'string' ? JSON.parse(v) : v) ?? {}) as Record<string, unknown>;

function toInfo(r: PlanRow): PlanInfo {
  const s = json(r.summary);
  const summary: Record<string, unknown> = {};
  for (const k of ['grids', 'inRange', 'households', 'outsideHouseholds', 'blocks', 'reasons', 'compactnessMean', 'timings']) if (k in s) summary[k] = s[k];
  return {
    id: Number(r.id), jcode: r.jcode, name: r.name, status: r.status, version: Number(r.version), method: r.method,
    params: json(r.params), parentId: r.parent_id === null ? null : Number(r.parent_id),
    createdAt: new Date(r.created_at).toISOString(), publishedAt: r.published_at === null ? null : new Date(r.published_at).toISOString(),
    grids: Number(r.grids), households: Number(r.households ?? 0), summary,
  };
}

function planQuery(jcode: string, id?: number) {
  return sql<PlanRow>`
    SELECT p.id, p.jcode, p.name, p.status, p.version, p.method, p.params, p.summary, p.parent_id, p.created_at, p.published_at,
      coalesce(g.n, 0)::int AS grids, coalesce(g.hh, 0)::int AS households
    FROM grid_plans p
    LEFT JOIN (SELECT plan_id, count(*) AS n, sum(households) AS hh FROM grids WHERE jcode = ${jcode} GROUP BY plan_id) g ON g.plan_id = p.id
    WHERE p.jcode = ${jcode} ${id === undefined ? sql`` : sql`AND p.id = ${id}::bigint`}
    ORDER BY p.id DESC`;
}

/** Every plan of a jurisdiction, newest first. */
export async function listPlans(db: Kysely<DB>, jcode: string): Promise<PlanInfo[]> {
  return (await planQuery(jcode).execute(db)).rows.map(toInfo);
}

/** One plan, or null. */
export async function getPlan(db: Kysely<DB>, jcode: string, id: number): Promise<PlanInfo | null> {
  const r = (await planQuery(jcode, id).execute(db)).rows[0];
  return r ? toInfo(r) : null;
}

/** The status of one plan, or null when the jurisdiction has no such plan. */
export async function planStatus(db: Kysely<DB>, jcode: string, id: number): Promise<PlanStatus | null> {
  const r = await db.selectFrom('grid_plans').select('status').where('jcode', '=', jcode).where('id', '=', id).executeTakeFirst();
  return r ? r.status : null;
}

/** One plan, or a not_found error naming the parameter. */
export async function requirePlan(db: Kysely<DB>, jcode: string, id: number, parameter = 'planId'): Promise<PlanInfo> {
  const p = await getPlan(db, jcode, id);
  if (!p) throw new WanggeError('not_found', `no plan ${id} in jurisdiction ${jcode}`, { parameter });
  return p;
}

/** The grids of a plan as GeoJSON FeatureCollection text (id = code; 9 decimals as stored); read in steps (an open read). */
export async function planGridsGeoJson(db: Kysely<DB>, jcode: string, planId: number): Promise<string> {
  const rows = await readInSteps(db, sql<{ code: string; g: string; p: string }>`
    SELECT g.code, ST_AsGeoJSON(g.geom, 9) AS g,
      json_build_object('code', g.code, 'name', g.name, 'community', g.community_code, 'households', g.households, 'reason', g.reason,
        'blocks', (SELECT count(*)::int FROM blocks b WHERE b.jcode = g.jcode AND b.plan_id = g.plan_id AND b.grid_code = g.code))::text AS p
    FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint ORDER BY g.code`);
  return featureCollection(rows.map((r) => feature(r.code, r.g, r.p)), { planId });
}

/** The blocks of a plan (the units the editor moves) as GeoJSON FeatureCollection text (id = block id); read in steps. */
export async function planBlocksGeoJson(db: Kysely<DB>, jcode: string, planId: number): Promise<string> {
  const rows = await readInSteps(db, sql<{ id: number; g: string; p: string }>`
    SELECT b.id, ST_AsGeoJSON(b.geom, 9) AS g,
      json_build_object('id', b.id, 'grid', b.grid_code, 'community', b.community_code, 'households', b.households, 'unit', b.unit_code, 'split', b.split)::text AS p
    FROM blocks b WHERE b.jcode = ${jcode} AND b.plan_id = ${planId}::bigint ORDER BY b.id`);
  return featureCollection(rows.map((r) => feature(Number(r.id), r.g, r.p)), { planId });
}

export function feature(id: string | number, geometry: string, properties: string): string {
  return `{"type":"Feature","id":${JSON.stringify(id)},"geometry":${geometry},"properties":${properties}}`;
}

export function featureCollection(features: string[], extra: Record<string, unknown> = {}): string {
  const head = Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`).join('');
  return `{"type":"FeatureCollection",${head}"features":[${features.join(',')}]}`;
}

/** Copy a plan (any status) into a new draft with the same blocks and grids; returns the new plan id. */
export async function copyPlan(db: Kysely<DB>, jcode: string, planId: number, name?: string): Promise<number> {
  return inTransaction(db, async (trx) => {
    const src = await requirePlan(trx, jcode, planId);
    const p = await trx.insertInto('grid_plans').values({
      jcode, name: name ?? `${src.name} (copy)`, status: 'draft', method: 'edit', params: JSON.stringify(src.params),
      summary: JSON.stringify(src.summary), parent_id: planId,
    }).returning('id').executeTakeFirstOrThrow();
    const id = Number(p.id);
    await sql`INSERT INTO blocks (jcode, plan_id, id, households, community_code, unit_code, grid_code, split, geom)
      SELECT jcode, ${id}::bigint, id, households, community_code, unit_code, grid_code, split, geom FROM blocks
      WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint`.execute(trx);
    await sql`INSERT INTO grids (jcode, plan_id, code, name, community_code, households, reason, geom)
      SELECT jcode, ${id}::bigint, code, name, community_code, households, reason, geom FROM grids
      WHERE jcode = ${jcode} AND plan_id = ${planId}::bigint`.execute(trx);
    return id;
  });
}

export interface PlanDiff {
  jcode: string;
  /** the plan compared against (before) */
  from: number;
  /** the plan asked about (after) */
  to: number;
  blocks: { total: number; moved: number };
  households: { moved: number; addressPointsMoved: number; total: number };
  grids: { onlyInFrom: string[]; onlyInTo: string[]; changed: string[] };
  /** moved blocks of `to`, with the grid each was in (`from`) and is in now (`to`) */
  movedBlocks: { type: 'FeatureCollection'; features: unknown[] };
}

/**
 * What changed from plan `from` to plan `to`: blocks of `to` whose grid differs from the grid of the `from`
 * block under their point on surface, and address points whose grid (interior first, then lowest code, as
 * the recount credits them) differs between the two plans. Open for published plans, so both walks run in steps
 * (data/db/read-in-steps.ts), row by row in the order of an index, and the sums are made here.
 */
export async function diffPlans(db: Kysely<DB>, jcode: string, to: number, from: number): Promise<PlanDiff> {
  const blocks = await readInSteps(db, sql<{ id: number; hh: number; was: string | null; now: string | null; g: string }>`
    SELECT b.id, b.households AS hh, a.grid_code AS was, b.grid_code AS now, ST_AsGeoJSON(b.geom, 9) AS g
    FROM blocks b
    LEFT JOIN LATERAL (SELECT o.grid_code FROM blocks o WHERE o.jcode = b.jcode AND o.plan_id = ${from}::bigint
      AND o.geom && b.geom AND ST_Intersects(o.geom, ST_PointOnSurface(b.geom)) ORDER BY o.id LIMIT 1) a ON true
    WHERE b.jcode = ${jcode} AND b.plan_id = ${to}::bigint ORDER BY b.id`);
  const moved = blocks.filter((b) => b.was !== b.now);

  // each address point's grid in either plan: the one holding it in its interior first, then the lowest code
  const credit = (plan: number) => sql`(SELECT g.code FROM grids g WHERE g.jcode = p.jcode AND g.plan_id = ${plan}::bigint
    AND g.geom && p.geom AND ST_Intersects(g.geom, p.geom) ORDER BY ST_Contains(g.geom, p.geom) DESC, g.code LIMIT 1)`;
  const points = await readInSteps(db, sql<{ hh: number; a: string | null; b: string | null }>`
    SELECT p.households AS hh, ${credit(from)} AS a, ${credit(to)} AS b
    FROM address_points p WHERE p.jcode = ${jcode} ORDER BY p.id`);
  const hh = { moved: 0, points: 0, total: 0 };
  for (const p of points) {
    if (p.a === null && p.b === null) continue;
    hh.total += Number(p.hh);
    if (p.a !== p.b) {
      hh.moved += Number(p.hh);
      hh.points += 1;
    }
  }

  const { rows: codes } = await sql<{ code: string; a: boolean; b: boolean }>`
    SELECT code, bool_or(plan_id = ${from}::bigint) AS a, bool_or(plan_id = ${to}::bigint) AS b
    FROM grids WHERE jcode = ${jcode} AND plan_id IN (${from}::bigint, ${to}::bigint) GROUP BY code ORDER BY code`.execute(db);
  const changed = new Set<string>();
  for (const b of moved) {
    if (b.was) changed.add(b.was);
    if (b.now) changed.add(b.now);
  }
  const both = new Set(codes.filter((c) => c.a && c.b).map((c) => c.code));
  return {
    jcode, from, to,
    blocks: { total: blocks.length, moved: moved.length },
    households: { moved: hh.moved, addressPointsMoved: hh.points, total: hh.total },
    grids: {
      onlyInFrom: codes.filter((c) => c.a && !c.b).map((c) => c.code),
      onlyInTo: codes.filter((c) => !c.a && c.b).map((c) => c.code),
      changed: [...changed].filter((c) => both.has(c)).sort(),
    },
    movedBlocks: {
      type: 'FeatureCollection',
      features: moved.map((b) => ({ type: 'Feature', id: Number(b.id), geometry: JSON.parse(b.g), properties: { id: Number(b.id), households: b.hh, from: b.was, to: b.now } })),
    },
  };
}
