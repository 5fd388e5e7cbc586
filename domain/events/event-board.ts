/**
 * 一牌: per grid of a jurisdiction, the open events and how many are yellow and red, and the closed ones on time;
 * and the hotspots: places with repeated events (at least 3 of a type within 30 days and 50 m), per grid.
 */
import { sql, type Kysely } from 'kysely';
import { latLngToCell } from 'h3-js';
import type { DB } from '../../data/db/schema.ts';
import { utmSrid } from '../../spatial/geo/utm.ts';
import { scopePredicate, withEventScope } from './event-scope.ts';
import type { Actor } from './workflow.ts';

export interface BoardRow { gridCode: string | null; open: number; green: number; yellow: number; red: number; closed: number; closedOnTime: number; onTimeRate: number | null }

/** The board of every grid of `jcode` (or of one grid) that `actor` may see, at `now`. */
export async function eventBoard(db: Kysely<DB>, actor: Actor, jcode: string, now: Date, grid?: string): Promise<BoardRow[]> {
  return withEventScope(db, actor, async (trx) => {
    const { rows } = await sql<{ grid_code: string | null; open: number; yellow: number; red: number; closed: number; on_time: number }>`
      SELECT e.grid_code, count(*) FILTER (WHERE e.closed_at IS NULL)::int AS open,
        count(*) FILTER (WHERE e.closed_at IS NULL AND e.deadline_at >= ${now} AND e.yellow_at <= ${now})::int AS yellow,
        count(*) FILTER (WHERE e.closed_at IS NULL AND e.deadline_at < ${now})::int AS red,
        count(*) FILTER (WHERE e.closed_at IS NOT NULL AND e.stage <> 'rejected')::int AS closed,
        count(*) FILTER (WHERE e.on_time)::int AS on_time
      FROM events e WHERE e.jcode = ${jcode} AND ${scopePredicate(actor, jcode)} ${grid === undefined ? sql`` : sql`AND e.grid_code = ${grid}`}
      GROUP BY e.grid_code ORDER BY count(*) FILTER (WHERE e.closed_at IS NULL AND e.deadline_at < ${now}) DESC, e.grid_code`.execute(trx);
    return rows.map((r) => ({
      gridCode: r.grid_code, open: r.open, green: r.open - r.yellow - r.red, yellow: r.yellow, red: r.red, closed: r.closed, closedOnTime: r.on_time,
      onTimeRate: r.closed > 0 ? Math.round((r.on_time / r.closed) * 1000) / 1000 : null,
    }));
  });
}

export const HOTSPOT_MIN_EVENTS = 3;
export const HOTSPOT_METRES = 50;
export const HOTSPOT_DAYS = 30;

export interface Hotspot { typeCode: string; gridCode: string | null; events: number; eventIds: number[]; lon: number; lat: number; h3: string; first: string; last: string }

/**
 * Hotspots of `jcode` in the 30 days before `now`: clusters (DBSCAN, 50 m in the local UTM zone, at least 3) of
 * events of one type, each with the grid most of its events are in and its H3 cell (resolution 9).
 */
export async function eventHotspots(db: Kysely<DB>, actor: Actor, jcode: string, now: Date, grid?: string): Promise<Hotspot[]> {
  const centre = await sql<{ lon: number; lat: number }>`SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
    FROM jurisdictions WHERE jcode = ${jcode} AND code = ${jcode}`.execute(db);
  if (!centre.rows[0]) return [];
  const srid = utmSrid(Number(centre.rows[0].lon), Number(centre.rows[0].lat));
  const since = new Date(now.getTime() - HOTSPOT_DAYS * 86_400_000);
  return withEventScope(db, actor, async (trx) => {
    const { rows } = await sql<{ type_code: string; grid_code: string | null; n: number; ids: Array<string | number>; lon: number; lat: number; first: Date; last: Date }>`
      SELECT t.type_code, mode() WITHIN GROUP (ORDER BY t.grid_code) AS grid_code, count(*)::int AS n, array_agg(t.id ORDER BY t.id) AS ids,
        ST_X(ST_Centroid(ST_Collect(t.geom))) AS lon, ST_Y(ST_Centroid(ST_Collect(t.geom))) AS lat, min(t.reported_at) AS first, max(t.reported_at) AS last
      FROM (SELECT e.id, e.type_code, e.grid_code, e.geom, e.reported_at,
          ST_ClusterDBSCAN(ST_Transform(e.geom, ${srid}::int), eps := ${HOTSPOT_METRES}::float8, minpoints := ${HOTSPOT_MIN_EVENTS}::int) OVER (PARTITION BY e.type_code) AS cid
        FROM events e WHERE e.jcode = ${jcode} AND ${scopePredicate(actor, jcode)} AND e.geom IS NOT NULL
          AND e.reported_at >= ${since} AND e.reported_at <= ${now}) t
      WHERE t.cid IS NOT NULL GROUP BY t.type_code, t.cid HAVING count(*) >= ${HOTSPOT_MIN_EVENTS}
      ORDER BY count(*) DESC, t.type_code`.execute(trx);
    return rows
      .map((r) => ({
        typeCode: r.type_code, gridCode: r.grid_code, events: r.n, eventIds: r.ids.map(Number), lon: Number(r.lon), lat: Number(r.lat),
        h3: latLngToCell(Number(r.lat), Number(r.lon), 9), first: new Date(r.first).toISOString(), last: new Date(r.last).toISOString(),
      }))
      .filter((h) => grid === undefined || h.gridCode === grid);
  });
}
