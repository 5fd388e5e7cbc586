/**
 * Data preparation for the deck.gl grids layer, pure: each grid with a fill colour (distinct neighbours, or
 * a ramp by a measure), an anchor for its label inside the polygon (turf pointOnFeature), the label text
 * and whether it is out of the households range. Also counts points (hazards) per grid.
 */
import { bbox as turfBbox, booleanPointInPolygon, pointOnFeature } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon, Position } from 'geojson';
import { colourIndices, GRID_PALETTE } from './grid-colours.ts';

export type RGBA = [number, number, number, number];

export interface GridDatum {
  code: string;
  name: string | null;
  community: string | null;
  households: number;
  /** a value per chosen measure (households, hazards …) */
  measures: Record<string, number>;
  polygon: Feature<Polygon | MultiPolygon>;
  fill: RGBA;
  /** a point inside the grid for its label */
  anchor: Position;
  label: string;
  outOfRange: boolean;
}

/** '#rrggbb' → [r, g, b, alpha]. */
export function hexToRgba(hex: string, alpha = 255): RGBA {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, alpha];
}

/** A ramp from dark blue through teal and yellow to red (legible on a dark wall), t in [0, 1]. */
export const MEASURE_RAMP: readonly string[] = ['#1d3b6e', '#1f6f8b', '#2aa198', '#a5c34a', '#f2c14e', '#f07c3c', '#d7263d'];

/**
 * Patrol compliance from none to full: dark red, orange, amber, light green, green. Lightness rises with
 * compliance so the order reads without telling red from green, and every step stays bright enough on the
 * dark wall; the grid labels carry the numbers too.
 */
export const COMPLIANCE_RAMP: readonly string[] = ['#d32f2f', '#f57c00', '#fbc02d', '#9ccc65', '#43d17a'];

/** The ramp colour of `value` between `lo` and `hi` (the last step holds `hi` only when hi > lo). */
export function rampColour(value: number, lo: number, hi: number, alpha = 200, ramp: readonly string[] = MEASURE_RAMP): RGBA {
  const t = hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 0;
  const k = Math.min(ramp.length - 1, Math.floor(t * ramp.length));
  return hexToRgba(ramp[k], alpha);
}

export interface GridDataOptions {
  /** households range: grids outside it are flagged */
  min?: number;
  max?: number;
  /** colour by this measure (a ramp) instead of distinct neighbour colours */
  colourBy?: string;
  /** extra measures per grid code */
  measures?: Record<string, Record<string, number>>;
  /** the ramp of `colourBy` (default MEASURE_RAMP) */
  ramp?: readonly string[];
  /** the values at the ramp's two ends (default the lowest and highest value) */
  domain?: [number, number];
  /** label text of a grid; default its household count */
  label?: (d: { code: string; households: number }) => string;
  alpha?: number;
}

/** [lowest, highest] of the values ([0, 0] when none), without spreading a long array into Math.min. */
export function measureRange(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 0];
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The values at the `p` and 1 − `p` quantiles (nearest rank): a ramp domain that a few extreme grids (an
 * empty one, a huge one) do not squeeze the others into one colour.
 */
export function quantileRange(values: readonly number[], p = 0.05): [number, number] {
  if (values.length === 0) return [0, 0];
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  return [at(p), at(1 - p)];
}

/** Prepare grid features (properties code, name, community, households) for drawing. */
export function gridData(fc: FeatureCollection, o: GridDataOptions = {}): GridDatum[] {
  const feats = fc.features.filter((f): f is Feature<Polygon | MultiPolygon> => f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon');
  const idx = colourIndices(feats);
  const alpha = o.alpha ?? 150;
  const base = feats.map((f): { code: string; households: number; measures: Record<string, number> } => {
    const p = f.properties ?? {};
    const code = String(p.code ?? f.id);
    const households = Number(p.households) || 0;
    return { code, households, measures: { households, ...(o.measures?.[code] ?? {}) } };
  });
  const values = o.colourBy ? base.map((b) => b.measures[o.colourBy!] ?? 0) : [];
  const [lo, hi] = o.domain ?? measureRange(values);
  return feats.map((f, i) => {
    const p = f.properties ?? {};
    const { code, households, measures } = base[i];
    return {
      code, households, measures,
      name: (p.name as string | null) ?? null,
      community: (p.community as string | null) ?? null,
      polygon: f,
      fill: o.colourBy ? rampColour(values[i], lo, hi, alpha, o.ramp) : hexToRgba(GRID_PALETTE[idx[i] % GRID_PALETTE.length], alpha),
      anchor: pointOnFeature(f).geometry.coordinates,
      label: o.label ? o.label({ code, households }) : String(households),
      outOfRange: (o.min !== undefined && households < o.min) || (o.max !== undefined && households > o.max),
    };
  });
}

/** How many points fall in each grid (a point on a shared edge counts for the first grid holding it). */
export function pointsPerGrid(grids: FeatureCollection, points: FeatureCollection, accept: (f: Feature) => boolean = () => true): Record<string, number> {
  const polys = grids.features.filter((f): f is Feature<Polygon | MultiPolygon> => f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon')
    .map((f) => ({ code: String(f.properties?.code ?? f.id), f, b: turfBbox(f) }));
  const out: Record<string, number> = Object.fromEntries(polys.map((p) => [p.code, 0]));
  for (const pt of points.features) {
    if (pt.geometry?.type !== 'Point' || !accept(pt)) continue;
    const [x, y] = (pt.geometry as Point).coordinates;
    const hit = polys.find((p) => x >= p.b[0] && x <= p.b[2] && y >= p.b[1] && y <= p.b[3] && booleanPointInPolygon([x, y], p.f));
    if (hit) out[hit.code]++;
  }
  return out;
}

/** The [west, south, east, north] of a collection or feature. */
export function boundsOf(g: FeatureCollection | Feature): [number, number, number, number] {
  const b = turfBbox(g);
  return [b[0], b[1], b[2], b[3]];
}

/** A size at `zoom` from [zoom, size] stops ascending by zoom: linear between two stops, held beyond the ends (as MapLibre's interpolate). */
export function sizeAtZoom(zoom: number, stops: ReadonlyArray<readonly [number, number]>): number {
  if (stops.length === 0) return 0;
  if (zoom <= stops[0][0]) return stops[0][1];
  for (let i = 1; i < stops.length; i++) {
    const [z1, s1] = stops[i];
    if (zoom <= z1) {
      const [z0, s0] = stops[i - 1];
      return s0 + ((s1 - s0) * (zoom - z0)) / (z1 - z0);
    }
  }
  return stops[stops.length - 1][1];
}

/** The pixel position of [lng, lat] in the Web Mercator world at `zoom` (512-px tiles, as deck.gl and MapLibre). */
export function mercatorPixel([lng, lat]: Position, zoom: number): [number, number] {
  const size = 512 * 2 ** zoom;
  const s = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180);
  return [((lng + 180) / 360) * size, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size];
}

/** Estimated width in px of a one-line label in a sans-serif font of `size` px: CJK a full em, digits and Latin about 0.6 em. */
export function labelWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : 0.6;
  return em * size;
}

export interface ThinLabelsOptions {
  /** font size in px */
  size: number;
  /** px added on every side of each label's box, so twice this between two labels (default an eighth of the size) */
  gap?: number;
}

/**
 * Which labels to draw at `zoom` so that none overlaps another: the indices of the kept ones, greedily in
 * the given order (of two colliding labels the first stays). Each label is a box of its estimated width
 * (labelWidth) by its size around its anchor, grown by `gap` on every side. Screen distances only grow
 * with the zoom while label boxes keep their pixel size, so labels kept at a zoom do not overlap at any
 * higher one.
 */
export function thinLabels(items: ReadonlyArray<{ anchor: Position; label: string }>, zoom: number, o: ThinLabelsOptions): number[] {
  const gap = o.gap ?? o.size / 8;
  const boxes = items.map((d) => {
    const [x, y] = mercatorPixel(d.anchor, zoom);
    return { x, y, hw: labelWidth(d.label, o.size) / 2 + gap, hh: o.size / 2 + gap };
  });
  // kept boxes by cell, a cell as large as the largest box: a box can only meet boxes in its own and the 8 cells around
  const cell = boxes.reduce((m, b) => Math.max(m, 2 * b.hw, 2 * b.hh), 1);
  const kept = new Map<string, number[]>();
  const out: number[] = [];
  boxes.forEach((b, i) => {
    const cx = Math.floor(b.x / cell), cy = Math.floor(b.y / cell);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const k of kept.get(`${cx + dx},${cy + dy}`) ?? []) {
          const o2 = boxes[k];
          if (Math.abs(b.x - o2.x) < b.hw + o2.hw && Math.abs(b.y - o2.y) < b.hh + o2.hh) return;
        }
      }
    }
    const key = `${cx},${cy}`;
    kept.set(key, [...(kept.get(key) ?? []), i]);
    out.push(i);
  });
  return out;
}
