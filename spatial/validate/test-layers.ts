/**
 * Test support for validate and repair (not a test file itself): the street-grid fixture problem, its clean
 * partition, and geometry edits done in PostGIS (WGS-84) to plant defects in a copy of a layer.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { GeoJsonGeometry, GridLayer, GridLayerFeature } from './types.ts';
import { seededRandom } from '../partition/rng.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** 4 × 4 street blocks (≈205 m × 200 m) in two communities, 80 address points, 2,000 households, one unit. */
export const STREET_GRID_DIR = path.join(REPO_ROOT, 'spatial/test/fixtures/validate/street-grid');
export const STREET_GRID_JCODE = '110108990000';
/** Street lines of the fixture: x = X0 + i·DX, y = Y0 + j·DY, i, j = 0..4. */
export const X = (i: number) => +(116.3 + i * 0.0024).toFixed(6);
export const Y = (j: number) => +(39.98 + j * 0.0018).toFixed(6);

/** A deep copy of a layer. */
export function copyLayer(layer: GridLayer): GridLayer {
  return JSON.parse(JSON.stringify(layer)) as GridLayer;
}

/** The feature with `code`; throws when absent so a test fails loudly. */
export function featureOf(layer: GridLayer, code: string): GridLayerFeature {
  const f = layer.features.find((x) => x?.properties?.code === code);
  if (!f) throw new Error(`no grid ${code} in the layer`);
  return f;
}

/** The axis-aligned box [x0, y0, x1, y1] as a GeoJSON polygon with a vertex at every street crossing on its sides. */
export function box(x0: number, y0: number, x1: number, y1: number): GeoJsonGeometry {
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
}

/** `op` of two geometries in PostGIS, in WGS-84, coordinates rounded to 9 decimals. */
export async function geomOp(db: Kysely<any>, op: 'union' | 'difference' | 'intersection', a: GeoJsonGeometry, b: GeoJsonGeometry): Promise<GeoJsonGeometry> {
  const ga = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(a)}::text), 4326)`;
  const gb = sql`ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(b)}::text), 4326)`;
  const expr = op === 'union' ? sql`ST_Union(${ga}, ${gb})` : op === 'difference' ? sql`ST_Difference(${ga}, ${gb})` : sql`ST_Intersection(${ga}, ${gb})`;
  const { rows } = await sql<{ gj: string }>`SELECT ST_AsGeoJSON(ST_CollectionExtract(${expr}, 3), 9) AS gj`.execute(db);
  return JSON.parse(rows[0].gj) as GeoJsonGeometry;
}

/**
 * A hand-drawn-style copy of a layer: every ring densified to a vertex about every `stepDeg` and each vertex
 * moved independently (per grid) by up to `jitterDeg` in x and y, so neighbours no longer share their edges:
 * gaps, overlaps and boundaries off the streets everywhere. Rings stay closed.
 */
export function jitterLayer(layer: GridLayer, opts: { seed: number; jitterDeg: number; stepDeg: number }): GridLayer {
  const rnd = seededRandom(opts.seed);
  const out = copyLayer(layer);
  const ring = (r: number[][]): number[][] => {
    const dense: number[][] = [];
    for (let i = 0; i + 1 < r.length; i++) {
      const [a, b] = [r[i], r[i + 1]];
      const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / opts.stepDeg));
      for (let k = 0; k < n; k++) dense.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
    }
    const moved = dense.map(([x, y]) => [+(x + (rnd() * 2 - 1) * opts.jitterDeg).toFixed(9), +(y + (rnd() * 2 - 1) * opts.jitterDeg).toFixed(9)]);
    moved.push([...moved[0]]);
    return moved;
  };
  for (const f of out.features) {
    const g = f.geometry;
    if (!g) continue;
    if (g.type === 'Polygon') g.coordinates = (g.coordinates as number[][][]).map(ring);
    if (g.type === 'MultiPolygon') g.coordinates = (g.coordinates as number[][][][]).map((p) => p.map(ring));
  }
  return out;
}
