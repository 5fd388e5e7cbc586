/**
 * The vector tile sets served at /tiles/{set}/{z}/{x}/{y}.mvt: each set is one or more MVT layers, each
 * layer an allow-listed SQL source with the properties it carries. No personal data: no residents,
 * households, staff or patrol workers' names; hazards without their free-text description.
 */
import { sql, type RawBuilder } from 'kysely';

export type GeometryKind = 'point' | 'line' | 'polygon';

export interface TileLayerDef {
  /** layer name inside the tile */
  name: string;
  /** FROM clause; the table aliased t */
  from: RawBuilder<unknown>;
  where?: RawBuilder<unknown>;
  /** property name → SQL expression */
  columns: Array<[string, RawBuilder<unknown>]>;
  /** numeric feature id */
  id?: RawBuilder<unknown>;
  kind: GeometryKind;
  /** smallest zoom that carries the layer */
  minzoom: number;
  /** TileJSON field types */
  fields: Record<string, 'String' | 'Number' | 'Boolean'>;
  description: string;
}

const publishedPlan = sql`JOIN grid_plans p ON p.jcode = t.jcode AND p.id = t.plan_id AND p.status = 'published'`;

const grids: TileLayerDef = {
  name: 'grids', kind: 'polygon', minzoom: 8, description: 'grids of the published plans',
  from: sql`grids t ${publishedPlan}`,
  columns: [['code', sql`t.code`], ['name', sql`t.name`], ['jcode', sql`t.jcode`], ['community', sql`t.community_code`],
    ['households', sql`t.households`], ['reason', sql`t.reason`], ['plan', sql`t.plan_id`]],
  fields: { code: 'String', name: 'String', jcode: 'String', community: 'String', households: 'Number', reason: 'String', plan: 'Number' },
};
const blocks: TileLayerDef = {
  name: 'blocks', kind: 'polygon', minzoom: 12, description: 'street blocks of the published plans',
  from: sql`blocks t ${publishedPlan}`, id: sql`t.id`,
  columns: [['block', sql`t.id`], ['grid', sql`t.grid_code`], ['community', sql`t.community_code`], ['households', sql`t.households`], ['split', sql`t.split`]],
  fields: { block: 'Number', grid: 'String', community: 'String', households: 'Number', split: 'Boolean' },
};
const streets: TileLayerDef = {
  name: 'streets', kind: 'line', minzoom: 10, description: 'streets, paths and rails',
  from: sql`streets t`, where: sql`t.kind <> 'river'`, id: sql`t.id`,
  columns: [['kind', sql`t.kind`], ['name', sql`t.name`]],
  fields: { kind: 'String', name: 'String' },
};
const water: TileLayerDef = {
  name: 'water', kind: 'line', minzoom: 8, description: 'rivers and canals',
  from: sql`streets t`, where: sql`t.kind = 'river'`, id: sql`t.id`,
  columns: [['kind', sql`t.kind`], ['name', sql`t.name`]],
  fields: { kind: 'String', name: 'String' },
};
const buildings: TileLayerDef = {
  name: 'buildings', kind: 'point', minzoom: 13, description: 'address points (buildings) with their household counts',
  from: sql`address_points t`, id: sql`t.id`,
  columns: [['households', sql`t.households`], ['kind', sql`t.building_kind`], ['levels', sql`t.levels`], ['name', sql`t.name`]],
  fields: { households: 'Number', kind: 'String', levels: 'Number', name: 'String' },
};
const hazards: TileLayerDef = {
  name: 'hazards', kind: 'point', minzoom: 10, description: 'hazards (polygons shown by their outline)',
  from: sql`hazards t`, id: sql`t.id`,
  columns: [['kind', sql`t.kind`], ['severity', sql`t.severity`], ['status', sql`t.status`]],
  fields: { kind: 'String', severity: 'Number', status: 'String' },
};
const cameras: TileLayerDef = {
  name: 'cameras', kind: 'point', minzoom: 12, description: 'video cameras',
  from: sql`cameras t`, id: sql`t.id`,
  columns: [['code', sql`t.code`], ['name', sql`t.name`], ['bearing', sql`t.bearing`], ['fov', sql`t.fov`], ['range_m', sql`t.range_m`]],
  fields: { code: 'String', name: 'String', bearing: 'Number', fov: 'Number', range_m: 'Number' },
};
const tracks: TileLayerDef = {
  name: 'tracks', kind: 'line', minzoom: 12, description: 'patrol tracks (day only; no worker names)',
  from: sql`patrol_tracks t`, id: sql`t.id`,
  columns: [['day', sql`to_char(t.day, 'YYYY-MM-DD')`]],
  fields: { day: 'String' },
};
const boundaries: TileLayerDef = {
  name: 'boundaries', kind: 'polygon', minzoom: 0, description: 'jurisdiction, township and community outlines with names',
  from: sql`jurisdictions t`, columns: [['code', sql`t.code`], ['name', sql`t.name`], ['level', sql`t.level`]],
  fields: { code: 'String', name: 'String', level: 'String' },
};

/** Tile set name → its layers (drawn in this order). */
export const TILE_SETS: Readonly<Record<string, readonly TileLayerDef[]>> = Object.freeze({
  grids: [grids],
  blocks: [blocks],
  streets: [streets],
  buildings: [buildings],
  hazards: [hazards],
  cameras: [cameras],
  tracks: [tracks],
  basemap: [water, streets, buildings, boundaries],
});

export const TILE_SET_NAMES = Object.keys(TILE_SETS);

/** Most features of one layer in one tile. */
export const TILE_FEATURE_LIMIT = 20_000;
