/**
 * The feature collections served by OGC API – Features (/ogc): grids of the published plans, their blocks,
 * streets, units, hazards and cameras, across every loaded jurisdiction (filter with `jcode=`). Never
 * residents, households or staff. Collection ids are an allow-list; every value reaches SQL as a parameter.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { readInSteps } from '../../data/db/read-in-steps.ts';
import type { Bbox } from '../routes/query-params.ts';

export interface CollectionDef {
  id: string;
  title: string;
  description: string;
  geometry: 'MultiPolygon' | 'LineString' | 'Point' | 'Geometry';
  from: RawBuilder<unknown>;
  /** text id of a feature */
  id_: RawBuilder<unknown>;
  properties: RawBuilder<unknown>;
  order: RawBuilder<unknown>;
}

const published = sql`JOIN grid_plans p ON p.jcode = t.jcode AND p.id = t.plan_id AND p.status = 'published'`;

export const COLLECTIONS: readonly CollectionDef[] = [
  {
    id: 'grids', title: '网格 Grids', description: 'Grids of the published plan of each jurisdiction', geometry: 'MultiPolygon',
    from: sql`grids t ${published}`, id_: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'jcode', t.jcode, 'community', t.community_code, 'households', t.households, 'reason', t.reason, 'plan_id', t.plan_id)`,
    order: sql`t.jcode, t.code`,
  },
  {
    id: 'blocks', title: '街区 Blocks', description: 'Street blocks of the published plans with the grid each belongs to', geometry: 'MultiPolygon',
    from: sql`blocks t ${published}`, id_: sql`(t.jcode || '.' || t.id)`,
    properties: sql`json_build_object('block', t.id, 'jcode', t.jcode, 'grid', t.grid_code, 'community', t.community_code, 'households', t.households, 'split', t.split)`,
    order: sql`t.jcode, t.id`,
  },
  {
    id: 'streets', title: '道路 Streets', description: 'Streets, paths, rivers and rails', geometry: 'LineString',
    from: sql`streets t`, id_: sql`t.id::text`,
    properties: sql`json_build_object('jcode', t.jcode, 'kind', t.kind, 'name', t.name)`,
    order: sql`t.id`,
  },
  {
    id: 'units', title: '单位 Units', description: 'Schools, enterprises, hospitals and other units kept whole in grids', geometry: 'MultiPolygon',
    from: sql`units t`, id_: sql`t.id::text`,
    properties: sql`json_build_object('jcode', t.jcode, 'code', t.code, 'name', t.name, 'kind', t.kind, 'dedicated', t.dedicated)`,
    order: sql`t.id`,
  },
  {
    id: 'hazards', title: '隐患 Hazards', description: 'Reported hazards (kind, severity, status)', geometry: 'Geometry',
    from: sql`hazards t`, id_: sql`t.id::text`,
    properties: sql`json_build_object('jcode', t.jcode, 'kind', t.kind, 'severity', t.severity, 'status', t.status, 'reported_at', t.reported_at)`,
    order: sql`t.id`,
  },
  {
    id: 'cameras', title: '监控 Cameras', description: 'Video cameras with bearing, field of view and range', geometry: 'Point',
    from: sql`cameras t`, id_: sql`t.id::text`,
    properties: sql`json_build_object('jcode', t.jcode, 'code', t.code, 'name', t.name, 'bearing', t.bearing, 'fov', t.fov, 'range_m', t.range_m)`,
    order: sql`t.id`,
  },
];

export function collectionById(id: string): CollectionDef | undefined {
  return COLLECTIONS.find((c) => c.id === id);
}

export interface ItemsQuery {
  bbox?: Bbox;
  jcode?: string;
  limit: number;
  offset: number;
}

export interface ItemsPage {
  /** Feature JSON texts */
  features: string[];
  numberMatched: number;
}

function predicates(q: { bbox?: Bbox; jcode?: string }): RawBuilder<unknown> {
  const preds: RawBuilder<unknown>[] = [sql`true`];
  if (q.jcode !== undefined) preds.push(sql`t.jcode = ${q.jcode}`);
  if (q.bbox) {
    const [a, b, c, d] = q.bbox;
    const env = sql`ST_MakeEnvelope(${a}::float8, ${b}::float8, ${c}::float8, ${d}::float8, 4326)`;
    preds.push(sql`t.geom && ${env} AND ST_Intersects(t.geom, ${env})`);
  }
  return sql.join(preds, sql` AND `);
}

const featureText = (id: string, g: string, p: string) => `{"type":"Feature","id":${JSON.stringify(id)},"geometry":${g},"properties":${p}}`;

/** One page of a collection's features (GeoJSON, 7 decimals) and how many match in all. */
export async function readItems(db: Kysely<DB>, c: CollectionDef, q: ItemsQuery): Promise<ItemsPage> {
  const where = predicates(q);
  // a page of up to 10,000 is an open, heavy read: in steps, so lookups are answered meanwhile
  const [rows, count] = await Promise.all([
    readInSteps(db, sql<{ id: string; g: string; p: string }>`SELECT ${c.id_} AS id, ST_AsGeoJSON(t.geom, 7) AS g, ${c.properties}::text AS p
      FROM ${c.from} WHERE ${where} ORDER BY ${c.order} LIMIT ${q.limit}::int OFFSET ${q.offset}::int`),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM ${c.from} WHERE ${where}`.execute(db),
  ]);
  return { features: rows.map((r) => featureText(String(r.id), r.g, r.p)), numberMatched: Number(count.rows[0]?.n ?? 0) };
}

/** One feature by id (JSON text), or null. */
export async function readItem(db: Kysely<DB>, c: CollectionDef, id: string): Promise<string | null> {
  const { rows } = await sql<{ id: string; g: string; p: string }>`SELECT ${c.id_} AS id, ST_AsGeoJSON(t.geom, 7) AS g, ${c.properties}::text AS p
    FROM ${c.from} WHERE ${c.id_} = ${id} LIMIT 1`.execute(db);
  return rows[0] ? featureText(String(rows[0].id), rows[0].g, rows[0].p) : null;
}

/** The extent of every loaded jurisdiction [minLon, minLat, maxLon, maxLat], or the world when none. */
export async function dataExtent(db: Kysely<DB>): Promise<[number, number, number, number]> {
  const { rows } = await sql<{ a: number | null; b: number | null; c: number | null; d: number | null }>`
    SELECT ST_XMin(e) AS a, ST_YMin(e) AS b, ST_XMax(e) AS c, ST_YMax(e) AS d
    FROM (SELECT ST_Extent(geom) AS e FROM jurisdictions WHERE code = jcode) x`.execute(db);
  const r = rows[0];
  if (!r || r.a === null) return [-180, -90, 180, 90];
  return [Number(r.a), Number(r.b), Number(r.c), Number(r.d)];
}
