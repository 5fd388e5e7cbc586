/**
 * Jurisdictions and their hierarchy (county → township → community), read for the API. A top-level
 * jurisdiction is the row whose code equals its jcode; its households are summed from its address points.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, JurisdictionLevel } from '../../data/db/schema.ts';

export interface JurisdictionNode {
  jcode: string;
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentCode: string | null;
  households: number | null;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  children: JurisdictionNode[];
}

interface Row {
  jcode: string;
  code: string;
  name: string;
  level: JurisdictionLevel;
  parent_code: string | null;
  households: number | null;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

function tree(rows: Row[]): JurisdictionNode[] {
  const nodes = new Map<string, JurisdictionNode>();
  for (const r of rows) {
    nodes.set(`${r.jcode}\u0000${r.code}`, {
      jcode: r.jcode, code: r.code, name: r.name, level: r.level, parentCode: r.parent_code,
      households: r.households === null ? null : Number(r.households),
      bbox: [Number(r.minx), Number(r.miny), Number(r.maxx), Number(r.maxy)],
      children: [],
    });
  }
  const roots: JurisdictionNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentCode !== null && n.code !== n.jcode ? nodes.get(`${n.jcode}\u0000${n.parentCode}`) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

async function rowsOf(db: Kysely<DB>, jcode?: string): Promise<Row[]> {
  let q = db
    .selectFrom('jurisdictions as j')
    .leftJoin(
      (eb) => eb.selectFrom('address_points').select(['jcode', sql<number>`sum(households)::int`.as('hh')]).groupBy('jcode').as('a'),
      (join) => join.onRef('a.jcode', '=', 'j.jcode').on(sql<boolean>`j.code = j.jcode`),
    )
    .select([
      'j.jcode', 'j.code', 'j.name', 'j.level', 'j.parent_code',
      sql<number | null>`coalesce(j.households, a.hh)`.as('households'),
      sql<number>`ST_XMin(j.geom::box2d)`.as('minx'),
      sql<number>`ST_YMin(j.geom::box2d)`.as('miny'),
      sql<number>`ST_XMax(j.geom::box2d)`.as('maxx'),
      sql<number>`ST_YMax(j.geom::box2d)`.as('maxy'),
    ])
    .orderBy('j.jcode')
    .orderBy(sql`j.code = j.jcode`, 'desc')
    .orderBy('j.code');
  if (jcode !== undefined) q = q.where('j.jcode', '=', jcode);
  return (await q.execute()) as Row[];
}

/** Every jurisdiction as a forest: top-level jurisdictions with their children nested. */
export async function listJurisdictions(db: Kysely<DB>): Promise<JurisdictionNode[]> {
  return tree(await rowsOf(db));
}

/** One top-level jurisdiction with its children, or null when no such jcode is loaded. */
export async function getJurisdiction(db: Kysely<DB>, jcode: string): Promise<JurisdictionNode | null> {
  const roots = tree(await rowsOf(db, jcode));
  return roots.find((r) => r.code === jcode) ?? roots[0] ?? null;
}

/** Whether any row of `jcode` is in the jurisdictions table. */
export async function jurisdictionExists(db: Kysely<DB>, jcode: string): Promise<boolean> {
  const r = await db.selectFrom('jurisdictions').select('code').where('jcode', '=', jcode).limit(1).executeTakeFirst();
  return r !== undefined;
}

/** The bounding box [minLon, minLat, maxLon, maxLat] of everything stored under `jcode`'s outline, or null when not loaded. */
export async function jurisdictionExtent(db: Kysely<DB>, jcode: string): Promise<[number, number, number, number] | null> {
  const { rows } = await sql<{ x0: number | null; y0: number | null; x1: number | null; y1: number | null }>`
    SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
    FROM (SELECT ST_Extent(geom) AS e FROM jurisdictions WHERE jcode = ${jcode}) t`.execute(db);
  const r = rows[0];
  if (!r || r.x0 === null || r.y0 === null || r.x1 === null || r.y1 === null) return null;
  return [Number(r.x0), Number(r.y0), Number(r.x1), Number(r.y1)];
}
