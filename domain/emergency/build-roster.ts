/**
 * Make the roster of a hazard area (issue 14) in one transaction:
 * 1. the hazard area (made valid, stored as a WGS-84 MultiPolygon) under the jurisdiction it lies in;
 * 2. every household whose address point lies in the area (ST_Intersects: the boundary counts as inside), with the
 *    grid of the jurisdiction's published plan that holds the point and that grid's community;
 * 3. every resident of those households, vulnerable when old (80+), a child under 6, living alone in old age,
 *    disabled, or with a need (wheelchair, bedridden, oxygen, dialysis, pregnant); a wheelchair, bed, oxygen or
 *    dialysis means a vehicle;
 * 4. shelters within `SHELTER_REACH_DEG` of the area — outside it, except for a typhoon, whose shelters are the
 *    sturdy buildings (schools, community centres) in the area itself — by walking distance along the streets,
 *    capacity respected, vulnerable households first (`assign-shelters.ts`). The capacity used is the night one when the
 *    deadline falls between 18:00 and 06:00 China Standard Time (people sleep there), else the day one.
 */
import { sql, type Kysely } from 'kysely';
import { WanggeError } from '../../data/errors.ts';
import { assignShelters, type AssignHousehold, type AssignShelter } from './assign-shelters.ts';
import { buildWalkGraph, type LonLat } from './walk-graph.ts';

export const HAZARD_KINDS = ['typhoon', 'flood', 'landslide', 'fire', 'chemical'] as const;
export const WARNING_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];
export type WarningLevel = (typeof WARNING_LEVELS)[number];

/** Needs that call for a vehicle. */
export const VEHICLE_NEEDS = ['wheelchair', 'bedridden', 'oxygen', 'dialysis'];
/** How far beyond the area shelters are looked for (degrees, ~5 km). */
export const SHELTER_REACH_DEG = 0.05;

export interface NewRoster {
  name: string;
  kind: HazardKind;
  level?: WarningLevel;
  deadline: Date;
  area: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  createdBy: string;
}

export interface BuildTimings { points: number; people: number; households: number; rows: number; graph: number; assign: number; total: number }

/** Whether `deadline` falls at night in China Standard Time (18:00–06:00). */
export function isNight(deadline: Date): boolean {
  const h = (deadline.getUTCHours() + 8) % 24;
  return h >= 18 || h < 6;
}

/**
 * The jurisdiction an area lies in: the account's own when it has one (the area must touch it), else the loaded
 * jurisdiction it overlaps most. Throws bad_request when it touches none.
 */
export async function jurisdictionOfArea(db: Kysely<any>, area: NewRoster['area'], userJcode: string | null): Promise<string> {
  const { rows } = await sql<{ jcode: string }>`WITH z AS (SELECT ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(area)}), 4326)) AS g)
    SELECT j.jcode FROM jurisdictions j, z WHERE j.code = j.jcode AND j.geom && z.g AND ST_Intersects(j.geom, z.g)
      AND (${userJcode}::text IS NULL OR j.jcode = ${userJcode})
    ORDER BY ST_Area(ST_Intersection(j.geom, z.g)) DESC LIMIT 1`.execute(db);
  if (!rows[0]) throw new WanggeError('bad_request', userJcode ? `the area does not touch jurisdiction ${userJcode}` : 'the area touches no loaded jurisdiction', { parameter: 'area' });
  return rows[0].jcode;
}

/** Make the roster; returns its id (the hazard area's) and its jurisdiction. */
export async function buildRoster(db: Kysely<any>, jcode: string, input: NewRoster, timings?: BuildTimings): Promise<{ id: number; jcode: string }> {
  const t0 = Date.now();
  return db.transaction().execute(async (trx) => {
    const { rows: made } = await sql<{ id: string; empty: boolean }>`INSERT INTO hazard_areas (jcode, name, kind, level, deadline, capacity_period, created_by, plan_id, geom)
      VALUES (${jcode}, ${input.name}, ${input.kind}, ${input.level ?? 'orange'}, ${input.deadline.toISOString()}::timestamptz, ${isNight(input.deadline) ? 'night' : 'day'},
        ${input.createdBy},
        (SELECT p.id FROM grid_plans p WHERE p.jcode = ${jcode} AND p.status = 'published' ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1),
        ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(input.area)}), 4326)), 3)))
      RETURNING id, ST_IsEmpty(geom) AS empty`.execute(trx);
    if (made[0].empty) throw new WanggeError('bad_request', 'the area has no surface', { parameter: 'area' });
    const id = Number(made[0].id);
    // ages on the deadline's day in China Standard Time
    const day = new Date(input.deadline.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    // the address points in the area with their grid, once (a point's households share it)
    await sql`CREATE TEMP TABLE wg_roster_points ON COMMIT DROP AS
      SELECT a.id, g.code AS grid_code, g.community_code
      FROM hazard_areas z
      JOIN address_points a ON a.jcode = z.jcode AND a.geom && z.geom AND ST_Intersects(z.geom, a.geom)
      LEFT JOIN LATERAL (SELECT g.code, g.community_code FROM grids g WHERE g.jcode = a.jcode AND g.plan_id = z.plan_id
        AND g.geom && a.geom AND ST_Intersects(g.geom, a.geom) ORDER BY g.code LIMIT 1) g ON true
      WHERE z.jcode = ${jcode} AND z.id = ${id}`.execute(trx);
    const tPoints = Date.now();
    await sql`INSERT INTO roster_people (jcode, roster_id, resident_id, household_id, grid_code, vulnerable, reasons, needs_vehicle)
      SELECT ${jcode}, ${id}, x.id, x.household_id, x.grid_code, cardinality(x.reasons) > 0, x.reasons, x.needs && ${VEHICLE_NEEDS}::text[]
      FROM (SELECT r.id, r.household_id, p.grid_code, r.needs,
          array_remove(ARRAY[
            CASE WHEN r.birth_date <= ${day}::date - interval '80 years' THEN 'elderly' END,
            CASE WHEN r.birth_date > ${day}::date - interval '6 years' THEN 'child' END,
            CASE WHEN 'elderly_alone' = ANY (r.tags) THEN 'elderly_alone' END,
            CASE WHEN 'disabled' = ANY (r.tags) THEN 'disabled' END]::text[], NULL) || r.needs AS reasons
        FROM wg_roster_points p
        JOIN households h ON h.jcode = ${jcode} AND h.address_point_id = p.id
        JOIN residents r ON r.jcode = h.jcode AND r.household_id = h.id) x`.execute(trx);
    const tPeople = Date.now();
    await sql`INSERT INTO roster_households (jcode, roster_id, household_id, address_point_id, grid_code, community_code, persons, vulnerable, dangerous_house)
      SELECT ${jcode}, ${id}, h.id, p.id, p.grid_code, p.community_code, coalesce(c.n, h.members), coalesce(c.v, 0), h.dangerous_house
      FROM wg_roster_points p
      JOIN households h ON h.jcode = ${jcode} AND h.address_point_id = p.id
      LEFT JOIN (SELECT household_id, count(*)::int AS n, count(*) FILTER (WHERE vulnerable)::int AS v FROM roster_people
        WHERE jcode = ${jcode} AND roster_id = ${id} GROUP BY household_id) c ON c.household_id = h.id`.execute(trx);
    const t1 = Date.now();

    const { rows: hh } = await sql<{ id: string; x: number; y: number; persons: number; vulnerable: number }>`SELECT rh.household_id AS id, ST_X(a.geom) AS x, ST_Y(a.geom) AS y, rh.persons, rh.vulnerable
      FROM roster_households rh JOIN address_points a ON a.jcode = rh.jcode AND a.id = rh.address_point_id
      WHERE rh.jcode = ${jcode} AND rh.roster_id = ${id}`.execute(trx);
    const { rows: sh } = await sql<{ id: string; x: number; y: number; capacity: number }>`SELECT s.id, ST_X(s.geom) AS x, ST_Y(s.geom) AS y,
        CASE WHEN z.capacity_period = 'night' THEN s.capacity_night ELSE s.capacity_day END AS capacity
      FROM shelters s JOIN hazard_areas z ON z.jcode = s.jcode AND z.id = ${id}
      WHERE s.jcode = ${jcode} AND s.geom && ST_Expand(z.geom, ${SHELTER_REACH_DEG}) AND (z.kind = 'typhoon' OR NOT ST_Intersects(z.geom, s.geom))
      ORDER BY s.id`.execute(trx);
    const { lines, crossings } = await streetsAround(trx, jcode, id);
    const households: AssignHousehold[] = hh.map((h) => ({ id: Number(h.id), at: [h.x, h.y], persons: h.persons, vulnerable: h.vulnerable > 0 }));
    const shelters: AssignShelter[] = sh.map((s) => ({ id: Number(s.id), at: [s.x, s.y], capacity: s.capacity }));
    const graph = buildWalkGraph(lines, crossings, households[0]?.at);
    const t2 = Date.now();
    const assigned = assignShelters(graph, households, shelters).filter((a) => a.shelterId !== null);
    const t3 = Date.now();
    const CHUNK = 10_000;
    for (let k = 0; k < assigned.length; k += CHUNK) {
      const part = assigned.slice(k, k + CHUNK);
      await sql`UPDATE roster_households rh SET shelter_id = u.s, walk_m = u.w
        FROM unnest(${part.map((a) => a.householdId)}::bigint[], ${part.map((a) => a.shelterId)}::bigint[], ${part.map((a) => a.walkM)}::float8[]) AS u(h, s, w)
        WHERE rh.jcode = ${jcode} AND rh.roster_id = ${id} AND rh.household_id = u.h`.execute(trx);
    }
    if (timings) Object.assign(timings, { points: tPoints - t0, people: tPeople - tPoints, households: t1 - tPeople, rows: t1 - t0, graph: t2 - t1, assign: t3 - t2, total: Date.now() - t0 });
    return { id, jcode };
  });
}

/**
 * The walkable streets (no rivers, rails or motorways) around a roster's area and its candidate shelters, with the
 * points where each crosses another (the graph joins streets there).
 */
export async function streetsAround(db: Kysely<any>, jcode: string, rosterId: number): Promise<{ lines: LonLat[][]; crossings: LonLat[][] }> {
  const { rows } = await sql<{ line: string; xs: Array<[number, number]> | null }>`
    WITH z AS (SELECT ST_Expand(geom, ${SHELTER_REACH_DEG + 0.01}) AS env FROM hazard_areas WHERE jcode = ${jcode} AND id = ${rosterId}),
    s AS (SELECT st.id, st.geom FROM streets st, z WHERE st.jcode = ${jcode} AND st.kind NOT IN ('river', 'rail', 'motorway') AND st.geom && z.env)
    SELECT ST_AsGeoJSON(s.geom, 7) AS line,
      (SELECT json_agg(json_build_array(ST_X(p.geom), ST_Y(p.geom)))
        FROM streets t, LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(s.geom, t.geom), 1)) p
        WHERE t.jcode = ${jcode} AND t.kind NOT IN ('river', 'rail', 'motorway') AND t.id <> s.id AND t.geom && s.geom AND ST_Intersects(s.geom, t.geom)) AS xs
    FROM s ORDER BY s.id`.execute(db);
  return {
    lines: rows.map((r) => (JSON.parse(r.line) as { coordinates: LonLat[] }).coordinates),
    crossings: rows.map((r) => r.xs ?? []),
  };
}

/** An area made from the data instead of drawn: grids or communities by code, a buffer along the rivers, or around hazards. */
export interface AreaSource {
  grids?: string[];
  communities?: string[];
  /** metres either side of every river line of the jurisdiction */
  riverBufferM?: number;
  /** metres around the recorded hazards (points and polygons), of one kind when given */
  hazards?: { kind?: string; bufferM: number };
}

/**
 * The area of `source` in jurisdiction `jcode` as a GeoJSON MultiPolygon, clipped to the jurisdiction. Parts are
 * joined by ST_UnaryUnion over their collection (not the ST_Union aggregate, which fails silently on the embedded
 * engine over overlapping buffers, ../shared/POSTGIS-NOTES.md); buffers are made in metres (geography). An empty
 * result is refused (bad_request naming what matched nothing).
 */
export async function areaFromData(db: Kysely<any>, jcode: string, source: AreaSource): Promise<NewRoster['area']> {
  const parts = [];
  if (source.grids?.length) {
    parts.push(sql`SELECT g.geom FROM grids g WHERE g.jcode = ${jcode} AND g.code = ANY (${source.grids}::text[]) AND g.plan_id = (SELECT p.id FROM grid_plans p
      WHERE p.jcode = ${jcode} AND p.status = 'published' ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`);
  }
  if (source.communities?.length) parts.push(sql`SELECT geom AS geom FROM jurisdictions WHERE jcode = ${jcode} AND level = 'community' AND code = ANY (${source.communities}::text[])`);
  if (source.riverBufferM) {
    parts.push(sql`SELECT ST_Buffer(ST_Collect(geom)::geography, ${source.riverBufferM})::geometry AS geom FROM streets WHERE jcode = ${jcode} AND kind = 'river' HAVING count(*) > 0`);
  }
  if (source.hazards) {
    parts.push(sql`SELECT ST_Buffer(ST_Collect(geom)::geography, ${source.hazards.bufferM})::geometry AS geom FROM hazards WHERE jcode = ${jcode}
      AND (${source.hazards.kind ?? null}::text IS NULL OR kind = ${source.hazards.kind ?? null}) HAVING count(*) > 0`);
  }
  if (parts.length === 0) throw new WanggeError('bad_request', 'give an area, or grids, communities, riverBufferM or hazards to make one', { parameter: 'area' });
  const { rows } = await sql<{ g: string | null }>`WITH p AS (${sql.join(parts, sql` UNION ALL `)}),
      u AS (SELECT ST_UnaryUnion(ST_Collect(ST_CollectionExtract(ST_MakeValid(geom), 3)), 1e-9) AS g FROM p),
      c AS (SELECT ST_Multi(ST_CollectionExtract(ST_Intersection(u.g, j.geom), 3)) AS g FROM u, jurisdictions j WHERE j.jcode = ${jcode} AND j.code = ${jcode})
    SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN NULL ELSE ST_AsGeoJSON(g, 7) END AS g FROM c`.execute(db);
  if (!rows[0]?.g) throw new WanggeError('bad_request', `nothing of ${jcode} matched: no grid, community, river or hazard to make the area from`, { parameter: 'area' });
  return JSON.parse(rows[0].g) as NewRoster['area'];
}
