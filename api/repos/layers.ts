/**
 * The map layers of one jurisdiction as GeoJSON FeatureCollections. The layer names are an allow-list;
 * every value reaches SQL as a parameter. Features are assembled from per-row JSON text made by PostGIS
 * (`ST_AsGeoJSON`, `json_build_object` with explicit keys) without re-parsing geometry in Node. A whole layer is an
 * open, heavy read: it is read in steps (data/db/read-in-steps.ts) so lookups are answered meanwhile.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../data/db/schema.ts';
import { readInSteps } from '../../data/db/read-in-steps.ts';
import type { Bbox } from '../routes/query-params.ts';

export const LAYER_NAMES = ['boundary', 'communities', 'streets', 'address_points', 'units', 'hazards', 'cameras', 'grids'] as const;
export type LayerName = (typeof LAYER_NAMES)[number];

export function isLayerName(s: string): s is LayerName {
  return (LAYER_NAMES as readonly string[]).includes(s);
}

/** Decimal places of coordinates in answers: 6 is about 0.1 m. */
const PRECISION = 6;

interface LayerSql {
  /** FROM clause, the table aliased `t` */
  from: RawBuilder<unknown>;
  id: RawBuilder<unknown>;
  properties: RawBuilder<unknown>;
  /** extra predicate besides jcode and bbox */
  where?: (jcode: string) => RawBuilder<unknown>;
  order: RawBuilder<unknown>;
}

const publishedPlan = (jcode: string) => sql`(SELECT p.id FROM grid_plans p WHERE p.jcode = ${jcode} AND p.status = 'published'
  ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT 1)`;

// Never residents, households or staff: the map layers carry no personal data.
const LAYERS: Record<LayerName, LayerSql> = {
  boundary: {
    from: sql`jurisdictions t`,
    id: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'level', t.level)`,
    where: () => sql`t.code = t.jcode`,
    order: sql`t.code`,
  },
  communities: {
    from: sql`jurisdictions t`,
    id: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'level', t.level, 'parentCode', t.parent_code, 'households', t.households)`,
    where: () => sql`t.level = 'community'`,
    order: sql`t.code`,
  },
  streets: {
    from: sql`streets t`,
    id: sql`t.id`,
    properties: sql`json_build_object('kind', t.kind, 'name', t.name)`,
    order: sql`t.id`,
  },
  address_points: {
    from: sql`address_points t`,
    id: sql`t.id`,
    properties: sql`json_build_object('households', t.households, 'name', t.name, 'buildingKind', t.building_kind, 'levels', t.levels)`,
    order: sql`t.id`,
  },
  units: {
    from: sql`units t`,
    id: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'kind', t.kind, 'dedicated', t.dedicated)`,
    order: sql`t.code`,
  },
  hazards: {
    from: sql`hazards t`,
    id: sql`t.id`,
    properties: sql`json_build_object('kind', t.kind, 'severity', t.severity, 'status', t.status, 'reportedAt', t.reported_at)`,
    order: sql`t.id`,
  },
  cameras: {
    from: sql`cameras t`,
    id: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'bearing', t.bearing, 'fov', t.fov, 'rangeM', t.range_m)`,
    order: sql`t.code`,
  },
  grids: {
    from: sql`grids t`,
    id: sql`t.code`,
    properties: sql`json_build_object('code', t.code, 'name', t.name, 'communityCode', t.community_code, 'households', t.households,
      'reason', t.reason, 'planId', t.plan_id)`,
    where: (jcode) => sql`t.plan_id = ${publishedPlan(jcode)}`,
    order: sql`t.code`,
  },
};

export interface LayerQuery {
  jcode: string;
  bbox?: Bbox;
  /** at most this many features; one more is read to tell whether the answer was cut */
  limit: number;
}

export interface LayerAnswer {
  /** the FeatureCollection as JSON text */
  json: string;
  numberReturned: number;
  truncated: boolean;
}

/** Read one layer of one jurisdiction as a GeoJSON FeatureCollection (JSON text). */
export async function readLayer(db: Kysely<DB>, layer: LayerName, q: LayerQuery): Promise<LayerAnswer> {
  const L = LAYERS[layer];
  const preds: RawBuilder<unknown>[] = [sql`t.jcode = ${q.jcode}`];
  if (L.where) preds.push(L.where(q.jcode));
  if (q.bbox) {
    const [minx, miny, maxx, maxy] = q.bbox;
    preds.push(sql`t.geom && ST_MakeEnvelope(${minx}::float8, ${miny}::float8, ${maxx}::float8, ${maxy}::float8, 4326)`);
  }
  const rows = await readInSteps(db, sql<{ id: string | number; g: string; p: string }>`
    SELECT ${L.id} AS id, ST_AsGeoJSON(t.geom, ${PRECISION}::int) AS g, ${L.properties}::text AS p
    FROM ${L.from}
    WHERE ${sql.join(preds, sql` AND `)}
    ORDER BY ${L.order}
    LIMIT ${q.limit + 1}::int`);
  const truncated = rows.length > q.limit;
  const n = truncated ? q.limit : rows.length;
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const id = typeof r.id === 'string' ? JSON.stringify(r.id) : String(Number(r.id));
    parts[i] = `{"type":"Feature","id":${id},"geometry":${r.g},"properties":${r.p}}`;
  }
  const json = `{"type":"FeatureCollection","layer":${JSON.stringify(layer)},"jcode":${JSON.stringify(q.jcode)},`
    + `"numberReturned":${n},"truncated":${truncated},"features":[${parts.join(',')}]}`;
  return { json, numberReturned: n, truncated };
}
