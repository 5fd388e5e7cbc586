/**
 * Test support: the independent check of issue 14 — which households lie in a drawn area by point in polygon
 * (turf, outside PostGIS) — and how often each household is on a roster.
 */
import { sql, type Kysely } from 'kysely';
import { booleanPointInPolygon } from '@turf/turf';

/** Households of `jcode` whose address point is in `polygon` (boundary included), by turf; and how many there are in all. */
export async function householdsInside(db: Kysely<any>, jcode: string, polygon: Parameters<typeof booleanPointInPolygon>[1]): Promise<{ inside: Set<number>; all: number }> {
  const { rows } = await sql<{ id: string; x: number; y: number }>`SELECT h.id, ST_X(a.geom) AS x, ST_Y(a.geom) AS y
    FROM households h JOIN address_points a ON a.jcode = h.jcode AND a.id = h.address_point_id WHERE h.jcode = ${jcode}`.execute(db);
  return { inside: new Set(rows.filter((h) => booleanPointInPolygon([h.x, h.y], polygon)).map((h) => Number(h.id))), all: rows.length };
}

/** Each household on roster `rosterId` with the number of times it is there. */
export async function rosterHouseholdTimes(db: Kysely<any>, jcode: string, rosterId: number): Promise<Map<number, number>> {
  const { rows } = await sql<{ household_id: string; n: number }>`SELECT household_id, count(*)::int AS n FROM roster_households
    WHERE jcode = ${jcode} AND roster_id = ${rosterId} GROUP BY household_id`.execute(db);
  return new Map(rows.map((r) => [Number(r.household_id), r.n]));
}
