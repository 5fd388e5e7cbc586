/**
 * Reading GeoJSON files for import: gzip or plain, RFC 7946 structure checked with geojson-validation,
 * positions checked to be finite lon/lat. Every error names the file and the feature index.
 */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import GJV from 'geojson-validation';
import { WanggeError } from '../errors.ts';

export interface Feature<G = GeoJSONGeometry> {
  type: 'Feature';
  geometry: G;
  properties: Record<string, any>;
}
export type Position = number[];
export type GeoJSONGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint'; coordinates: Position[] }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString'; coordinates: Position[][] }
  | { type: 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] };
export interface FeatureCollection<G = GeoJSONGeometry> {
  type: 'FeatureCollection';
  features: Feature<G>[];
}

/** The path of `name` in `dir`, also accepting `name.gz`; null when neither exists. */
export function resolveInput(dir: string, name: string): string | null {
  const p = path.join(dir, name);
  if (existsSync(p)) return p;
  if (existsSync(`${p}.gz`)) return `${p}.gz`;
  return null;
}

export function readJson(file: string): unknown {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new WanggeError('bad_file', `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new WanggeError('bad_file', `not valid gzip (${(e as Error).message})`, { file });
    }
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new WanggeError('bad_file', `not valid JSON: ${(e as Error).message}`, { file });
  }
}

function walkPositions(c: unknown, fn: (p: number[]) => void): void {
  if (Array.isArray(c) && typeof c[0] === 'number') fn(c as number[]);
  else if (Array.isArray(c)) for (const x of c) walkPositions(x, fn);
}

/**
 * Read a FeatureCollection and check each feature against the geometry types allowed.
 * Positions must lie in lon/lat range; a position like [39.9, 116.3] (latitude first) is reported as swapped.
 */
export function readFeatureCollection(file: string, allowed: readonly GeoJSONGeometry['type'][], label = path.basename(file)): FeatureCollection {
  const j = readJson(file) as any;
  if (!j || j.type !== 'FeatureCollection' || !Array.isArray(j.features)) {
    throw new WanggeError('bad_file', 'not a GeoJSON FeatureCollection', { file: label });
  }
  j.features.forEach((f: any, i: number) => checkFeature(f, i, allowed, label));
  return j as FeatureCollection;
}

/**
 * Check one feature's structure (GeoJSON validity, allowed geometry types). With `lonLat` (the default) its
 * positions must also be longitude/latitude; pass false for data in a projected CRS, checked after conversion.
 */
export function checkFeature(f: any, i: number, allowed: readonly string[], file: string, lonLat = true): void {
  if (!f || f.type !== 'Feature') throw new WanggeError('bad_feature', 'not a GeoJSON Feature', { file, featureIndex: i });
  if (!f.geometry) throw new WanggeError('bad_feature', 'has no geometry', { file, featureIndex: i });
  if (!allowed.includes(f.geometry.type)) {
    throw new WanggeError('bad_feature', `geometry type ${f.geometry.type} not allowed here (expected ${allowed.join(' or ')})`, { file, featureIndex: i });
  }
  const errs = GJV.valid(f, true) as unknown;
  if (Array.isArray(errs) && errs.length) throw new WanggeError('bad_feature', `invalid GeoJSON: ${errs.slice(0, 3).join('; ')}`, { file, featureIndex: i });
  if (f.properties !== null && f.properties !== undefined && typeof f.properties !== 'object') {
    throw new WanggeError('bad_feature', 'properties must be an object', { file, featureIndex: i });
  }
  f.properties = f.properties ?? {};
  if (!lonLat) return;
  let bad: number[] | null = null;
  walkPositions(f.geometry.coordinates, (p) => {
    if (bad) return;
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1]) || Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) bad = p;
  });
  if (bad) {
    throw new WanggeError('bad_crs', `position [${(bad as number[]).join(', ')}] is not longitude/latitude in degrees (RFC 7946: WGS-84 lon, lat)`, { file, featureIndex: i });
  }
}
