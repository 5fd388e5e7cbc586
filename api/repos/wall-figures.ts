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
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../data/db/schema.ts';

/** Share of a track's length that must lie inside a grid for the track to count as a patrol of that grid. */
export const PATROL_MIN_SHARE = 0.25;

/** Patrols a grid is expected to get per day unless the caller says otherwise. */
export const EXPECTED_PATROLS_PER_DAY = 2;

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

/** The figures of jurisdiction `jcode` (which the caller has checked exists) for `requestedDay` (YYYY-MM-DD). */
export async function wallFigures(db: Kysely<DB>, jcode: string, requestedDay: string, expected = EXPECTED_PATROLS_PER_DAY): Promise<WallFigures> {
  const day = await patrolDay(db, jcode, requestedDay);
  const plan = sql`(SELECT p.id FROM grid_plans p WHERE p.jcode = ${jcode} AND p.status = 'published'
    ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`;
  // no tracks at all: a day no track has, so the patrol counts are 0
  const dayValue = day ?? requestedDay;
  const [totals, grids] = await Promise.all([
    sql<{ plan_id: number | null; workers: number; patrols: number; hazards: number }>`
      SELECT ${plan} AS plan_id,
        (SELECT count(DISTINCT (s.name, coalesce(s.phone, ''))) FROM grid_staff s
          JOIN grids g ON g.jcode = s.jcode AND g.code = s.grid_code AND g.plan_id = ${plan}
          WHERE s.jcode = ${jcode})::int AS workers,
        (SELECT count(*) FROM patrol_tracks t WHERE t.jcode = ${jcode} AND t.day = ${dayValue}::date)::int AS patrols,
        (SELECT count(*) FROM hazards h WHERE h.jcode = ${jcode} AND h.status <> 'closed')::int AS hazards`.execute(db),
    sql<{ code: string; households: number; hazards: number; patrols: number }>`
      SELECT g.code, g.households,
        (SELECT count(*) FROM hazards h WHERE h.jcode = g.jcode AND h.status <> 'closed'
          AND h.geom && g.geom AND ST_Intersects(g.geom, ST_PointOnSurface(h.geom)))::int AS hazards,
        (SELECT count(*) FROM patrol_tracks t WHERE t.jcode = g.jcode AND t.day = ${dayValue}::date
          AND t.geom && g.geom AND ST_Intersects(g.geom, t.geom)
          AND ST_Length(ST_Intersection(g.geom, t.geom)::geography) >= ${PATROL_MIN_SHARE}::float8 * ST_Length(t.geom::geography))::int AS patrols
      FROM grids g WHERE g.jcode = ${jcode} AND g.plan_id = ${plan}
      ORDER BY g.code`.execute(db),
  ]);
  const t = totals.rows[0];
  const perGrid = grids.rows.map((r): WallGridFigures => {
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
