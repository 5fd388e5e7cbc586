/**
 * OpenStreetMap data (from XML or PBF) to Wangge records: streets from highway/railway/waterway ways, address
 * points from residential buildings (closed ways and multipolygon relations) with estimated households, and
 * cameras from man_made=surveillance nodes. Tag rules: osm-tags.ts; the household formula: household-formula.ts.
 */
import * as turf from '@turf/turf';
import { WanggeError } from '../errors.ts';
import { noProgress, type ProgressFn } from '../progress.ts';
import { estimateHouseholds, levelsFor, parseLevels, type HouseholdFormula } from './household-formula.ts';
import { footprintPoint } from './layer-records.ts';
import { buildingClass, isInstitution, streetKindForTags, type Tags } from './osm-tags.ts';
import { emptyRecords, type ImportRecords, type Position } from './records.ts';

export interface OsmNode { id: number; lon: number; lat: number; tags: Tags }
export interface OsmWay { id: number; refs: number[]; tags: Tags }
export interface OsmMember { type: 'node' | 'way' | 'relation'; ref: number; role: string }
export interface OsmRelation { id: number; members: OsmMember[]; tags: Tags }

/** What a reader collects: every node's position, tagged nodes, ways and relations, the extract's bounds. */
export interface OsmData {
  coords: Map<number, [number, number]>;
  taggedNodes: OsmNode[];
  ways: OsmWay[];
  relations: OsmRelation[];
  /** [minLon, minLat, maxLon, maxLat] of the extract when the file says so */
  bounds: [number, number, number, number] | null;
}

export interface OsmStats {
  nodes: number;
  ways: number;
  relations: number;
  streets: number;
  buildings: number;
  residentialBuildings: number;
  nonResidential: number;
  insideInstitution: number;
  outsideBounds: number;
  incomplete: number;
  households: number;
  cameras: number;
}

/** Check one node's position; a bad one is refused naming the file and node id. */
export function checkNode(file: string, id: number, lon: number, lat: number, index: number): void {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    throw new WanggeError('bad_feature', `node ${id} has no valid lon/lat (${lon}, ${lat})`, { file, featureIndex: index, field: `node/${id}` });
  }
}

/** Join way node lists into closed rings; null when a ring cannot be closed (an incomplete extract). */
export function assembleRings(parts: number[][]): number[][] | null {
  const open = parts.filter((p) => p.length >= 2).map((p) => p.slice());
  const rings: number[][] = [];
  while (open.length) {
    let cur = open.shift()!;
    while (cur[0] !== cur[cur.length - 1]) {
      const end = cur[cur.length - 1];
      const j = open.findIndex((p) => p[0] === end || p[p.length - 1] === end);
      if (j < 0) return null;
      const next = open.splice(j, 1)[0];
      cur = cur.concat((next[0] === end ? next : next.slice().reverse()).slice(1));
    }
    if (cur.length >= 4) rings.push(cur);
  }
  return rings;
}

function ringCoords(ring: number[], coords: OsmData['coords']): Position[] | null {
  const out: Position[] = [];
  for (const id of ring) {
    const c = coords.get(id);
    if (!c) return null;
    out.push(c);
  }
  return out;
}

type Poly = Position[][];
interface Area { polygons: Poly[]; bbox: [number, number, number, number] }

/** The polygons of a closed way or a multipolygon relation (inner rings assigned to the outer holding them). */
function areaOf(kind: 'way' | 'relation', obj: OsmWay | OsmRelation, data: OsmData, waysById: Map<number, OsmWay>): Area | null {
  let outers: Position[][];
  let inners: Position[][] = [];
  if (kind === 'way') {
    const w = obj as OsmWay;
    if (w.refs.length < 4 || w.refs[0] !== w.refs[w.refs.length - 1]) return null;
    const r = ringCoords(w.refs, data.coords);
    if (!r) return null;
    outers = [r];
  } else {
    const rel = obj as OsmRelation;
    const collect = (role: (r: string) => boolean) => {
      const parts: number[][] = [];
      for (const m of rel.members) {
        if (m.type !== 'way' || !role(m.role)) continue;
        const w = waysById.get(m.ref);
        if (!w) return null;
        parts.push(w.refs);
      }
      const rings = assembleRings(parts);
      if (!rings) return null;
      const out: Position[][] = [];
      for (const r of rings) {
        const c = ringCoords(r, data.coords);
        if (!c) return null;
        out.push(c);
      }
      return out;
    };
    const o = collect((r) => r === 'outer' || r === '');
    const i = collect((r) => r === 'inner');
    if (!o || !i || o.length === 0) return null;
    outers = o;
    inners = i;
  }
  const polygons: Poly[] = outers.map((o) => [o]);
  for (const inner of inners) {
    const p = turf.point(inner[0]);
    const host = polygons.find((pg) => turf.booleanPointInPolygon(p, turf.polygon([pg[0]])));
    if (host) host.push(inner);
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const o of outers) for (const [x, y] of o) { if (x < minX) minX = x; if (x > maxX) maxX = x; if (y < minY) minY = y; if (y > maxY) maxY = y; }
  return { polygons, bbox: [minX, minY, maxX, maxY] };
}

const CARDINAL: Record<string, number> = { N: 0, NNE: 22.5, NE: 45, ENE: 67.5, E: 90, ESE: 112.5, SE: 135, SSE: 157.5, S: 180, SSW: 202.5, SW: 225, WSW: 247.5, W: 270, WNW: 292.5, NW: 315, NNW: 337.5 };

export interface OsmRecordOptions {
  file: string;
  formula: HouseholdFormula;
}

/** Records and counts from OSM data. */
export function osmToRecords(data: OsmData, opts: OsmRecordOptions, progress: ProgressFn = noProgress): { records: ImportRecords; stats: OsmStats } {
  const { file, formula } = opts;
  const records = emptyRecords();
  const stats: OsmStats = {
    nodes: data.coords.size, ways: data.ways.length, relations: data.relations.length, streets: 0, buildings: 0, residentialBuildings: 0,
    nonResidential: 0, insideInstitution: 0, outsideBounds: 0, incomplete: 0, households: 0, cameras: 0,
  };
  const waysById = new Map(data.ways.map((w) => [w.id, w]));

  // streets
  data.ways.forEach((w, i) => {
    const kind = streetKindForTags(w.tags);
    if (!kind) return;
    const line: Position[] = [];
    for (const id of w.refs) {
      const c = data.coords.get(id);
      if (!c) { stats.incomplete++; return; }
      line.push(c);
    }
    if (line.length < 2) { stats.incomplete++; return; }
    records.streets.push({ kind, name: w.tags.name ?? null, sourceId: `w${w.id}`, geom: { type: 'LineString', coordinates: line }, where: { file, featureIndex: i, field: `way/${w.id}` } });
  });
  stats.streets = records.streets.length;
  progress({ phase: 'buildings', percent: 40 });

  // institutions: their plain building=yes are not housing
  const institutions: Area[] = [];
  data.ways.forEach((w) => { if (isInstitution(w.tags)) { const a = areaOf('way', w, data, waysById); if (a) institutions.push(a); } });
  data.relations.forEach((r) => { if (isInstitution(r.tags) && r.tags.type === 'multipolygon') { const a = areaOf('relation', r, data, waysById); if (a) institutions.push(a); } });
  const inInstitution = (p: Position) => institutions.some((a) => p[0] >= a.bbox[0] && p[0] <= a.bbox[2] && p[1] >= a.bbox[1] && p[1] <= a.bbox[3]
    && a.polygons.some((pg) => turf.booleanPointInPolygon(p, turf.polygon(pg))));
  const b = data.bounds;
  const inBounds = (p: Position) => !b || (p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]);

  const building = (kind: 'way' | 'relation', obj: OsmWay | OsmRelation, index: number) => {
    const tags = obj.tags;
    if (tags.building === undefined || (kind === 'relation' && tags.type !== 'multipolygon')) return;
    stats.buildings++;
    const cls = buildingClass(tags);
    if (cls === 'no') { stats.nonResidential++; return; }
    const area = areaOf(kind, obj, data, waysById);
    if (!area) { stats.incomplete++; return; }
    const geom = area.polygons.length === 1 ? { type: 'Polygon' as const, coordinates: area.polygons[0] } : { type: 'MultiPolygon' as const, coordinates: area.polygons };
    const point = footprintPoint(geom);
    if (!inBounds(point)) { stats.outsideBounds++; return; }
    if (cls === 'maybe' && inInstitution(point)) { stats.insideInstitution++; return; }
    const tagged = parseLevels(tags['building:levels']);
    const levels = levelsFor(tags.building, tagged, formula);
    const flats = Number(tags['building:flats']);
    const households = Number.isInteger(flats) && flats >= 1 ? flats : estimateHouseholds(turf.area(turf.feature(geom)), levels, formula);
    const addr = [tags['addr:city'], tags['addr:street'], tags['addr:housenumber']].filter(Boolean).join(' ') || null;
    records.addressPoints.push({
      households, name: tags.name ?? null, address: addr, buildingKind: tags.building, levels: Math.round(levels),
      sourceId: `${kind === 'way' ? 'w' : 'r'}${obj.id}`, geom: { type: 'Point', coordinates: point },
      where: { file, featureIndex: index, field: `${kind}/${obj.id}` },
    });
    stats.residentialBuildings++;
    stats.households += households;
  };
  data.ways.forEach((w, i) => building('way', w, i));
  data.relations.forEach((r, i) => building('relation', r, data.ways.length + i));
  progress({ phase: 'buildings', percent: 90 });

  // cameras
  for (const n of data.taggedNodes) {
    if (n.tags.man_made !== 'surveillance' || (n.tags['surveillance:type'] && n.tags['surveillance:type'] !== 'camera')) continue;
    const dir = n.tags['camera:direction'] ?? n.tags.direction;
    let bearing = dir === undefined ? 0 : Number(dir);
    if (!Number.isFinite(bearing)) bearing = CARDINAL[String(dir).toUpperCase()] ?? 0;
    records.cameras.push({ code: `osm-n${n.id}`, name: n.tags.name ?? null, bearing: ((bearing % 360) + 360) % 360, fov: 90, rangeM: 50, geom: { type: 'Point', coordinates: [n.lon, n.lat] }, where: { file, field: `node/${n.id}` } });
  }
  stats.cameras = records.cameras.length;
  return { records, stats };
}
