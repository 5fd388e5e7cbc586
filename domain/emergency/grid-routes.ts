/**
 * What a grid's printed sheet draws beyond its list: the grid's outline (published plan of the roster) and the
 * walking route from each address point of the list to its shelter, over the same street graph as the assignment.
 */
import { sql, type Kysely } from 'kysely';
import { buildWalkGraph, type LonLat } from './walk-graph.ts';
import { streetsAround } from './build-roster.ts';
import type { RosterArea, RosterPerson } from './roster-repository.ts';

export async function gridRoutes(db: Kysely<any>, area: RosterArea, gridCode: string, people: RosterPerson[]): Promise<{ gridGeom: unknown; routes: LonLat[][] }> {
  const { rows } = await sql<{ g: string }>`SELECT ST_AsGeoJSON(geom, 7) AS g FROM grids WHERE jcode = ${area.jcode} AND plan_id = ${area.planId} AND code = ${gridCode}`.execute(db);
  const gridGeom = rows[0] ? JSON.parse(rows[0].g) : null;
  if (people.length === 0) return { gridGeom, routes: [] };
  const { rows: shelters } = await sql<{ id: string; x: number; y: number }>`SELECT id, ST_X(geom) AS x, ST_Y(geom) AS y FROM shelters
    WHERE jcode = ${area.jcode} AND id = ANY (${[...new Set(people.map((p) => p.shelterId).filter((s) => s !== null))]}::bigint[])`.execute(db);
  const { lines, crossings } = await streetsAround(db, area.jcode, area.id);
  const graph = buildWalkGraph(lines, crossings, [people[0].lon, people[0].lat]);
  const routes: LonLat[][] = [];
  for (const s of shelters) {
    const to = graph.nearestNode([s.x, s.y]);
    const paths = graph.pathsFrom(to.node);
    const seen = new Set<string>();
    for (const p of people) {
      const key = `${p.lon},${p.lat}`;
      if (p.shelterId !== Number(s.id) || seen.has(key)) continue;
      seen.add(key);
      const path = paths(graph.nearestNode([p.lon, p.lat]).node);
      if (path.length) routes.push([[s.x, s.y], ...path, [p.lon, p.lat]]);
    }
  }
  return { gridGeom, routes };
}
