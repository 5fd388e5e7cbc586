/**
 * Bounds on the grid layers a request sends (validate, repair, merge; issue 17), checked in JavaScript before any
 * SQL runs, so that one request cannot hold the database for minutes:
 *   - at most LAYER_MAX_FEATURES features, LAYER_MAX_VERTICES positions in all and FEATURE_MAX_VERTICES in one
 *     feature (413 too_large naming the feature);
 *   - every position a finite WGS-84 longitude/latitude (400 bad_crs naming the feature: projected metres such
 *     as [450000, 4420000] are refused, not guessed);
 *   - no ring crosses the antimeridian (400 bad_feature: split the polygon at ±180°);
 *   - every feature within the jurisdiction's extent widened by a margin (400 bad_feature): a triangle from
 *     (0, 0) to the town is not a grid of the town and would make every spatial step continent-sized.
 */
import { WanggeError } from '../../spatial/errors.ts';

export interface LayerLimits {
  maxFeatures: number;
  maxVertices: number;
  maxFeatureVertices: number;
}

export type Extent = [number, number, number, number];

/** How far outside the jurisdiction's extent a feature may reach: a quarter of its size, at least 0.02° (~2 km). */
export function widenedExtent(e: Extent): Extent {
  const m = Math.max(0.02, 0.25 * Math.max(e[2] - e[0], e[3] - e[1]));
  return [e[0] - m, e[1] - m, e[2] + m, e[3] + m];
}

interface Walk { vertices: number; bbox: Extent }

/** Count the positions of a geometry's coordinates (any nesting), checking each one and each ring. */
function walkGeometry(g: unknown, featureIndex: number, label: string, perFeatureMax: number): Walk {
  const w: Walk = { vertices: 0, bbox: [Infinity, Infinity, -Infinity, -Infinity] };
  const badPosition = (x: unknown, y: unknown): never => {
    throw new WanggeError('bad_crs', `${label}feature ${featureIndex} has the position [${String(x).slice(0, 20)}, ${String(y).slice(0, 20)}], not a WGS-84 longitude/latitude `
      + '(-180..180, -90..90): send GeoJSON in EPSG:4326, lon/lat order', { parameter: 'features', featureIndex });
  };
  if (!g || typeof g !== 'object') return w;
  const geoms: unknown[] = [g];
  while (geoms.length) {
    const geom = geoms.pop() as { type?: unknown; coordinates?: unknown; geometries?: unknown };
    if (!geom || typeof geom !== 'object') continue;
    if (Array.isArray(geom.geometries)) { geoms.push(...geom.geometries); continue; }
    const stack: unknown[] = [geom.coordinates];
    while (stack.length) {
      const c = stack.pop();
      if (!Array.isArray(c)) continue;
      if (c.length > 0 && typeof c[0] === 'number') {
        // a position
        const [x, y] = c as number[];
        w.vertices += 1;
        if (w.vertices > perFeatureMax) {
          throw new WanggeError('too_large', `${label}feature ${featureIndex} has more than ${perFeatureMax} positions (FEATURE_MAX_VERTICES): simplify it`, { parameter: 'features', featureIndex });
        }
        if (!Number.isFinite(x) || !Number.isFinite(y) || x < -180 || x > 180 || y < -90 || y > 90) badPosition(x, y);
        if (x < w.bbox[0]) w.bbox[0] = x;
        if (y < w.bbox[1]) w.bbox[1] = y;
        if (x > w.bbox[2]) w.bbox[2] = x;
        if (y > w.bbox[3]) w.bbox[3] = y;
        continue;
      }
      if (c.length > 1 && Array.isArray(c[0]) && typeof (c[0] as unknown[])[0] === 'number') {
        // a ring or line: its positions must be lon/lat first (projected metres are not "across the antimeridian")
        for (const p of c) {
          const [x, y] = Array.isArray(p) ? (p as number[]) : [Number.NaN, Number.NaN];
          if (!Number.isFinite(x) || !Number.isFinite(y) || x < -180 || x > 180 || y < -90 || y > 90) badPosition(x, y);
        }
        // consecutive positions more than 180° of longitude apart cross the antimeridian
        for (let i = 1; i < c.length; i++) {
          const a = c[i - 1] as number[], b = c[i] as number[];
          if (Array.isArray(a) && Array.isArray(b) && Math.abs(Number(b[0]) - Number(a[0])) > 180) {
            throw new WanggeError('bad_feature', `${label}feature ${featureIndex} crosses the antimeridian (±180° longitude): split it into one polygon on each side`, { parameter: 'features', featureIndex });
          }
        }
      }
      for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
    }
  }
  return w;
}

/**
 * Check one or more feature arrays (the layers of a merge count together) against the limits and the extent;
 * throws the first refusal. `labels` name the layers in messages (empty for a single layer).
 */
export function checkLayerInput(layers: Array<{ label: string; features: unknown[] }>, limits: LayerLimits, extent: Extent | null): void {
  const total = layers.reduce((n, l) => n + l.features.length, 0);
  if (total > limits.maxFeatures) {
    throw new WanggeError('too_large', `the layer${layers.length > 1 ? 's have' : ' has'} ${total} features; at most ${limits.maxFeatures} are accepted in one request (LAYER_MAX_FEATURES)`, { parameter: 'features' });
  }
  const box = extent ? widenedExtent(extent) : null;
  let vertices = 0;
  for (const l of layers) {
    const label = l.label ? `layer ${l.label}: ` : '';
    l.features.forEach((f, i) => {
      const w = walkGeometry((f as { geometry?: unknown } | null)?.geometry, i, label, limits.maxFeatureVertices);
      vertices += w.vertices;
      if (vertices > limits.maxVertices) {
        throw new WanggeError('too_large', `the layer has more than ${limits.maxVertices} positions (LAYER_MAX_VERTICES): send fewer or simpler grids`, { parameter: 'features', featureIndex: i });
      }
      if (box && w.vertices > 0 && (w.bbox[0] < box[0] || w.bbox[1] < box[1] || w.bbox[2] > box[2] || w.bbox[3] > box[3])) {
        throw new WanggeError('bad_feature', `${label}feature ${i} reaches [${w.bbox.map((v) => +v.toFixed(5)).join(', ')}], far outside the jurisdiction `
          + `(extent ${extent!.map((v) => +v.toFixed(5)).join(', ')}): a grid layer must lie on its jurisdiction`, { parameter: 'features', featureIndex: i });
      }
    });
  }
}
