/**
 * Household points. Every point is a building or an address with an integer number of households, drawn from
 * the range of its kind (towers 100-400, walk-ups 10-60, villas 1-3, address points 1-3, old-town addresses
 * 1-8, village houses 1-3, dormitories 20-300, indivisible towers 601-1,500). Blocks get a type (tower,
 * walk-up, villa, address, mixed, old, or empty: parks and industrial land) from the world's drawn mix, with
 * spatial correlation through districts, and a quota proportional to area × the type's drawn density × a
 * log-normal factor; quotas are rounded cumulatively so the total is exact. Points keep clear of every street
 * (per-kind clearance), of units they do not belong to, and of the jurisdiction outline.
 */
import type { Rng } from '../rng.ts';
import { ConvexSampler, type RectIndex, type SegIndex, logUniform } from './geometry.ts';
import type { DBlock, DStreet, Rect, Zone } from './world-types.ts';

export type PointKind = 'tower' | 'walkup' | 'villa' | 'address' | 'old' | 'house' | 'dorm' | 'big';

export const HH_RANGE: Record<PointKind, readonly [number, number]> = {
  tower: [100, 400], walkup: [10, 60], villa: [1, 3], address: [1, 3], old: [1, 8], house: [1, 3], dorm: [20, 300], big: [601, 1500],
};

export type BlockType = 'tower' | 'walkup' | 'villa' | 'address' | 'mixed' | 'old' | 'empty';
export const BLOCK_TYPES: readonly BlockType[] = ['tower', 'walkup', 'villa', 'address', 'mixed', 'old'];

/** Point kinds of each block type (share of points). */
export const BLOCK_POINTS: Record<Exclude<BlockType, 'empty'>, ReadonlyArray<readonly [PointKind, number]>> = {
  tower: [['tower', 0.75], ['walkup', 0.25]],
  walkup: [['walkup', 0.85], ['address', 0.15]],
  villa: [['villa', 1]],
  address: [['address', 0.9], ['walkup', 0.1]],
  mixed: [['tower', 0.1], ['walkup', 0.35], ['address', 0.35], ['villa', 0.2]],
  old: [['old', 0.93], ['walkup', 0.07]],
};

/** Range of each block type's density, households per km² of block; each world draws its own values. */
export const DENSITY_RANGE: Record<Exclude<BlockType, 'empty'>, readonly [number, number]> = {
  tower: [16_000, 42_000], walkup: [7_000, 16_000], villa: [600, 2_500], address: [4_000, 13_000], mixed: [6_000, 16_000], old: [12_000, 32_000],
};

/** Households per point kind. */
export function drawHouseholds(rng: Rng, kind: PointKind): number {
  const [a, b] = HH_RANGE[kind];
  return kind === 'tower' || kind === 'dorm' || kind === 'big' ? Math.round(logUniform(rng, a, b)) : rng.int(a, b);
}

/** The points of a world, flat (index = properties.id). */
export class PointBuf {
  readonly x: number[] = [];
  readonly y: number[] = [];
  readonly hh: number[] = [];
  total = 0;

  push(x: number, y: number, hh: number): number {
    this.x.push(x);
    this.y.push(y);
    this.hh.push(hh);
    this.total += hh;
    return this.x.length - 1;
  }
}

export interface PlaceCtx {
  rng: Rng;
  index: SegIndex;
  units: RectIndex;
  /** the jurisdiction rectangle shrunk by 2 m: inside points stay in it */
  inner: Rect;
  pts: PointBuf;
}

/** A free spot for an ordinary point: inside, clear of streets and of every unit. */
export function okSpot(ctx: PlaceCtx, x: number, y: number): boolean {
  const r = ctx.inner;
  return x > r.x0 && x < r.x1 && y > r.y0 && y < r.y1 && !ctx.index.blocked(x, y) && ctx.units.find(x, y, 2) < 0;
}

/** Place `quota` households as points drawn from `mix` at spots given by `sample`; returns what did not fit. */
export function fillSpots(ctx: PlaceCtx, quota: number, mix: ReadonlyArray<readonly [PointKind, number]>, sample: () => [number, number], ok: (x: number, y: number) => boolean, tries = 25): number {
  const { rng } = ctx;
  let left = quota;
  let fails = 0;
  while (left > 0 && fails < 3) {
    const hh = Math.min(left, drawHouseholds(rng, rng.weighted(mix)));
    let placed = false;
    for (let t = 0; t < tries && !placed; t++) {
      const [x, y] = sample();
      if (ok(x, y)) {
        ctx.pts.push(x, y, hh);
        placed = true;
      }
    }
    if (placed) left -= hh;
    else fails++;
  }
  return left;
}

/** Block types: a dominant type per district (per zone), kept by 70% of its blocks; `pEmpty` of blocks empty. */
export function blockTypes(rng: Rng, blocks: DBlock[], mixes: Partial<Record<Zone, Record<string, number>>>, pEmpty: number, district: number): BlockType[] {
  const dominant = new Map<string, BlockType>();
  const draw = (zone: Zone) => rng.weighted(Object.entries(mixes[zone] ?? {}).map(([k, w]) => [k as BlockType, w] as const));
  return blocks.map((b) => {
    if (b.zone === 'field' || !mixes[b.zone]) return 'empty';
    if (rng.chance(pEmpty)) return 'empty';
    const key = `${b.zone}:${Math.floor(b.ring[0] / district)}:${Math.floor(b.ring[1] / district)}`;
    let d = dominant.get(key);
    if (!d) {
      d = draw(b.zone);
      dominant.set(key, d);
    }
    return rng.chance(0.7) ? d : draw(b.zone);
  });
}

/** Split `total` in proportion to `weights`, rounding cumulatively (exact sum, no rounding drift). */
export function splitProportional(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  let acc = 0, prev = 0;
  return weights.map((w) => {
    acc += w;
    const cur = Math.round((acc / sum) * total);
    const q = cur - prev;
    prev = cur;
    return q;
  });
}

// ---- hamlets (village land) ----

export interface Hamlet { x: number; y: number; houses: number; sigma: number }

/** Pick a point on a random road (length-weighted) and the unit normal there. */
function pointOnRoads(rng: Rng, roads: DStreet[], cum: number[]): [number, number, number, number] {
  const r = rng.next() * cum[cum.length - 1];
  let k = 0;
  while (cum[k] < r) k++;
  const p = roads[k].pts;
  const i = 2 * rng.int(0, p.length / 2 - 2);
  const t = rng.next();
  const dx = p[i + 2] - p[i], dy = p[i + 3] - p[i + 1], l = Math.hypot(dx, dy) || 1;
  return [p[i] + t * dx, p[i + 1] + t * dy, -dy / l, dx / l];
}

/**
 * Plan hamlets for about `budget` households: clusters of 5-80 houses (log-uniform), 70% beside a road
 * (40-250 m off it, half of them with a lane from the road through the hamlet), the rest anywhere in the fields.
 */
export function planHamlets(rng: Rng, budget: number, roads: DStreet[], sampleField: () => [number, number] | null, inField: (x: number, y: number) => boolean): { hamlets: Hamlet[]; lanes: DStreet[] } {
  const hamlets: Hamlet[] = [], lanes: DStreet[] = [];
  const cum: number[] = [];
  let s = 0;
  for (const r of roads) {
    for (let i = 2; i < r.pts.length; i += 2) s += Math.hypot(r.pts[i] - r.pts[i - 2], r.pts[i + 1] - r.pts[i - 1]);
    cum.push(s);
  }
  let planned = 0;
  for (let guard = 0; planned < budget * 1.05 && guard < budget * 4 + 100; guard++) {
    const houses = Math.round(logUniform(rng, 5, 80));
    const sigma = 10 * Math.sqrt(houses) * rng.range(0.7, 1.4);
    let c: [number, number] | null = null;
    if (roads.length && s > 0 && rng.chance(0.7)) {
      const [rx, ry, nx, ny] = pointOnRoads(rng, roads, cum);
      const side = rng.chance(0.5) ? 1 : -1, off = rng.range(40, 250);
      const cx = rx + side * nx * off, cy = ry + side * ny * off;
      if (inField(cx, cy)) {
        c = [cx, cy];
        if (rng.chance(0.5)) {
          const ext = off + sigma * rng.range(0.5, 1.5);
          lanes.push({ kind: rng.chance(0.5) ? 'path' : 'service', pts: [rx, ry, rx + side * nx * ext, ry + side * ny * ext], deadEnd: true });
        }
      }
    } else c = sampleField();
    if (!c) continue;
    hamlets.push({ x: c[0], y: c[1], houses, sigma });
    planned += houses * 2;
  }
  return { hamlets, lanes };
}

/** Fill hamlets with village houses (1-3 households) until `quota` is placed; returns what did not fit. */
export function fillHamlets(ctx: PlaceCtx, hamlets: Hamlet[], quota: number): number {
  const { rng } = ctx;
  let left = quota;
  for (let pass = 0; pass < 4 && left > 0 && hamlets.length; pass++) {
    for (const h of hamlets) {
      if (left <= 0) break;
      const n = pass === 0 ? h.houses : Math.ceil(h.houses * 0.5);
      const sample = (): [number, number] => [h.x + rng.normal() * h.sigma, h.y + rng.normal() * h.sigma];
      for (let k = 0; k < n && left > 0; k++) {
        const hh = Math.min(left, drawHouseholds(rng, 'house'));
        for (let t = 0; t < 12; t++) {
          const [x, y] = sample();
          if (okSpot(ctx, x, y)) {
            ctx.pts.push(x, y, hh);
            left -= hh;
            break;
          }
        }
      }
    }
  }
  return left;
}

// ---- what is left over ----

/**
 * Place households that did not fit where they were meant to go: in random non-empty blocks, and as a last
 * resort added to existing points (never to an indivisible tower). Returns the number added to points.
 */
export function placeDeficit(ctx: PlaceCtx, deficit: number, samplers: (ConvexSampler | null)[], types: BlockType[], protect: Set<number>): number {
  const { rng } = ctx;
  const usable = samplers.map((s, i) => (s ? i : -1)).filter((i) => i >= 0);
  let left = deficit;
  for (let round = 0; round < 200 && left > 0 && usable.length; round++) {
    const b = rng.pick(usable);
    const t = types[b] as Exclude<BlockType, 'empty'>;
    left = fillSpots(ctx, Math.min(left, 200), BLOCK_POINTS[t], () => samplers[b]!.sample(rng), (x, y) => okSpot(ctx, x, y)) + Math.max(0, left - 200);
  }
  let added = 0;
  const n = ctx.pts.hh.length;
  while (left > 0 && n > protect.size) {
    const k = rng.int(0, n - 1);
    if (protect.has(k)) continue;
    const d = Math.min(left, rng.int(1, 3));
    ctx.pts.hh[k] += d;
    ctx.pts.total += d;
    left -= d;
    added += d;
  }
  return added;
}
