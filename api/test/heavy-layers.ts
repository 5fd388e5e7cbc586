/**
 * Layers for the heavy-request checks (api/routes/heavy-requests.test.ts) and their benchmark
 * (scripts/bench-heavy-requests.ts): the tight layer bounds both use, and squares, rings of n positions and
 * feature collections over the tiny town.
 */
import { TINY } from './tiny-town.ts';

export const LIMITS = { LAYER_MAX_FEATURES: '50', LAYER_MAX_VERTICES: '2000', FEATURE_MAX_VERTICES: '500' };

export const square = (x: number, y: number, d: number) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });

export const fc = (geoms: unknown[]) => ({ type: 'FeatureCollection', features: geoms.map((g, i) => ({ type: 'Feature', properties: { code: `G${i + 1}`, households: 500 }, geometry: g })) });

/** a ring of n positions around the town's centre */
export const ring = (n: number) => {
  const cx = TINY.x0 + 0.005, cy = TINY.y0 + 0.004;
  const pts = Array.from({ length: n - 1 }, (_, i) => [cx + 0.003 * Math.cos((2 * Math.PI * i) / (n - 1)), cy + 0.003 * Math.sin((2 * Math.PI * i) / (n - 1))]);
  return { type: 'Polygon', coordinates: [[...pts, pts[0]]] };
};
