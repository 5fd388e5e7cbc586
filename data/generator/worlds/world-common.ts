/**
 * Pieces every world kind uses: the town's identity (a place in China drawn from the seed: lon 100-120°E,
 * lat 22-40°N, so the UTM zone varies from 47 to 50; a fictitious 12-digit code), the street index, the
 * written street features (densified so they bend with the frame; rarely a duplicated segment), points
 * outside the jurisdiction (0-2% of the points; none with probability 0.25).
 */
import { placeName } from '../names.ts';
import type { Rng } from '../rng.ts';
import { SegIndex, densify } from './geometry.ts';
import { drawHouseholds, type PlaceCtx, type PointKind } from './households.ts';
import { CLEARANCE } from './street-lines.ts';
import type { DStreet, Feature, LineStringGeometry, Position, Rect, StreetKind, StreetProps, WorldKind } from './world-types.ts';

const PROVINCES = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '61', '62', '63', '64'];

export interface Identity { lon0: number; lat0: number; code: string; name: string; names: Set<string> }

/** Where the town is and what it is called. */
export function drawIdentity(rng: Rng, kind: WorldKind, county?: string): Identity {
  const lon0 = Math.round(rng.range(100, 120) * 1e4) / 1e4, lat0 = Math.round(rng.range(22, 40) * 1e4) / 1e4;
  const pad = (v: number, n: number) => String(v).padStart(n, '0');
  const c6 = county ?? rng.pick(PROVINCES) + pad(rng.int(1, 20), 2) + pad(rng.int(1, 30), 2);
  const code = c6 + pad(rng.int(1, 199), 3) + '000';
  const names = new Set<string>();
  const suffix = kind === 'village' ? rng.pick(['镇', '乡']) : kind === 'old-town' || kind === 'grid-city' ? '街道' : rng.pick(['街道', '镇']);
  return { lon0, lat0, code, name: placeName(rng, names) + suffix, names };
}

/** File every line in a segment index with its kind's clearance (× `factor`); returns the kind per line. */
export function indexStreets(streets: DStreet[], factor: number, dom: Rect): { index: SegIndex; kinds: StreetKind[] } {
  const area = (dom.x1 - dom.x0) * (dom.y1 - dom.y0);
  const index = new SegIndex(Math.min(200, Math.max(25, Math.sqrt(area / 200_000))));
  streets.forEach((s, i) => index.add(s.pts, CLEARANCE[s.kind] * (s.kind === 'river' || s.kind === 'rail' || s.kind === 'motorway' ? 1 : factor), i));
  index.build(dom);
  return { index, kinds: streets.map((s) => s.kind) };
}

/** Street features in lon/lat: each line densified to `step` metres, repeated positions dropped. */
export function streetFeatures(streets: DStreet[], toLonLat: (x: number, y: number) => Position, step: number): Feature<LineStringGeometry, StreetProps>[] {
  const out: Feature<LineStringGeometry, StreetProps>[] = [];
  for (const s of streets) {
    const pts = densify(s.pts, step);
    const coords: Position[] = [];
    for (let i = 0; i < pts.length; i += 2) {
      const p = toLonLat(pts[i], pts[i + 1]);
      const q = coords[coords.length - 1];
      if (!q || q[0] !== p[0] || q[1] !== p[1]) coords.push(p);
    }
    if (coords.length >= 2) out.push({ type: 'Feature', properties: s.name ? { kind: s.kind, name: s.name } : { kind: s.kind }, geometry: { type: 'LineString', coordinates: coords } });
  }
  return out;
}

/** Rarely (30% of worlds) 1-4 duplicated segments: a whole street again, or one piece of it. */
export function addDuplicates(rng: Rng, features: Feature<LineStringGeometry, StreetProps>[]): number {
  if (features.length === 0 || !rng.chance(0.3)) return 0;
  const n = rng.int(1, 4);
  for (let k = 0; k < n; k++) {
    const f = rng.pick(features);
    const c = f.geometry.coordinates;
    const i = rng.int(0, c.length - 2);
    const coordinates = rng.chance(0.5) ? c.map((p): Position => [p[0], p[1]]) : [[c[i][0], c[i][1]], [c[i + 1][0], c[i + 1][1]]] as Position[];
    features.push({ type: 'Feature', properties: { ...f.properties }, geometry: { type: 'LineString', coordinates } });
  }
  return n;
}

/**
 * Points outside the jurisdiction rectangle [-a, a] × [-b, b] (at least 5 m out), inside `dom`, clear of
 * streets: 0-2% of `insidePoints` (none with probability 0.25).
 */
export function placeOutside(rng: Rng, ctx: PlaceCtx, dom: Rect, a: number, b: number, mix: ReadonlyArray<readonly [PointKind, number]>, insidePoints: number): number {
  const f = rng.chance(0.25) ? 0 : rng.range(0, 0.02);
  const count = Math.round(insidePoints * f);
  let placed = 0;
  for (let t = 0; placed < count && t < count * 80; t++) {
    const x = rng.range(dom.x0 + 1, dom.x1 - 1), y = rng.range(dom.y0 + 1, dom.y1 - 1);
    if ((Math.abs(x) < a + 5 && Math.abs(y) < b + 5) || ctx.index.blocked(x, y)) continue;
    ctx.pts.push(x, y, drawHouseholds(rng, rng.weighted(mix)));
    placed++;
  }
  return placed;
}

/** Frame lines 1-30 m beside some street lines (chance `p` each): [x lines, y lines]. */
export function followOffsets(rng: Rng, lines: [0 | 1, number][], p: number): [number[], number[]] {
  const xs: number[] = [], ys: number[] = [];
  for (const [axis, c] of lines) {
    if (!rng.chance(p)) continue;
    const v = c + (rng.chance(0.5) ? 1 : -1) * rng.range(1, 30);
    (axis === 0 ? xs : ys).push(v);
  }
  return [xs, ys];
}
