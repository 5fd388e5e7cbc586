/**
 * A real-streets world: the real boundary and street network of one shared OpenStreetMap extract (drawn from
 * the seed; read at run time, never copied), with SYNTHETIC households. Drawn per world: neighbourhood cells
 * of 120-300 m, each of a block type from a drawn mix (tower / walk-up / villa / address / mixed) or empty
 * (5-20%, parks and campuses without residents); points stand 10-80 m off a random street segment (length-
 * weighted, residential and service streets favoured, none along rivers, rails and motorways), inside the
 * boundary, clear of every street, accepted in proportion to their cell's drawn density. Units, indivisible
 * towers, outside points and communities as for the synthetic kinds. The frame is the identity (local metres),
 * its outline pinned to the exact boundary coordinates.
 */
import { Rng, hashSeed } from '../rng.ts';
import { finishWorld } from './finish-world.ts';
import { buildFrame, frameLines, metresPerDegree, rectangleRing, type ShapeParams } from './frame.ts';
import { RectIndex, drawMix, logUniform, round7 } from './geometry.ts';
import { BLOCK_POINTS, DENSITY_RANGE, PointBuf, drawHouseholds, okSpot, placeDeficit, type BlockType, type PlaceCtx } from './households.ts';
import { REAL_SOURCES, loadRealData, type RealData } from './real-streets.ts';
import { fillUnits, planUnits } from './units.ts';
import { drawIdentity, followOffsets, indexStreets, placeOutside } from './world-common.ts';
import { WORLD_KINDS, type DStreet, type Feature, type LineStringGeometry, type Position, type Rect, type StreetKind, type StreetProps, type World } from './world-types.ts';

const KIND_WEIGHT: Record<StreetKind, number> = { motorway: 0, primary: 0.3, secondary: 0.4, tertiary: 0.7, residential: 1, service: 1.2, path: 0.5, river: 0, rail: 0 };
const BAND = 300;

type Resident = Exclude<BlockType, 'empty' | 'old'>;

/** Neighbourhood cells over the domain, each a block type (or empty) with a drawn density. */
class Neighbourhoods {
  readonly types: (Resident | 'empty')[] = [];
  readonly density: Record<Resident, number>;
  readonly max: number;
  private readonly nx: number;

  constructor(rng: Rng, readonly dom: Rect, readonly size: number, mix: Record<string, number>, pEmpty: number) {
    this.nx = Math.ceil((dom.x1 - dom.x0) / size);
    const ny = Math.ceil((dom.y1 - dom.y0) / size);
    const entries = Object.entries(mix).map(([k, w]) => [k as Resident, w] as const);
    for (let k = 0; k < this.nx * ny; k++) this.types.push(rng.chance(pEmpty) ? 'empty' : rng.weighted(entries));
    this.density = {} as Record<Resident, number>;
    for (const t of ['tower', 'walkup', 'villa', 'address', 'mixed'] as Resident[]) this.density[t] = Math.round(rng.range(...DENSITY_RANGE[t]));
    this.max = Math.max(...Object.values(this.density));
  }

  at(x: number, y: number): Resident | 'empty' {
    const i = Math.floor((x - this.dom.x0) / this.size), j = Math.floor((y - this.dom.y0) / this.size);
    return this.types[j * this.nx + i] ?? 'empty';
  }
}

/** Cumulative weights of the index segments for drawing the street a point stands beside. */
function segmentWeights(ctx: PlaceCtx, kinds: StreetKind[]): number[] {
  const { index } = ctx;
  const cum: number[] = [];
  let s = 0;
  for (let k = 0; k < index.ax.length; k++) {
    s += Math.hypot(index.bx[k] - index.ax[k], index.by[k] - index.ay[k]) * KIND_WEIGHT[kinds[index.line[k]]];
    cum.push(s);
  }
  return cum;
}

/** Lay `quota` households 10-80 m off the streets; returns what did not fit. */
function layHouseholds(ctx: PlaceCtx, kinds: StreetKind[], hoods: Neighbourhoods, quota: number): number {
  const { rng, index } = ctx;
  const cum = segmentWeights(ctx, kinds);
  const total = cum[cum.length - 1] ?? 0;
  let left = quota;
  for (let tries = 0; left > 0 && total > 0 && tries < 400 * quota + 10_000; tries++) {
    const r = rng.next() * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cum[m] < r) lo = m + 1;
      else hi = m;
    }
    const t = rng.next(), off = rng.range(10, 80) * (rng.chance(0.5) ? 1 : -1);
    const dx = index.bx[lo] - index.ax[lo], dy = index.by[lo] - index.ay[lo], l = Math.hypot(dx, dy) || 1;
    const x = index.ax[lo] + t * dx - (dy / l) * off, y = index.ay[lo] + t * dy + (dx / l) * off;
    const type = hoods.at(x, y);
    if (type === 'empty' || !rng.chance(hoods.density[type] / hoods.max) || !okSpot(ctx, x, y)) continue;
    const hh = Math.min(left, drawHouseholds(rng, rng.weighted(BLOCK_POINTS[type])));
    ctx.pts.push(x, y, hh);
    left -= hh;
  }
  return left;
}

/** Frame lines 1-30 m beside long, axis-aligned real streets. */
function realFollowLines(streets: DStreet[]): [0 | 1, number][] {
  const out: [0 | 1, number][] = [];
  for (const s of streets) {
    if (s.kind === 'path' || s.kind === 'service') continue;
    const p = s.pts;
    for (let i = 2; i < p.length; i += 2) {
      const dx = p[i] - p[i - 2], dy = p[i + 1] - p[i - 1], len = Math.hypot(dx, dy);
      if (len < 120) continue;
      if (Math.abs(dy) < 0.03 * len) out.push([1, (p[i + 1] + p[i - 1]) / 2]);
      else if (Math.abs(dx) < 0.03 * len) out.push([0, (p[i] + p[i - 2]) / 2]);
    }
  }
  return out;
}

function realStreetFeatures(data: RealData): Feature<LineStringGeometry, StreetProps>[] {
  return data.streets.map((s) => {
    const coords: Position[] = [];
    for (const c of s.coords) {
      const p: Position = [round7(c[0]), round7(c[1])];
      const q = coords[coords.length - 1];
      if (!q || q[0] !== p[0] || q[1] !== p[1]) coords.push(p);
    }
    return { type: 'Feature' as const, properties: s.name ? { kind: s.kind, name: s.name } : { kind: s.kind }, geometry: { type: 'LineString' as const, coordinates: coords } };
  }).filter((f) => f.geometry.coordinates.length >= 2);
}

/** Generate a real-streets world (throws when the shared data is missing). */
export function generateRealWorld(seed: number, H: number): World {
  const R = (phase: number) => new Rng(hashSeed(seed, phase, WORLD_KINDS.indexOf('real-streets')));
  const r1 = R(1);
  const source = r1.pick(REAL_SOURCES);
  const data = loadRealData(source);
  const [west, south, east, north] = data.bbox;
  const lon0 = (west + east) / 2, lat0 = (south + north) / 2;
  const [mLon, mLat] = metresPerDegree(lat0);
  const a = ((east - west) / 2) * mLon, b = ((north - south) / 2) * mLat;
  const A = a + BAND, B = b + BAND;
  const dom: Rect = { x0: -A, y0: -B, x1: A, y1: B }, inner: Rect = { x0: -a + 2, y0: -b + 2, x1: a - 2, y1: b - 2 };
  const id = drawIdentity(r1, 'real-streets', data.county);
  const streets: DStreet[] = data.streets.map((s) => ({ kind: s.kind, name: s.name, pts: s.coords.flatMap((c) => [(c[0] - lon0) * mLon, (c[1] - lat0) * mLat]) }));
  const { index, kinds } = indexStreets(streets, 1, dom);

  const rUse = R(5);
  const mix = drawMix(rUse, ['tower', 'walkup', 'villa', 'address', 'mixed'], 0.05), pEmpty = rUse.range(0.05, 0.2), hoodSize = rUse.range(120, 300);
  const hoods = new Neighbourhoods(rUse, dom, hoodSize, mix, pEmpty);
  const rUnits = R(7);
  const withUnits = !rUnits.chance(0.1);
  const spot = (): [number, number] => [rUnits.range(inner.x0, inner.x1), rUnits.range(inner.y0, inner.y1)];
  const up = withUnits ? planUnits(rUnits, H, index, kinds, inner, spot) : { units: [], rects: new RectIndex(200) };
  const rPts = R(8);
  const pts = new PointBuf();
  const ctx: PlaceCtx = { rng: rPts, index, units: up.rects, inner, pts };
  let deficit = fillUnits(rPts, up.units, index, pts);
  const unitTarget = up.units.reduce((s, u) => s + u.target, 0);
  const bigIds: number[] = [];
  let bigPlanned = 0;
  if (H >= 5000 && rPts.chance(0.3)) {
    for (let k = rPts.int(1, 3); k > 0; k--) {
      const hh = Math.round(logUniform(rPts, 601, 1500));
      if (bigPlanned + hh > 0.2 * H) break;
      for (let t = 0; t < 300; t++) {
        const x = rPts.range(inner.x0, inner.x1), y = rPts.range(inner.y0, inner.y1);
        if (hoods.at(x, y) !== 'empty' && okSpot(ctx, x, y)) {
          bigIds.push(pts.push(x, y, hh));
          bigPlanned += hh;
          break;
        }
      }
    }
  }
  deficit += layHouseholds(ctx, kinds, hoods, H - unitTarget - bigPlanned);
  placeDeficit(ctx, deficit, [], [], new Set(bigIds));
  const outsideFrom = pts.x.length;
  placeOutside(R(9), ctx, dom, a, b, [['walkup', 0.3], ['address', 0.4], ['villa', 0.3]], outsideFrom);

  const rFrame = R(10);
  const follow = rFrame.range(0.2, 0.6);
  const [fx, fy] = followOffsets(rFrame, realFollowLines(streets), follow);
  const fs = Math.min(200, Math.max(30, Math.sqrt((4 * a * b) / 4000)));
  const xs = frameLines(rFrame, -A, A, [-a, a], fx, fs, 5), ys = frameLines(rFrame, -B, B, [-b, b], fy, fs, 5);
  const shape: ShapeParams = { a, b, rotation: 0, harmonics: [], waves: [], damp: 1 };
  const { frame } = buildFrame(xs, ys, shape, lon0, lat0);
  // the real boundary (4 corners, exact); the frame nodes along it are pinned onto its sides
  const boundaryRing = rectangleRing(frame, xs.indexOf(-a), xs.indexOf(a), ys.indexOf(-b), ys.indexOf(b), data.bbox);
  const features = realStreetFeatures(data);
  return finishWorld({
    seed, kind: 'real-streets', name: `${data.boundaryName.split(' (')[0]} · 合成住户`, code: id.code, source, a, b, frame, step: 1000, boundaryRing,
    rotationDeg: 0, outlineIrregularity: 0, warp: 0,
    streets: features, streetStats: { gaps: 0, duplicates: 0, deadEnds: 0, missingSegments: 0 },
    pts, outsideFrom, indivisible: bigIds, units: withUnits && up.units.length ? up.units : null,
    villageAt: () => false,
    densityMix: mix,
    params: { neighbourhood: Math.round(hoodSize), pEmpty: Math.round(pEmpty * 1000) / 1000, follow: Math.round(follow * 100) / 100, frameSpacing: Math.round(fs), ...Object.fromEntries(Object.entries(hoods.density).map(([t, v]) => [`density.${t}`, v])) },
    blocks: hoods.types.length, emptyBlocks: hoods.types.filter((t) => t === 'empty').length,
  }, R(12));
}
