/**
 * Nesting as stored: grids with more than NESTING_TOLERANCE of their area outside their community, and why.
 * The engine keeps every grid inside its community except where the data leave no way to: a unit (gated
 * compound, school, enterprise) that lies across a community outline is kept whole (whole units), so its grid
 * crosses the outline. Such a grid is reported with the unit and the share outside, so the planner can fix the
 * outline or the unit; it is a conflict in the data, not a choice of the engine.
 */
import { sql, type Kysely } from 'kysely';
import { NESTING_TOLERANCE } from '../rules/bounds.ts';

export interface NestingConflict {
  grid: string;
  community: string;
  /** share of the grid's area outside its community */
  outside: number;
  /** units of the grid lying across the community outline (more than the tolerance of their area outside) */
  units: string[];
}

/** The grids of a stored plan outside their community by more than the tolerance. */
export async function nestingConflicts(db: Kysely<any>, jcode: string, planId: number): Promise<NestingConflict[]> {
  const { rows } = await sql<{ code: string; community: string; outside: number; units: string | null }>`
    WITH x AS (
      SELECT g.code, g.community_code AS community, g.geom, c.geom AS cg,
        1 - ST_Area(ST_Intersection(g.geom, c.geom, 1e-9)::geography) / NULLIF(ST_Area(g.geom::geography), 0) AS outside
      FROM grids g JOIN jurisdictions c ON c.jcode = g.jcode AND c.code = g.community_code AND c.level = 'community'
      WHERE g.jcode = ${jcode} AND g.plan_id = ${planId}::bigint)
    SELECT code, community, outside,
      (SELECT string_agg(u.code, ',' ORDER BY u.code) FROM units u
        WHERE u.jcode = ${jcode} AND u.geom && x.geom
          AND ST_Area(ST_Intersection(u.geom, x.geom, 1e-9)) > 0.5 * ST_Area(u.geom)
          AND ST_Area(ST_Difference(u.geom, x.cg, 1e-9)) > ${NESTING_TOLERANCE} * ST_Area(u.geom)) AS units
    FROM x WHERE outside > ${NESTING_TOLERANCE} ORDER BY outside DESC, code`.execute(db);
  return rows.map((r) => ({ grid: r.code, community: r.community, outside: +Number(r.outside).toFixed(4), units: r.units ? r.units.split(',') : [] }));
}
