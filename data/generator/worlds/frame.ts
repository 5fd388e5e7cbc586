/**
 * The frame: a rectilinear lattice over the design plane whose nodes are moved to the ground by a smooth map
 * (a low-order polynomial radial factor that makes the outline irregular, sinusoidal warps that bend the
 * streets, a rotation) and then to lon/lat. Every other point is carried by bilinear interpolation inside its
 * frame cell, so a point in a design cell lands in that cell's ground quad: households, community outlines
 * (which run along frame lines) and the boundary (the frame outline of the jurisdiction rectangle) stay
 * exactly consistent, whatever the warp.
 *
 * Drawn parameters (see `drawShape`): with probability 0.25 a plain town (no rotation, no warp: the boundary is
 * a lon/lat-aligned rectangle of 4 corners); otherwise rotation 0-180° (none with probability 0.2), outline
 * polynomial coefficients (none with probability 0.3), 2-3 warp waves with wavelengths of 0.6-2.5 town widths
 * and a slope drawn from the kind's range. Cells are checked for convexity; if one fails, the shape is damped.
 */
import { round7 } from './geometry.ts';
import type { Rng } from '../rng.ts';
import type { Position } from './world-types.ts';

export interface ShapeParams {
  /** half sizes of the jurisdiction rectangle (design metres) */
  a: number;
  b: number;
  rotation: number;
  /** outline harmonics: factor 1 + Σ c_k Re(e^{-i φ_k} z^k), z = x/a + i y/b */
  harmonics: { k: number; c: number; phi: number }[];
  waves: { ax: number; ay: number; kx: number; ky: number; ph: number }[];
  /** multiplier applied to harmonics and waves (reduced when a cell would fold) */
  damp: number;
}

/** A plain shape: the frame is a plain scaling, frame lines map to meridians and parallels. */
export function isPlain(sp: ShapeParams): boolean {
  return sp.rotation === 0 && sp.harmonics.length === 0 && sp.waves.length === 0;
}

/** Draw the ground shape of a town: outline irregularity and a warp of slope up to `maxSlope`. */
export function drawShape(rng: Rng, a: number, b: number, slope: [number, number]): ShapeParams {
  if (rng.chance(0.25)) return { a, b, rotation: 0, harmonics: [], waves: [], damp: 1 };
  const rotation = rng.chance(0.2) ? 0 : rng.range(0, Math.PI);
  const harmonics: ShapeParams['harmonics'] = [];
  if (!rng.chance(0.3)) {
    const amp = [0.1, 0.07, 0.035, 0.018, 0.009];
    for (let k = 1; k <= 5; k++) harmonics.push({ k, c: rng.range(-1, 1) * amp[k - 1], phi: rng.range(0, 2 * Math.PI) });
  }
  const waves: ShapeParams['waves'] = [];
  const L = 2 * Math.max(a, b);
  const nw = rng.int(2, 3);
  const s = rng.range(slope[0], slope[1]);
  for (let w = 0; w < nw; w++) {
    const lambda = L * rng.range(0.6, 2.5);
    const k = (2 * Math.PI) / lambda;
    const dir = rng.range(0, Math.PI);
    const amp = ((s / nw) * lambda) / (2 * Math.PI);
    waves.push({ ax: amp * rng.range(-1, 1), ay: amp * rng.range(-1, 1), kx: k * Math.cos(dir), ky: k * Math.sin(dir), ph: rng.range(0, 2 * Math.PI) });
  }
  return { a, b, rotation, harmonics, waves, damp: 1 };
}

/** The smooth design → ground map of a shape. */
export function shapeMap(sp: ShapeParams): (x: number, y: number) => [number, number] {
  const cr = Math.cos(sp.rotation), sr = Math.sin(sp.rotation);
  return (x, y) => {
    const u = x / sp.a, v = y / sp.b;
    let f = 1;
    let zr = 1, zi = 0;
    let k = 0;
    for (const h of sp.harmonics) {
      while (k < h.k) {
        const t = zr * u - zi * v;
        zi = zr * v + zi * u;
        zr = t;
        k++;
      }
      f += sp.damp * h.c * (zr * Math.cos(h.phi) + zi * Math.sin(h.phi));
    }
    let X = x * f, Y = y * f;
    for (const w of sp.waves) {
      const s = Math.sin(w.kx * x + w.ky * y + w.ph);
      X += sp.damp * w.ax * s;
      Y += sp.damp * w.ay * s;
    }
    return [X * cr - Y * sr, X * sr + Y * cr];
  };
}

/** Metres per degree of longitude and latitude at `lat`. */
export function metresPerDegree(lat: number): [number, number] {
  const p = (lat * Math.PI) / 180;
  return [111_412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p), 111_132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p)];
}

export class Frame {
  /** column (x) and row (y) line positions, strictly increasing */
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** ground coordinates of node (i, j) at [2 * (j * nxs + i)] */
  readonly ground: Float64Array;
  readonly lon0: number;
  readonly lat0: number;
  private readonly mLon: number;
  private readonly mLat: number;
  /** rounded lon/lat of every node, computed once so shared vertices are bit-identical */
  private readonly lonlat: Float64Array;

  constructor(xs: Float64Array, ys: Float64Array, map: (x: number, y: number) => [number, number], lon0: number, lat0: number) {
    this.xs = xs;
    this.ys = ys;
    this.lon0 = lon0;
    this.lat0 = lat0;
    [this.mLon, this.mLat] = metresPerDegree(lat0);
    const n = xs.length * ys.length;
    this.ground = new Float64Array(2 * n);
    this.lonlat = new Float64Array(2 * n);
    for (let j = 0; j < ys.length; j++) {
      for (let i = 0; i < xs.length; i++) {
        const [X, Y] = map(xs[i], ys[j]);
        const k = 2 * (j * xs.length + i);
        this.ground[k] = X;
        this.ground[k + 1] = Y;
        this.lonlat[k] = round7(lon0 + X / this.mLon);
        this.lonlat[k + 1] = round7(lat0 + Y / this.mLat);
      }
    }
  }

  get nxs(): number {
    return this.xs.length;
  }

  get nys(): number {
    return this.ys.length;
  }

  /** Force the lon/lat of a node (used to pin a real boundary's exact corners). */
  pin(i: number, j: number, lon: number | null, lat: number | null): void {
    const k = 2 * (j * this.xs.length + i);
    if (lon !== null) this.lonlat[k] = lon;
    if (lat !== null) this.lonlat[k + 1] = lat;
  }

  nodeLonLat(i: number, j: number): Position {
    const k = 2 * (j * this.xs.length + i);
    return [this.lonlat[k], this.lonlat[k + 1]];
  }

  /** Index of the frame interval holding v (clamped to the first / last interval). */
  static interval(lines: Float64Array, v: number): number {
    let lo = 0, hi = lines.length - 2;
    if (v <= lines[0]) return 0;
    if (v >= lines[hi + 1]) return hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Ground metres of a design point (bilinear in its frame cell). */
  toGround(x: number, y: number): [number, number] {
    const i = Frame.interval(this.xs, x), j = Frame.interval(this.ys, y);
    const s = (x - this.xs[i]) / (this.xs[i + 1] - this.xs[i]);
    const t = (y - this.ys[j]) / (this.ys[j + 1] - this.ys[j]);
    const n = this.xs.length, g = this.ground;
    const k00 = 2 * (j * n + i), k10 = k00 + 2, k01 = k00 + 2 * n, k11 = k01 + 2;
    const w00 = (1 - s) * (1 - t), w10 = s * (1 - t), w01 = (1 - s) * t, w11 = s * t;
    return [
      w00 * g[k00] + w10 * g[k10] + w01 * g[k01] + w11 * g[k11],
      w00 * g[k00 + 1] + w10 * g[k10 + 1] + w01 * g[k01 + 1] + w11 * g[k11 + 1],
    ];
  }

  /** Rounded lon/lat of a design point. */
  toLonLat(x: number, y: number): Position {
    const [X, Y] = this.toGround(x, y);
    return [round7(this.lon0 + X / this.mLon), round7(this.lat0 + Y / this.mLat)];
  }

  /**
   * Check every ground cell is a convex quad with corner angles above ~3° (so bilinear interpolation is
   * one-to-one) and return the largest twist per m² (|P00 - P10 - P01 + P11| / cell area), or -1 on failure.
   */
  check(): number {
    const n = this.xs.length, g = this.ground;
    let twist = 0;
    for (let j = 0; j + 1 < this.ys.length; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const ks = [2 * (j * n + i), 2 * (j * n + i + 1), 2 * ((j + 1) * n + i + 1), 2 * ((j + 1) * n + i)];
        for (let c = 0; c < 4; c++) {
          const p = ks[(c + 3) % 4], q = ks[c], r = ks[(c + 1) % 4];
          const ux = g[q] - g[p], uy = g[q + 1] - g[p + 1], vx = g[r] - g[q], vy = g[r + 1] - g[q + 1];
          const cross = ux * vy - uy * vx;
          if (cross <= 0.05 * Math.hypot(ux, uy) * Math.hypot(vx, vy)) return -1;
        }
        const tx = g[ks[0]] - g[ks[1]] + g[ks[2]] - g[ks[3]], ty = g[ks[0] + 1] - g[ks[1] + 1] + g[ks[2] + 1] - g[ks[3] + 1];
        const area = (this.xs[i + 1] - this.xs[i]) * (this.ys[j + 1] - this.ys[j]);
        twist = Math.max(twist, Math.hypot(tx, ty) / area);
      }
    }
    return twist;
  }
}

/**
 * The ring of the frame rectangle between column lines i0, i1 and row lines j0, j1, for a frame whose lines
 * map to meridians and parallels (or the given lon/lat `bounds`: west, south, east, north). Every frame node
 * along its sides is pinned onto it, so the community outlines (which pass through all of them) tile it
 * exactly; the ring itself keeps only the corners and, when `maxEdge` (design metres) is given, enough of
 * those nodes that no edge is longer (a long lon/lat-straight edge would bow against a projected chord).
 */
export function rectangleRing(frame: Frame, i0: number, i1: number, j0: number, j1: number, bounds?: [number, number, number, number], maxEdge = Infinity): Position[] {
  const [west, south] = bounds ?? frame.nodeLonLat(i0, j0), [east, north] = bounds ? [bounds[2], bounds[3]] : frame.nodeLonLat(i1, j1);
  for (let j = 0; j < frame.nys; j++) {
    frame.pin(i0, j, west, null);
    frame.pin(i1, j, east, null);
  }
  for (let i = 0; i < frame.nxs; i++) {
    frame.pin(i, j0, null, south);
    frame.pin(i, j1, null, north);
  }
  /** node indices from a to b (inclusive, either direction) keeping edges ≤ maxEdge */
  const pick = (lines: Float64Array, a: number, b: number): number[] => {
    const step = a < b ? 1 : -1, out = [a];
    for (let k = a + step; k !== b; k += step) if (Math.abs(lines[k + step] - lines[out[out.length - 1]]) > maxEdge) out.push(k);
    return out;
  };
  const ring: Position[] = [];
  for (const i of pick(frame.xs, i0, i1)) ring.push(frame.nodeLonLat(i, j0));
  for (const j of pick(frame.ys, j0, j1)) ring.push(frame.nodeLonLat(i1, j));
  for (const i of pick(frame.xs, i1, i0)) ring.push(frame.nodeLonLat(i, j1));
  for (const j of pick(frame.ys, j1, j0)) ring.push(frame.nodeLonLat(i0, j));
  ring.push(ring[0]);
  return ring;
}

/** Build a frame for `shape`, damping the shape until every cell is a proper convex quad. */
export function buildFrame(xs: Float64Array, ys: Float64Array, shape: ShapeParams, lon0: number, lat0: number): { frame: Frame; twist: number } {
  for (let attempt = 0; ; attempt++) {
    const frame = new Frame(xs, ys, shapeMap(shape), lon0, lat0);
    const twist = frame.check();
    if (twist >= 0) return { frame, twist };
    if (attempt >= 8) {
      shape.harmonics = [];
      shape.waves = [];
    } else shape.damp *= 0.6;
  }
}

/**
 * Frame lines over [lo, hi]: the `must` positions (the ends and the jurisdiction edges), the `fixed` ones
 * (lines that follow streets at an offset) unless closer than `minGap` to a kept line, and filler lines about
 * `spacing` apart.
 */
export function frameLines(rng: Rng, lo: number, hi: number, must: number[], fixed: number[], spacing: number, minGap: number): Float64Array {
  const mustSet = new Set([lo, hi, ...must]);
  const near = (v: number) => [...mustSet].some((m) => m !== v && Math.abs(m - v) < minGap);
  const cand = [...new Set([...must, ...fixed.filter((v) => !near(v))])].filter((v) => v > lo && v < hi).sort((p, q) => p - q);
  cand.push(hi);
  const kept: number[] = [lo];
  for (const next of cand) {
    let last = kept[kept.length - 1];
    if (next - last < minGap && !mustSet.has(next)) continue;
    for (;;) {
      const step = spacing * rng.range(0.6, 1.4);
      if (next - last <= step + minGap) break;
      last += step;
      kept.push(last);
    }
    kept.push(next);
  }
  return Float64Array.from(kept);
}
