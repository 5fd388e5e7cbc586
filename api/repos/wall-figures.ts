/**
 * The wall screen's key figures of one jurisdiction and one day, aggregates only (counts, never names or
 * phones): grids of the published plan, grid workers, households, patrols of the day, open hazards, and per
 * grid its households, open hazards, patrols and patrol compliance.
 *
 * Definitions (also in the OpenAPI document):
 * - the day: the requested day if it has patrol tracks, else the latest earlier day that has, else the latest
 *   day that has (the same rule as the web's `pickDay`); null when the jurisdiction has no tracks at all;
 * - workers: distinct people (same name and phone) among the staff of the published plan's grids;
 * - a hazard is open unless its status is 'closed'; it belongs to the grid holding its point on surface;
 * - a grid's patrols: the day's tracks with at least a quarter of their length inside the grid (a patrol of a
 *   neighbouring grid that cuts across a corner is not one); the jurisdiction's patrols: all the day's tracks;
 * - compliance: patrols / expected patrols per grid per day, capped at 1.
 *
 * The answer is open (the wall needs no login), so it is an anonymous heavy request: the per-grid counts run in
 * statements of WALL_GRIDS_PER_STATEMENT grids on the embedded engine, whose one session runs one statement at a
 * time, so a lookup waits for a few grids' counts, not for all of them; lengths are measured on the sphere, and a
 * track inside a grid is not cut (the share test only matters for tracks across a grid's edge).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { capabilitiesOf } from '../../data/db/capabilities.ts';

/** Share of a track's length that must lie inside a grid for the track to count as a patrol of that grid. */
export const PATROL_MIN_SHARE = 0.25;

/** Patrols a grid is expected to get per day unless the caller says otherwise. */
export const EXPECTED_PATROLS_PER_DAY = 2;

/** Grids whose hazards and patrols one statement counts on the embedded engine (a server counts all at once). */
export const WALL_GRIDS_PER_STATEMENT = 4;

export interface WallGridFigures {
  code: string;
  households: number;
  hazards: number;
  patrols: number;
  /** patrols / expected, 0..1 */
  compliance: number;
}

export interface WallFigures {
  jcode: string;
  /** the published plan the grids come from; null when none is published */
  planId: number | null;
  requestedDay: string;
  /** the day the patrol figures are of (see the rule above); null when there are no tracks */
  day: string | null;
  expectedPatrols: number;
  grids: number;
  workers: number;
  households: number;
  patrolsToday: number;
  openHazards: number;
  /** mean compliance over the grids (0 with no grids) */
  compliance: number;
  /** grids whose compliance is 1 */
  gridsFullyPatrolled: number;
  perGrid: WallGridFigures[];
}

/** Compliance of `patrols` against `expected` per day: 0..1. */
export function patrolCompliance(patrols: number, expected: number): number {
  if (!(expected > 0)) return 1;
  return Math.min(1, Math.max(0, patrols) / expected);
}

/** The day of the patrol figures: `requested` if it has tracks, else the latest day before it, else the latest. */
export async function patrolDay(db: Kysely<DB>, jcode: string, requested: string): Promise<string | null> {
  const { rows } = await sql<{ day: string | null }>`
    SELECT to_char(coalesce(
      (SELECT max(t.day) FROM patrol_tracks t WHERE t.jcode = ${jcode} AND t.day <= ${requested}::date),
      (SELECT max(t.day) FROM patrol_tracks t WHERE t.jcode = ${jcode})), 'YYYY-MM-DD') AS day`.execute(db);
  return rows[0]?.day ?? null;
}

/**
 * The figures of jurisdiction `jcode` (which the caller has checked exists) for `requestedDay` (YYYY-MM-DD);
 * `gridsPerStatement`: grids counted per statement (default WALL_GRIDS_PER_STATEMENT embedded, all on a server).
 */
export async function wallFigures(db: Kysely<DB>, jcode: string, requestedDay: string, expected = EXPECTED_PATROLS_PER_DAY, gridsPerStatement?: number): Promise<WallFigures> {
  const day = await patrolDay(db, jcode, requestedDay);
  const plan = sql`(SELECT p.id FROM grid_plans p WHERE p.jcode = ${jcode} AND p.status = 'published'
    ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`;
  // no tracks at all: a day no track has, so the patrol counts are 0
  const dayValue = day ?? requestedDay;
  const totals = await sql<{ plan_id: number | null; workers: number; patrols: number; hazards: number; codes: string[] | null }>`
    SELECT ${plan} AS plan_id,
      (SELECT count(DISTINCT (s.name, coalesce(s.phone, ''))) FROM grid_staff s
        JOIN grids g ON g.jcode = s.jcode AND g.code = s.grid_code AND g.plan_id = ${plan}
        WHERE s.jcode = ${jcode})::int AS workers,
      (SELECT count(*) FROM patrol_tracks t WHERE t.jcode = ${jcode} AND t.day = ${dayValue}::date)::int AS patrols,
      (SELECT count(*) FROM hazards h WHERE h.jcode = ${jcode} AND h.status <> 'closed')::int AS hazards,
      (SELECT array_agg(g.code ORDER BY g.code) FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${plan}) AS codes`.execute(db);
  const t = totals.rows[0];
  const codes = t.codes ?? [];
  const planId = t.plan_id === null ? 0 : Number(t.plan_id);
  const batch = Math.max(1, gridsPerStatement ?? ((await capabilitiesOf(db)).engine === 'embedded' ? WALL_GRIDS_PER_STATEMENT : codes.length));
  const rows: Array<{ code: string; households: number; hazards: number; patrols: number }> = [];
  for (let i = 0; i < codes.length; i += batch) {
    const { rows: part } = await sql<{ code: string; households: number; hazards: number; patrols: number }>`
      SELECT g.code, g.households,
        (SELECT count(*) FROM hazards h WHERE h.jcode = g.jcode AND h.status <> 'closed'
          AND h.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(h.geom)))::int AS hazards,
        (SELECT count(*) FROM patrol_tracks t WHERE t.jcode = g.jcode AND t.day = ${dayValue}::date
          AND t.geom && g.geom AND ST_Intersects(g.geom, t.geom)
          AND (ST_CoveredBy(t.geom, g.geom)
            OR ST_Length(ST_Intersection(g.geom, t.geom)::geography, false) >= ${PATROL_MIN_SHARE}::float8 * ST_Length(t.geom::geography, false)))::int AS patrols
      FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint AND g.code = ANY(${codes.slice(i, i + batch)}::text[])
      ORDER BY g.code`.execute(db);
    rows.push(...part);
  }
  const perGrid = rows.map((r): WallGridFigures => {
    const patrols = Number(r.patrols);
    return { code: r.code, households: Number(r.households), hazards: Number(r.hazards), patrols, compliance: patrolCompliance(patrols, expected) };
  });
  const sum = (f: (g: WallGridFigures) => number) => perGrid.reduce((n, g) => n + f(g), 0);
  return {
    jcode,
    planId: t.plan_id === null ? null : Number(t.plan_id),
    requestedDay,
    day,
    expectedPatrols: expected,
    grids: perGrid.length,
    workers: Number(t.workers),
    households: sum((g) => g.households),
    patrolsToday: Number(t.patrols),
    openHazards: Number(t.hazards),
    compliance: perGrid.length ? Math.round((sum((g) => g.compliance) / perGrid.length) * 1000) / 1000 : 0,
    gridsFullyPatrolled: perGrid.filter((g) => g.compliance >= 1).length,
    perGrid,
  };
}
