/**
 * A grid's "one map" bundle: its boundary, household counts by tag (counts only: no names or other personal
 * data, those come with the role rules of issue 7), its staff, its service phone, the hazards and cameras inside
 * it and the patrol tracks of one day that cross it. The grid is taken from the jurisdiction's published plan
 * unless a plan is named.
 *
 * Who sees which people (issue 17, api/auth/personal-data.ts): `contacts: 'public'` gives staff with masked
 * names and no personal phones (the grid's service phone is for citizens); `patrols: false` gives the number of
 * the day's tracks only, no path, times or worker.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { WanggeError } from '../../spatial/errors.ts';
import { feature, featureCollection } from './plans.ts';
import { publicContact, type ContactView } from '../auth/personal-data.ts';

export interface BundleQuery {
  jcode: string;
  code: string;
  /** a plan of the jurisdiction; default its published plan */
  planId?: number;
  /** YYYY-MM-DD of the patrol tracks */
  day: string;
  /** 'public' (default): masked staff names, no personal phones; 'staff': in full */
  contacts?: ContactView;
  /** whether the patrol tracks themselves are included (default false: their count only) */
  patrols?: boolean;
}

/** The bundle as JSON text. */
export async function gridBundle(db: Kysely<DB>, q: BundleQuery): Promise<string> {
  const plan = q.planId !== undefined ? sql`${q.planId}::bigint`
    : sql`(SELECT p.id FROM grid_plans p WHERE p.jcode = ${q.jcode} AND p.status = 'published' ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`;
  const { rows: grids } = await sql<{ plan_id: number; g: string; p: string }>`
    SELECT g.plan_id, ST_AsGeoJSON(g.geom, 7) AS g,
      json_build_object('code', g.code, 'name', g.name, 'community', g.community_code, 'households', g.households, 'reason', g.reason,
        'planId', g.plan_id, 'jcode', g.jcode, 'areaM2', round(ST_Area(g.geom::geography)))::text AS p
    FROM grids g WHERE g.jcode = ${q.jcode} AND g.plan_id = ${plan} AND g.code = ${q.code}`.execute(db);
  const grid = grids[0];
  if (!grid) {
    throw new WanggeError('not_found', `no grid ${q.code} in the ${q.planId !== undefined ? `plan ${q.planId}` : 'published plan'} of ${q.jcode}`, { parameter: 'code', gridCode: q.code });
  }
  const planId = Number(grid.plan_id);
  const inGrid = (col: ReturnType<typeof sql>) => sql`${col} && g.geom AND ST_Intersects(g.geom, ${col})`;
  const gridRow = sql`(SELECT geom FROM grids WHERE jcode = ${q.jcode} AND plan_id = ${planId}::bigint AND code = ${q.code})`;

  const contacts = q.contacts ?? 'public';
  const withPatrols = q.patrols ?? false;
  const [hh, staff, hazards, cameras, tracks, service] = await Promise.all([
    sql<{ tag: string | null; n: number; points: number; total: number }>`
      WITH g AS (SELECT ${gridRow} AS geom),
      pts AS (SELECT a.id, a.households FROM address_points a, g WHERE a.jcode = ${q.jcode} AND ${inGrid(sql`a.geom`)}),
      hh AS (SELECT h.tags FROM households h JOIN pts ON h.jcode = ${q.jcode} AND h.address_point_id = pts.id)
      SELECT NULL AS tag, (SELECT count(*) FROM hh)::int AS n, (SELECT count(*) FROM pts)::int AS points, (SELECT coalesce(sum(households), 0) FROM pts)::int AS total
      UNION ALL
      SELECT t.tag, count(*)::int, 0, 0 FROM hh, unnest(hh.tags) AS t(tag) GROUP BY t.tag`.execute(db),
    sql<{ id: number; name: string; role: string; department: string | null; phone: string | null }>`
      SELECT id, name, role, department, phone FROM grid_staff WHERE jcode = ${q.jcode} AND grid_code = ${q.code}
      ORDER BY CASE role WHEN 'leader' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, id`.execute(db),
    sql<{ id: number; g: string; p: string }>`
      WITH g AS (SELECT ${gridRow} AS geom)
      SELECT h.id, ST_AsGeoJSON(h.geom, 7) AS g, json_build_object('kind', h.kind, 'severity', h.severity, 'status', h.status, 'reportedAt', h.reported_at)::text AS p
      FROM hazards h, g WHERE h.jcode = ${q.jcode} AND ${inGrid(sql`h.geom`)} ORDER BY h.severity DESC, h.id`.execute(db),
    sql<{ id: number; g: string; p: string }>`
      WITH g AS (SELECT ${gridRow} AS geom)
      SELECT c.id, ST_AsGeoJSON(c.geom, 7) AS g, json_build_object('code', c.code, 'name', c.name, 'bearing', c.bearing, 'fov', c.fov, 'rangeM', c.range_m)::text AS p
      FROM cameras c, g WHERE c.jcode = ${q.jcode} AND ${inGrid(sql`c.geom`)} ORDER BY c.code`.execute(db),
    withPatrols
      ? sql<{ id: number; g: string; p: string }>`
      WITH g AS (SELECT ${gridRow} AS geom)
      SELECT t.id, ST_AsGeoJSON(t.geom, 7) AS g,
        json_build_object('worker', t.worker, 'staffId', t.staff_id, 'day', to_char(t.day, 'YYYY-MM-DD'), 'startedAt', t.started_at, 'times', t.times)::text AS p
      FROM patrol_tracks t, g WHERE t.jcode = ${q.jcode} AND t.day = ${q.day}::date AND ${inGrid(sql`t.geom`)} ORDER BY t.started_at, t.id`.execute(db)
      : sql<{ n: number }>`
      WITH g AS (SELECT ${gridRow} AS geom)
      SELECT count(*)::int AS n FROM patrol_tracks t, g WHERE t.jcode = ${q.jcode} AND t.day = ${q.day}::date AND ${inGrid(sql`t.geom`)}`.execute(db),
    sql<{ phone: string }>`SELECT phone FROM grid_service_phones WHERE jcode = ${q.jcode} AND grid_code = ${q.code}`.execute(db),
  ]);
  const head = hh.rows.find((r) => r.tag === null);
  const byTag: Record<string, number> = {};
  for (const r of hh.rows) if (r.tag !== null) byTag[r.tag] = Number(r.n);
  const households = { total: Number(head?.total ?? 0), registered: Number(head?.n ?? 0), addressPoints: Number(head?.points ?? 0), byTag };
  const fc = (rows: Array<{ id: number; g: string; p: string }>) => featureCollection(rows.map((r) => feature(Number(r.id), r.g, r.p)));
  const staffRows = staff.rows.map((s) => ({ ...s, id: Number(s.id) })).map((s) => (contacts === 'staff' ? s : publicContact(s)));
  const trackRows = withPatrols ? (tracks.rows as Array<{ id: number; g: string; p: string }>) : [];
  const patrolCount = withPatrols ? trackRows.length : Number((tracks.rows[0] as { n?: number } | undefined)?.n ?? 0);
  return `{"jcode":${JSON.stringify(q.jcode)},"code":${JSON.stringify(q.code)},"planId":${planId},"day":${JSON.stringify(q.day)},`
    + `"view":${JSON.stringify({ contacts, patrols: withPatrols ? 'tracks' : 'count' })},`
    + `"grid":${feature(q.code, grid.g, grid.p)},"households":${JSON.stringify(households)},`
    + `"servicePhone":${JSON.stringify(service.rows[0]?.phone ?? null)},`
    + `"staff":${JSON.stringify(staffRows)},`
    + `"hazards":${fc(hazards.rows)},"cameras":${fc(cameras.rows)},"patrolCount":${patrolCount},"patrols":${fc(trackRows)}}`;
}
