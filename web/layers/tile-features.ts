/**
 * Features from our own vector tiles, pure: the tiles covering a bounding box at a zoom, and one MVT
 * layer of a tile decoded to GeoJSON features (@mapbox/vector-tile). Used where a view needs features of a
 * whole jurisdiction that no GeoJSON endpoint offers (patrol tracks: the tiles carry their day).
 */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type { Feature } from 'geojson';

export interface TileXYZ { z: number; x: number; y: number }

const lonToX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const latToY = (lat: number, z: number) => {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

/** The XYZ tiles covering [west, south, east, north] at zoom z (at most `limit`, nearest the centre first). */
export function tilesCovering(b: [number, number, number, number], z: number, limit = 64): TileXYZ[] {
  const n = 2 ** z - 1;
  const clamp = (v: number) => Math.min(n, Math.max(0, v));
  const x0 = clamp(lonToX(b[0], z)), x1 = clamp(lonToX(b[2], z));
  const y0 = clamp(latToY(b[3], z)), y1 = clamp(latToY(b[1], z));
  const out: TileXYZ[] = [];
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) out.push({ z, x, y });
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  return out.sort((a, b2) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b2.x - cx, b2.y - cy)).slice(0, limit);
}

/** The features of layer `layer` in an MVT tile, as GeoJSON in longitude and latitude. */
export function decodeTileLayer(bytes: Uint8Array, t: TileXYZ, layer: string): Feature[] {
  const tile = new VectorTile(new PbfReader(bytes));
  const l = tile.layers[layer];
  if (!l) return [];
  const out: Feature[] = [];
  for (let i = 0; i < l.length; i++) out.push(l.feature(i).toGeoJSON(t.x, t.y, t.z) as Feature);
  return out;
}

/** Features cut by tile edges come in pieces: join the pieces of the same feature id (lines only). */
export function joinPieces(features: Feature[]): Feature[] {
  const byId = new Map<string | number, Feature>();
  const loose: Feature[] = [];
  for (const f of features) {
    if (f.id === undefined) { loose.push(f); continue; }
    const have = byId.get(f.id);
    if (!have) { byId.set(f.id, f); continue; }
    const lines = (g: Feature['geometry']) => (g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : []);
    byId.set(f.id, { ...have, geometry: { type: 'MultiLineString', coordinates: [...lines(have.geometry), ...lines(f.geometry)] } });
  }
  return [...byId.values(), ...loose];
}
