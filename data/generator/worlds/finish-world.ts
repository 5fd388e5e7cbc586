/**
 * The back half shared by every world kind: communities over the frame cells (absent with probability 0.2),
 * units kept whole inside one community, the totals per community and unit, and the GeoJSON layers with the
 * meta record. Works on a `Draft`: the frame, the points (design metres; ids from `outsideFrom` on lie
 * outside the jurisdiction), the planned units and the already-mapped streets.
 */
import type { Rng } from '../rng.ts';
import { placeName } from '../names.ts';
import { CellGrid, addExclave, bisect, drawCommunitySizes, keepUnitWhole, roughen, traceRings } from './communities.ts';
import { Frame } from './frame.ts';
import { RectIndex, densify } from './geometry.ts';
import type { PointBuf } from './households.ts';
import type { UnitPlan } from './units.ts';
import type {
  CommunityProps, CommunityTotal, Feature, LineStringGeometry, MultiPolygonGeometry, PolygonGeometry, Position, Rect, StreetProps,
  UnitProps, UnitTotal, World, WorldKind, WorldMeta,
} from './world-types.ts';

export const GENERATOR = 'wangge-worlds/1';

export interface Draft {
  seed: number;
  kind: WorldKind;
  name: string;
  code: string;
  source?: string;
  a: number;
  b: number;
  frame: Frame;
  /** densify step (metres) for unit outlines */
  step: number;
  /**
   * the boundary ring when it is a lon/lat rectangle (a real boundary, or a plain town): its 4 corners only;
   * the frame nodes along its sides then lie exactly on it. Otherwise the frame outline is the boundary.
   */
  boundaryRing?: Position[];
  rotationDeg: number;
  outlineIrregularity: number;
  warp: number;
  streets: Feature<LineStringGeometry, StreetProps>[];
  streetStats: Omit<WorldMeta['streets'], 'features' | 'byKind'>;
  pts: PointBuf;
  outsideFrom: number;
  indivisible: number[];
  units: UnitPlan[] | null;
  /** is the design point in village land (communities there are villages, 村) */
  villageAt: (x: number, y: number) => boolean;
  densityMix: Record<string, number>;
  params: WorldMeta['params'];
  blocks: number;
  emptyBlocks: number;
}

interface InnerGrid { ia0: number; jb0: number; w: number; h: number; colW: Float64Array; rowH: Float64Array }

function innerGrid(d: Draft): InnerGrid {
  const { xs, ys } = d.frame;
  const ia0 = xs.indexOf(-d.a), ia1 = xs.indexOf(d.a), jb0 = ys.indexOf(-d.b), jb1 = ys.indexOf(d.b);
  if (ia0 < 0 || ia1 < 0 || jb0 < 0 || jb1 < 0) throw new Error('frame lines miss the jurisdiction edges');
  const w = ia1 - ia0, h = jb1 - jb0;
  return { ia0, jb0, w, h, colW: Float64Array.from({ length: w }, (_, i) => xs[ia0 + i + 1] - xs[ia0 + i]), rowH: Float64Array.from({ length: h }, (_, j) => ys[jb0 + j + 1] - ys[jb0 + j]) };
}

function cellOf(d: Draft, g: InnerGrid, x: number, y: number): number {
  const i = Math.min(g.w - 1, Math.max(0, Frame.interval(d.frame.xs, x) - g.ia0));
  const j = Math.min(g.h - 1, Math.max(0, Frame.interval(d.frame.ys, y) - g.jb0));
  return j * g.w + i;
}

/** Inner cells covered by a rectangle: [i0, i1, j0, j1] inclusive. */
function cellsOfRect(d: Draft, g: InnerGrid, r: Rect): [number, number, number, number] {
  const c0 = cellOf(d, g, r.x0, r.y0), c1 = cellOf(d, g, r.x1, r.y1);
  return [c0 % g.w, c1 % g.w, Math.floor(c0 / g.w), Math.floor(c1 / g.w)];
}

interface CommunityResult { grid: CellGrid; count: number; targets: number[]; params: Record<string, number>; exclaves: number; shrunk: number }

function makeCommunities(d: Draft, g: InnerGrid, rng: Rng, households: number): CommunityResult | null {
  if (rng.chance(0.2)) return null;
  const weight = new Float64Array(g.w * g.h);
  for (let j = 0; j < g.h; j++) for (let i = 0; i < g.w; i++) weight[j * g.w + i] = g.colW[i] * g.rowH[j] * 1e-6;
  for (let k = 0; k < d.outsideFrom; k++) weight[cellOf(d, g, d.pts.x[k], d.pts.y[k])] += d.pts.hh[k];
  const { sizes, params } = drawCommunitySizes(rng, Math.max(1, households));
  const grid = new CellGrid(g.w, g.h);
  const targets = bisect(grid, weight, g.colW, g.rowH, rng.shuffle([...sizes]));
  roughen(rng, grid, rng.int(1, 4), rng.range(0.2, 0.6));
  let exclaves = 0;
  if (targets.length >= 3 && rng.chance(0.1) && addExclave(rng, grid, targets.length)) exclaves = 1;
  let shrunk = 0;
  for (const u of d.units ?? []) {
    const r = keepUnitWhole(grid, d.frame.xs, d.frame.ys, g.ia0, g.jb0, u.rect, cellsOfRect(d, g, u.rect));
    if (r) {
      u.rect = r;
      shrunk++;
    }
  }
  return { grid, count: targets.length, targets: sizes, params, exclaves, shrunk };
}

function ringLonLat(d: Draft, g: InnerGrid, ring: [number, number][]): Position[] {
  const out = ring.map(([i, j]) => d.frame.nodeLonLat(g.ia0 + i, g.jb0 + j));
  out.push(out[0]);
  return out;
}

function communityFeatures(d: Draft, g: InnerGrid, c: CommunityResult, rng: Rng, households: number[]): { features: Feature<PolygonGeometry | MultiPolygonGeometry, CommunityProps>[]; totals: CommunityTotal[] } {
  const features: Feature<PolygonGeometry | MultiPolygonGeometry, CommunityProps>[] = [];
  const totals: CommunityTotal[] = [];
  const names = new Set<string>();
  const wide = c.count > 799;
  let seqCommunity = 0, seqVillage = 0;
  for (let k = 0; k < c.count; k++) {
    const rings = traceRings(c.grid, k).map((r) => ringLonLat(d, g, r));
    let village = 0, cells = 0;
    for (let j = 0; j < g.h; j++) {
      for (let i = 0; i < g.w; i++) {
        if (c.grid.owner[j * g.w + i] !== k) continue;
        cells++;
        if (d.villageAt((d.frame.xs[g.ia0 + i] + d.frame.xs[g.ia0 + i + 1]) / 2, (d.frame.ys[g.jb0 + j] + d.frame.ys[g.jb0 + j + 1]) / 2)) village++;
      }
    }
    const isVillage = village * 2 > cells;
    const seq = isVillage ? 200 + seqVillage++ : 1 + seqCommunity++;
    const code = wide ? d.code.slice(0, 6) + String(k + 1).padStart(6, '0') : d.code.slice(0, 9) + String(seq % 1000).padStart(3, '0');
    const name = placeName(rng, names) + (isVillage ? '村' : '社区');
    const geometry: PolygonGeometry | MultiPolygonGeometry = rings.length === 1 ? { type: 'Polygon', coordinates: rings } : { type: 'MultiPolygon', coordinates: rings.map((r) => [r]) };
    features.push({ type: 'Feature', properties: { code, name, kind: isVillage ? 'village' : 'community' }, geometry });
    totals.push({ code, name, households: households[k], parts: rings.length });
  }
  return { features, totals };
}

/** Community codes must stay unique even when village numbering (200+) meets community numbering. */
function dedupeCodes(features: Feature<unknown, CommunityProps>[], totals: CommunityTotal[], prefix: string): void {
  const seen = new Set<string>();
  let next = 1;
  features.forEach((f, k) => {
    if (!seen.has(f.properties.code)) {
      seen.add(f.properties.code);
      return;
    }
    let code: string;
    do code = prefix + String(next++).padStart(12 - prefix.length, '0');
    while (seen.has(code));
    seen.add(code);
    f.properties.code = code;
    totals[k].code = code;
  });
}

function unitFeatures(d: Draft, units: UnitPlan[]): Feature<PolygonGeometry, UnitProps>[] {
  return units.map((u, k) => {
    const r = u.rect;
    const ring = densify([r.x0, r.y0, r.x1, r.y0, r.x1, r.y1, r.x0, r.y1, r.x0, r.y0], d.step);
    const coords: Position[] = [];
    for (let i = 0; i < ring.length; i += 2) {
      const p = d.frame.toLonLat(ring[i], ring[i + 1]);
      const q = coords[coords.length - 1];
      if (!q || q[0] !== p[0] || q[1] !== p[1]) coords.push(p);
    }
    return { type: 'Feature', properties: { code: `${d.code.slice(0, 9)}U${String(k + 1).padStart(4, '0')}`, name: u.name, kind: u.kind, dedicated: u.dedicated }, geometry: { type: 'Polygon', coordinates: [coords] } };
  });
}

function boundaryRing(d: Draft, g: InnerGrid): Position[] {
  const ring: [number, number][] = [];
  for (let i = 0; i < g.w; i++) ring.push([i, 0]);
  for (let j = 0; j < g.h; j++) ring.push([g.w, j]);
  for (let i = g.w; i > 0; i--) ring.push([i, g.h]);
  for (let j = g.h; j > 0; j--) ring.push([0, j]);
  return ringLonLat(d, g, ring);
}

/**
 * Move points lying within 0.15 m of a frame line 0.3 m off it, so that rounding to 1e-7° can never put a
 * household on the other side of a community outline than the one it is counted in.
 */
function nudgeOffFrameLines(d: Draft): void {
  const off = (lines: Float64Array, v: number) => {
    const i = Frame.interval(lines, v);
    for (const c of [lines[i], lines[i + 1]]) if (Math.abs(v - c) < 0.15) return v < c ? c - 0.3 : c + 0.3;
    return v;
  };
  const { x, y } = d.pts;
  for (let k = 0; k < x.length; k++) {
    x[k] = off(d.frame.xs, x[k]);
    y[k] = off(d.frame.ys, y[k]);
  }
}

/** Build the world from a draft; `rng` drives communities and their names. */
export function finishWorld(d: Draft, rng: Rng): World {
  nudgeOffFrameLines(d);
  const g = innerGrid(d);
  let households = 0;
  for (let k = 0; k < d.outsideFrom; k++) households += d.pts.hh[k];
  const com = makeCommunities(d, g, rng, households);
  let communities: World['communities'];
  let comMeta: WorldMeta['communities'] = null;
  if (com) {
    const per = new Array<number>(com.count).fill(0);
    for (let k = 0; k < d.outsideFrom; k++) per[com.grid.owner[cellOf(d, g, d.pts.x[k], d.pts.y[k])]] += d.pts.hh[k];
    const { features, totals } = communityFeatures(d, g, com, rng, per);
    dedupeCodes(features, totals, d.code.slice(0, 6));
    communities = { type: 'FeatureCollection', features };
    comMeta = { targets: com.targets, params: com.params, totals, exclaves: com.exclaves };
  }
  let units: World['units'];
  let unitMeta: WorldMeta['units'] = null;
  if (d.units) {
    const idx = new RectIndex(200);
    for (const u of d.units) idx.add(u.rect);
    const per = new Array<number>(d.units.length).fill(0);
    for (let k = 0; k < d.outsideFrom; k++) {
      const u = idx.find(d.pts.x[k], d.pts.y[k], 0);
      if (u >= 0) per[u] += d.pts.hh[k];
    }
    const features = unitFeatures(d, d.units);
    units = { type: 'FeatureCollection', features };
    const totals: UnitTotal[] = d.units.map((u, k) => ({ code: features[k].properties.code, kind: u.kind, dedicated: u.dedicated, households: per[k], straddles: u.straddles }));
    unitMeta = { totals, shrunk: com?.shrunk ?? 0 };
  }
  const n = d.pts.x.length;
  const hhFeatures: World['households']['features'] = new Array(n);
  let outsideHH = 0;
  const outsideIds: number[] = [];
  for (let k = 0; k < n; k++) {
    hhFeatures[k] = { type: 'Feature', properties: { households: d.pts.hh[k], id: k }, geometry: { type: 'Point', coordinates: d.frame.toLonLat(d.pts.x[k], d.pts.y[k]) } };
    if (k >= d.outsideFrom) {
      outsideHH += d.pts.hh[k];
      outsideIds.push(k);
    }
  }
  const byKind: Record<string, number> = {};
  for (const s of d.streets) byKind[s.properties.kind] = (byKind[s.properties.kind] ?? 0) + 1;
  const meta: WorldMeta = {
    generator: GENERATOR, seed: d.seed, kind: d.kind, ...(d.source ? { source: d.source } : {}),
    origin: [d.frame.lon0, d.frame.lat0], utmZone: Math.floor((d.frame.lon0 + 180) / 6) + 1,
    sizeM: [Math.round(2 * d.a), Math.round(2 * d.b)], rotationDeg: d.rotationDeg,
    outline: d.source ? 'real' : d.boundaryRing ? 'rectangle' : 'shaped', outlineIrregularity: d.outlineIrregularity, warp: d.warp,
    households, points: d.outsideFrom, householdsOutside: outsideHH, pointsOutside: n - d.outsideFrom, outsideIds,
    densityMix: d.densityMix, params: d.params, emptyBlocks: d.emptyBlocks, blocks: d.blocks,
    indivisible: d.indivisible.map((id) => ({ id, households: d.pts.hh[id] })),
    streets: { features: d.streets.length, byKind, ...d.streetStats },
    communities: comMeta, units: unitMeta,
  };
  return {
    name: d.name, kind: d.kind, params: { min: 400, max: 600 },
    boundary: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: d.code, name: d.name }, geometry: { type: 'Polygon', coordinates: [d.boundaryRing ?? boundaryRing(d, g)] } }] },
    streets: { type: 'FeatureCollection', features: d.streets },
    households: { type: 'FeatureCollection', features: hhFeatures },
    ...(communities ? { communities } : {}),
    ...(units ? { units } : {}),
    meta,
  };
}
