/**
 * From generic features (GeoJSON, Shapefile, GeoPackage, CSV rows: a geometry in the declared CRS plus
 * attributes) to typed records of one layer: the layer given, or inferred from geometry types and attribute
 * names. Attribute names are matched case-insensitively with English and Chinese aliases (households/户数,
 * name/名称, kind/类型, …). Every refusal names the file and feature index (or CSV line).
 */
import path from 'node:path';
import * as turf from '@turf/turf';
import { WanggeError, type ErrorWhere } from '../errors.ts';
import { STREET_KINDS, type StreetKind } from '../db/schema.ts';
import type { Crs } from '../crs/parse-crs.ts';
import { transformGeometry } from '../crs/transform-geometry.ts';
import { estimateHouseholds, levelsFor, parseLevels, type HouseholdFormula } from './household-formula.ts';
import { streetKindForTags } from './osm-tags.ts';
import type { GeoJSONGeometry } from '../formats/geojson-read.ts';
import {
  emptyRecords, LAYERS, type ImportRecords, type Layer, type LineGeometry, type MultiPolygonGeometry, type PointGeometry, type Position,
} from './records.ts';

/** Any GeoJSON geometry but a collection, as every reader hands it over (still in the source CRS). */
export type SourceGeometry = GeoJSONGeometry;

/** One feature as a reader found it: geometry still in the source CRS. */
export interface SourceFeature {
  geometry: SourceGeometry | null;
  properties: Record<string, unknown>;
  where: ErrorWhere;
}

export interface LayerOptions {
  /** the target layer; inferred when absent */
  layer?: Layer;
  crs: Crs;
  /** the file, for messages and default codes */
  file: string;
  /** estimate missing household counts of building polygons with the formula (otherwise refused) */
  estimateHouseholds?: boolean;
  formula: HouseholdFormula;
}

export const ALIASES = {
  households: ['households', 'household', 'hh', 'hhs', '户数', '住户数', '户数量'],
  name: ['name', '名称', '名字', 'mc'],
  address: ['address', 'addr', '地址', '门牌'],
  kind: ['kind', 'type', 'class', '类型', '类别', '种类'],
  highway: ['highway', 'fclass'],
  code: ['code', '编码', '代码', '编号', 'bm', 'dm'],
  level: ['level', '级别', '层级'],
  parentCode: ['parent_code', 'parent', '上级编码', '上级代码'],
  dedicated: ['dedicated', '专属', '专属网格'],
  severity: ['severity', '等级', '严重程度', '风险等级'],
  status: ['status', '状态'],
  description: ['description', 'desc', '描述', '说明'],
  reportedAt: ['reported_at', 'reported', 'time', 'date', '上报时间', '时间'],
  bearing: ['bearing', 'direction', 'camera:direction', 'azimuth', '方向', '朝向', '方位角'],
  fov: ['fov', 'field_of_view', 'angle', '视场角', '视角'],
  range: ['range_m', 'range', 'distance', '视距', '距离'],
  levels: ['levels', 'building:levels', 'building_levels', 'floors', '层数', '楼层数'],
  building: ['building', 'building_kind', '建筑类型'],
} as const;

/** The first non-empty value among `aliases` in `props` (keys compared case-insensitively). */
export function prop(props: Record<string, unknown>, aliases: readonly string[]): unknown {
  for (const a of aliases) {
    if (props[a] !== undefined && props[a] !== null && props[a] !== '') return props[a];
  }
  const lower = new Map(Object.keys(props).map((k) => [k.toLowerCase().trim(), k]));
  for (const a of aliases) {
    const k = lower.get(a.toLowerCase());
    if (k !== undefined && props[k] !== undefined && props[k] !== null && props[k] !== '') return props[k];
  }
  return undefined;
}

const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v).trim() || null);

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v.trim());
  return Number.NaN;
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return typeof v === 'string' && /^(true|yes|y|1|t|是)$/i.test(v.trim());
}

/** Chinese street classes as departments write them, onto the street kinds. */
const CHINESE_KINDS: Record<string, StreetKind> = {
  高速: 'motorway', 高速公路: 'motorway', 快速路: 'motorway', 主干道: 'primary', 主干路: 'primary', 次干道: 'secondary', 次干路: 'secondary',
  支路: 'tertiary', 街巷: 'residential', 小区路: 'residential', 胡同: 'residential', 内部路: 'service', 步行道: 'path', 人行道: 'path',
  河流: 'river', 河道: 'river', 水系: 'river', 铁路: 'rail', 轨道: 'rail',
};

function streetKind(props: Record<string, unknown>): StreetKind | null {
  const k = str(prop(props, ALIASES.kind));
  if (k && (STREET_KINDS as readonly string[]).includes(k.toLowerCase())) return k.toLowerCase() as StreetKind;
  if (k && CHINESE_KINDS[k]) return CHINESE_KINDS[k];
  const h = str(prop(props, ALIASES.highway)) ?? k;
  if (h) return streetKindForTags({ highway: h.toLowerCase() }) ?? streetKindForTags({ railway: h.toLowerCase() }) ?? streetKindForTags({ waterway: h.toLowerCase() });
  return null;
}

const has = (keys: Set<string>, aliases: readonly string[]) => aliases.some((a) => keys.has(a.toLowerCase()));

/** The layer a set of features most plausibly belongs to; WanggeError bad_request when it cannot tell. */
export function inferLayer(features: SourceFeature[], file: string): Layer {
  const types = new Set(features.map((f) => f.geometry?.type).filter(Boolean));
  const keys = new Set<string>();
  for (const f of features.slice(0, 1000)) for (const k of Object.keys(f.properties)) keys.add(k.toLowerCase().trim());
  const only = (...t: string[]) => types.size > 0 && [...types].every((x) => t.includes(x as string));
  if (has(keys, ALIASES.severity)) return 'hazards';
  if (only('Point', 'MultiPoint')) {
    if (has(keys, ALIASES.bearing) || has(keys, ALIASES.fov) || has(keys, ALIASES.range)) return 'cameras';
    return 'address_points';
  }
  if (only('LineString', 'MultiLineString')) return 'streets';
  if (only('Polygon', 'MultiPolygon')) {
    if (has(keys, ALIASES.dedicated)) return 'units';
    if (has(keys, ALIASES.households) || has(keys, ALIASES.building) || has(keys, ALIASES.levels)) return 'address_points';
    if (has(keys, ALIASES.level) || has(keys, ALIASES.parentCode)) return 'communities';
  }
  throw new WanggeError('bad_request',
    `cannot tell which layer this file holds (geometry ${[...types].join(', ') || 'none'}; attributes ${[...keys].slice(0, 8).join(', ') || 'none'}): give --layer ${LAYERS.join('|')}`,
    { file, parameter: 'layer' });
}

const allowedTypes: Record<Layer, readonly string[]> = {
  streets: ['LineString', 'MultiLineString'],
  address_points: ['Point', 'MultiPoint', 'Polygon', 'MultiPolygon'],
  units: ['Polygon', 'MultiPolygon'],
  communities: ['Polygon', 'MultiPolygon'],
  hazards: ['Point', 'LineString', 'Polygon', 'MultiPolygon'],
  cameras: ['Point', 'MultiPoint'],
};

/** Minimal structure checks any reader's geometry must pass (readers other than GeoJSON build them themselves). */
export function checkGeometryShape(g: SourceGeometry, where: ErrorWhere): void {
  const ring = (r: Position[]) => {
    if (!Array.isArray(r) || r.length < 4) throw new WanggeError('bad_feature', 'a polygon ring needs at least four positions', where);
    const a = r[0];
    const b = r[r.length - 1];
    if (a[0] !== b[0] || a[1] !== b[1]) throw new WanggeError('bad_feature', 'a polygon ring is not closed', where);
  };
  const line = (l: Position[]) => {
    if (!Array.isArray(l) || l.length < 2) throw new WanggeError('bad_feature', 'a line needs at least two positions', where);
  };
  switch (g.type) {
    case 'Point': if (!Array.isArray(g.coordinates) || g.coordinates.length < 2) throw new WanggeError('bad_feature', 'a point needs two coordinates', where); break;
    case 'MultiPoint': if (!g.coordinates.length) throw new WanggeError('bad_feature', 'empty MultiPoint', where); break;
    case 'LineString': line(g.coordinates); break;
    case 'MultiLineString': if (!g.coordinates.length) throw new WanggeError('bad_feature', 'empty MultiLineString', where); g.coordinates.forEach(line); break;
    case 'Polygon': if (!g.coordinates.length) throw new WanggeError('bad_feature', 'empty Polygon', where); g.coordinates.forEach(ring); break;
    case 'MultiPolygon': if (!g.coordinates.length) throw new WanggeError('bad_feature', 'empty MultiPolygon', where); g.coordinates.forEach((p) => { if (!p.length) throw new WanggeError('bad_feature', 'empty polygon', where); p.forEach(ring); }); break;
    default: throw new WanggeError('bad_feature', `unsupported geometry type ${(g as { type: string }).type}`, where);
  }
}

const toMulti = (g: SourceGeometry): MultiPolygonGeometry =>
  (g.type === 'Polygon' ? { type: 'MultiPolygon', coordinates: [g.coordinates] } : g as MultiPolygonGeometry);

/** A point inside a building footprint: its centre of mass, or a point on the surface when that falls outside. */
export function footprintPoint(g: { type: 'Polygon' | 'MultiPolygon'; coordinates: any }): Position {
  const f = turf.feature(g as any);
  const c = turf.centerOfMass(f as any);
  if (turf.booleanPointInPolygon(c, f as any)) return c.geometry.coordinates;
  return turf.pointOnFeature(f as any).geometry.coordinates;
}

function integerAtLeast1(v: unknown, field: string, where: ErrorWhere): number {
  const n = num(v);
  if (n === undefined) throw new WanggeError('bad_feature', `missing household count (${field})`, { ...where, field });
  if (!Number.isInteger(n) || n < 1) throw new WanggeError('bad_feature', `households must be an integer >= 1, got ${JSON.stringify(v)}`, { ...where, field });
  return n;
}

/** Convert features to records of one layer (converted to WGS-84 and checked). */
export function featuresToRecords(features: SourceFeature[], opts: LayerOptions): { layer: Layer; records: ImportRecords } {
  const records = emptyRecords();
  if (features.length === 0) throw new WanggeError('bad_file', 'the file holds no features', { file: opts.file });
  const layer = opts.layer ?? inferLayer(features, opts.file);
  const stem = path.basename(opts.file).replace(/\.[^.]*$/, '');
  features.forEach((f, i) => {
    const where = f.where;
    if (!f.geometry) throw new WanggeError('bad_feature', 'has no geometry', where);
    if (!allowedTypes[layer].includes(f.geometry.type)) {
      throw new WanggeError('bad_feature', `geometry type ${f.geometry.type} does not fit layer ${layer} (expected ${allowedTypes[layer].join(' or ')})`, where);
    }
    checkGeometryShape(f.geometry, where);
    let g = transformGeometry(f.geometry, opts.crs, where);
    if (g.type === 'MultiPoint') {
      if (g.coordinates.length !== 1) throw new WanggeError('bad_feature', `a MultiPoint of ${g.coordinates.length} points is not one ${layer === 'cameras' ? 'camera' : 'address point'}`, where);
      g = { type: 'Point', coordinates: g.coordinates[0] };
    }
    const p = f.properties;
    const sourceId = str(p.id ?? p.osm_id ?? p.fid) ?? String(i);
    switch (layer) {
      case 'streets': {
        const kind = streetKind(p);
        if (!kind) {
          throw new WanggeError('bad_feature', `street kind ${JSON.stringify(prop(p, ALIASES.kind) ?? null)} is not one of ${STREET_KINDS.join(', ')} (nor an OSM highway/railway/waterway value)`, { ...where, field: 'kind' });
        }
        const parts = g.type === 'MultiLineString' ? g.coordinates : [g.coordinates as Position[]];
        for (const coords of parts) {
          records.streets.push({ kind, name: str(prop(p, ALIASES.name)), sourceId, geom: { type: 'LineString', coordinates: coords } as LineGeometry, where });
        }
        break;
      }
      case 'address_points': {
        const levels = parseLevels(prop(p, ALIASES.levels));
        const buildingKind = str(prop(p, ALIASES.building));
        const hhValue = prop(p, ALIASES.households);
        let households: number;
        let point: Position;
        if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
          point = footprintPoint(g);
          if (hhValue === undefined && opts.estimateHouseholds) {
            households = estimateHouseholds(turf.area(turf.feature(g as any)), levelsFor(buildingKind ?? 'yes', levels, opts.formula), opts.formula);
          } else {
            households = integerAtLeast1(hhValue, 'households', where);
          }
        } else {
          point = g.coordinates as Position;
          households = integerAtLeast1(hhValue, 'households', where);
        }
        records.addressPoints.push({
          households, name: str(prop(p, ALIASES.name)), address: str(prop(p, ALIASES.address)), buildingKind, levels: levels === null ? null : Math.round(levels),
          sourceId, geom: { type: 'Point', coordinates: point } as PointGeometry, where,
        });
        break;
      }
      case 'units': {
        const code = str(prop(p, ALIASES.code)) ?? `${stem}-${i + 1}`;
        records.units.push({ code, name: str(prop(p, ALIASES.name)), kind: str(prop(p, ALIASES.kind)), dedicated: bool(prop(p, ALIASES.dedicated)), geom: toMulti(g), where });
        break;
      }
      case 'communities': {
        const code = str(prop(p, ALIASES.code)) ?? `${stem}-${i + 1}`;
        const lv = str(prop(p, ALIASES.level)) ?? 'community';
        const level = /^(township|street|街道|乡|镇|乡镇)$/i.test(lv) ? 'township' : /^(community|village|社区|村|居委会|村委会)$/i.test(lv) ? 'community' : null;
        if (!level) throw new WanggeError('bad_feature', `level ${JSON.stringify(lv)} is not township or community`, { ...where, field: 'level' });
        const hh = num(prop(p, ALIASES.households));
        if (hh !== undefined && (!Number.isInteger(hh) || hh < 0)) throw new WanggeError('bad_feature', `households must be a whole number, got ${hh}`, { ...where, field: 'households' });
        records.communities.push({ code, name: str(prop(p, ALIASES.name)) ?? code, level, parentCode: str(prop(p, ALIASES.parentCode)), households: hh ?? null, geom: toMulti(g), where });
        break;
      }
      case 'hazards': {
        const kind = str(prop(p, ALIASES.kind));
        if (!kind) throw new WanggeError('bad_feature', 'a hazard needs a kind (kind/类型)', { ...where, field: 'kind' });
        const severity = num(prop(p, ALIASES.severity)) ?? 3;
        if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw new WanggeError('bad_feature', `severity must be an integer 1…5, got ${JSON.stringify(prop(p, ALIASES.severity))}`, { ...where, field: 'severity' });
        const st = (str(prop(p, ALIASES.status)) ?? 'open').toLowerCase();
        const status = ({ open: 'open', 待处理: 'open', handling: 'handling', 处理中: 'handling', closed: 'closed', 已处理: 'closed', 已关闭: 'closed' } as const)[st as 'open'];
        if (!status) throw new WanggeError('bad_feature', `status ${JSON.stringify(st)} is not open, handling or closed`, { ...where, field: 'status' });
        const at = str(prop(p, ALIASES.reportedAt));
        let reportedAt: string | null = null;
        if (at) {
          const d = new Date(at);
          if (Number.isNaN(d.getTime())) throw new WanggeError('bad_feature', `reported_at ${JSON.stringify(at)} is not a date`, { ...where, field: 'reported_at' });
          reportedAt = d.toISOString();
        }
        records.hazards.push({ kind, severity, status, description: str(prop(p, ALIASES.description)), reportedAt, geom: g as any, where });
        break;
      }
      case 'cameras': {
        const bearing = num(prop(p, ALIASES.bearing)) ?? 0;
        const fov = num(prop(p, ALIASES.fov)) ?? 90;
        const rangeM = num(prop(p, ALIASES.range)) ?? 50;
        if (!Number.isFinite(bearing) || bearing < 0 || bearing > 360) throw new WanggeError('bad_feature', `bearing must be 0…360 degrees, got ${prop(p, ALIASES.bearing)}`, { ...where, field: 'bearing' });
        if (!Number.isFinite(fov) || fov <= 0 || fov > 360) throw new WanggeError('bad_feature', `fov must be in (0, 360] degrees, got ${prop(p, ALIASES.fov)}`, { ...where, field: 'fov' });
        if (!Number.isFinite(rangeM) || rangeM <= 0 || rangeM > 5000) throw new WanggeError('bad_feature', `range_m must be in (0, 5000] metres, got ${prop(p, ALIASES.range)}`, { ...where, field: 'range_m' });
        records.cameras.push({ code: str(prop(p, ALIASES.code)) ?? `${stem}-${i + 1}`, name: str(prop(p, ALIASES.name)), bearing: bearing % 360, fov, rangeM, geom: g as PointGeometry, where });
        break;
      }
    }
  });
  return { layer, records };
}
