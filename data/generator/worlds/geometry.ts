/**
 * Plain-arithmetic geometry on the design plane (metres): convex clipping, areas, sampling inside convex
 * rings, polyline densification and two uniform-grid indexes (street segments with a clearance each, and
 * rectangles). No polygon library: everything the generator does per block is O(vertices).
 */
import type { Rng } from '../rng.ts';
import type { Rect } from './world-types.ts';

/** Signed area of a flat ring [x0, y0, x1, y1, …] (positive when counter-clockwise). */
export function ringArea(ring: readonly number[]): number {
  let s = 0;
  const n = ring.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    s += ring[i] * ring[j + 1] - ring[j] * ring[i + 1];
  }
  return s / 2;
}

/** Keep the part of a convex flat ring where nx·x + ny·y ≤ c (Sutherland-Hodgman, one half-plane). */
export function clipHalfPlane(ring: readonly number[], nx: number, ny: number, c: number): number[] {
  const out: number[] = [];
  const n = ring.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    const ax = ring[i], ay = ring[i + 1], bx = ring[j], by = ring[j + 1];
    const fa = nx * ax + ny * ay - c, fb = nx * bx + ny * by - c;
    if (fa <= 0) out.push(ax, ay);
    if ((fa <= 0) !== (fb <= 0)) {
      const t = fa / (fa - fb);
      out.push(ax + t * (bx - ax), ay + t * (by - ay));
    }
  }
  return out;
}

/** Clip a convex flat ring to an axis-aligned rectangle. */
export function clipToRect(ring: readonly number[], r: Rect): number[] {
  let p = clipHalfPlane(ring, -1, 0, -r.x0);
  if (p.length >= 6) p = clipHalfPlane(p, 1, 0, r.x1);
  if (p.length >= 6) p = clipHalfPlane(p, 0, -1, -r.y0);
  if (p.length >= 6) p = clipHalfPlane(p, 0, 1, r.y1);
  return p.length >= 6 ? p : [];
}

/** Uniform sampler inside a convex flat ring (triangle fan weighted by area). */
export class ConvexSampler {
  readonly area: number;
  private readonly ring: readonly number[];
  private readonly cum: number[];

  constructor(ring: readonly number[]) {
    this.ring = ring;
    this.cum = [];
    let s = 0;
    for (let i = 2; i + 3 < ring.length; i += 2) {
      s += Math.abs((ring[i] - ring[0]) * (ring[i + 3] - ring[1]) - (ring[i + 2] - ring[0]) * (ring[i + 1] - ring[1])) / 2;
      this.cum.push(s);
    }
    this.area = s;
  }

  sample(rng: Rng): [number, number] {
    const r = rng.next() * this.area;
    let k = 0;
    while (k < this.cum.length - 1 && this.cum[k] < r) k++;
    const g = this.ring, i = 2 + 2 * k;
    let u = rng.next(), v = rng.next();
    if (u + v > 1) {
      u = 1 - u;
      v = 1 - v;
    }
    return [
      g[0] + u * (g[i] - g[0]) + v * (g[i + 2] - g[0]),
      g[1] + u * (g[i + 1] - g[1]) + v * (g[i + 3] - g[1]),
    ];
  }
}

/** Squared distance from (px, py) to the segment (ax, ay)-(bx, by). */
export function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Does the segment (ax, ay)-(bx, by) meet the rectangle? (Liang-Barsky) */
export function segHitsRect(ax: number, ay: number, bx: number, by: number, r: Rect): boolean {
  let t0 = 0, t1 = 1;
  const dx = bx - ax, dy = by - ay;
  const p = [-dx, dx, -dy, dy];
  const q = [ax - r.x0, r.x1 - ax, ay - r.y0, r.y1 - ay];
  for (let k = 0; k < 4; k++) {
    if (p[k] === 0) {
      if (q[k] < 0) return false;
    } else {
      const t = q[k] / p[k];
      if (p[k] < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  return true;
}

/** Insert vertices so that no piece of the flat polyline is longer than `step`. */
export function densify(pts: readonly number[], step: number): number[] {
  const out = [pts[0], pts[1]];
  for (let i = 2; i < pts.length; i += 2) {
    const ax = pts[i - 2], ay = pts[i - 1], bx = pts[i], by = pts[i + 1];
    const n = Math.ceil(Math.hypot(bx - ax, by - ay) / step);
    for (let k = 1; k < n; k++) out.push(ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n);
    out.push(bx, by);
  }
  return out;
}

/**
 * Street segments in a uniform grid, each with its own clearance (half-width plus setback). A segment is
 * filed in every cell its bounding box, grown by its clearance, touches, so `blocked` looks at one cell only.
 */
export class SegIndex {
  readonly ax: number[] = [];
  readonly ay: number[] = [];
  readonly bx: number[] = [];
  readonly by: number[] = [];
  readonly clr: number[] = [];
  /** index of the line each segment belongs to (caller's numbering) */
  readonly line: number[] = [];
  private cellStart = new Int32Array(0);
  private cellSegs = new Int32Array(0);
  private x0 = 0;
  private y0 = 0;
  private nx = 0;
  private ny = 0;
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  add(pts: readonly number[], clearance: number, line: number): void {
    for (let i = 2; i < pts.length; i += 2) {
      this.ax.push(pts[i - 2]);
      this.ay.push(pts[i - 1]);
      this.bx.push(pts[i]);
      this.by.push(pts[i + 1]);
      this.clr.push(clearance);
      this.line.push(line);
    }
  }

  private cellRange(k: number): [number, number, number, number] {
    const c = this.clr[k], s = this.size;
    return [
      Math.max(0, Math.floor((Math.min(this.ax[k], this.bx[k]) - c - this.x0) / s)),
      Math.min(this.nx - 1, Math.floor((Math.max(this.ax[k], this.bx[k]) + c - this.x0) / s)),
      Math.max(0, Math.floor((Math.min(this.ay[k], this.by[k]) - c - this.y0) / s)),
      Math.min(this.ny - 1, Math.floor((Math.max(this.ay[k], this.by[k]) + c - this.y0) / s)),
    ];
  }

  /** Build the cell lists over the rectangle `r` (segments outside it are clamped to its edge cells). */
  build(r: Rect): void {
    this.x0 = r.x0;
    this.y0 = r.y0;
    this.nx = Math.max(1, Math.ceil((r.x1 - r.x0) / this.size));
    this.ny = Math.max(1, Math.ceil((r.y1 - r.y0) / this.size));
    const counts = new Int32Array(this.nx * this.ny + 1);
    const n = this.ax.length;
    for (let k = 0; k < n; k++) {
      const [i0, i1, j0, j1] = this.cellRange(k);
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) counts[j * this.nx + i + 1]++;
    }
    for (let c = 1; c < counts.length; c++) counts[c] += counts[c - 1];
    const fill = counts.slice(0, -1);
    this.cellSegs = new Int32Array(counts[counts.length - 1]);
    for (let k = 0; k < n; k++) {
      const [i0, i1, j0, j1] = this.cellRange(k);
      for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) this.cellSegs[fill[j * this.nx + i]++] = k;
    }
    this.cellStart = counts;
  }

  private cell(x: number, y: number): number {
    const i = Math.floor((x - this.x0) / this.size), j = Math.floor((y - this.y0) / this.size);
    if (i < 0 || j < 0 || i >= this.nx || j >= this.ny) return -1;
    return j * this.nx + i;
  }

  /** True when (x, y) lies within the clearance of some segment (scaled by `factor`). */
  blocked(x: number, y: number, factor = 1): boolean {
    const c = this.cell(x, y);
    if (c < 0) return false;
    for (let p = this.cellStart[c]; p < this.cellStart[c + 1]; p++) {
      const k = this.cellSegs[p];
      const cl = this.clr[k] * factor;
      if (segDist2(x, y, this.ax[k], this.ay[k], this.bx[k], this.by[k]) < cl * cl) return true;
    }
    return false;
  }

  /** Segments whose clearance band meets the rectangle (each once). */
  hitting(r: Rect): number[] {
    const s = this.size;
    const i0 = Math.max(0, Math.floor((r.x0 - this.x0) / s)), i1 = Math.min(this.nx - 1, Math.floor((r.x1 - this.x0) / s));
    const j0 = Math.max(0, Math.floor((r.y0 - this.y0) / s)), j1 = Math.min(this.ny - 1, Math.floor((r.y1 - this.y0) / s));
    const seen = new Set<number>();
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const c = j * this.nx + i;
        for (let p = this.cellStart[c]; p < this.cellStart[c + 1]; p++) {
          const k = this.cellSegs[p];
          if (seen.has(k)) continue;
          const cl = this.clr[k];
          if (segHitsRect(this.ax[k], this.ay[k], this.bx[k], this.by[k], { x0: r.x0 - cl, y0: r.y0 - cl, x1: r.x1 + cl, y1: r.y1 + cl })) seen.add(k);
        }
      }
    }
    return [...seen].sort((a, b) => a - b);
  }
}

/** Rectangles in a uniform grid: "is this point inside (or within `pad` of) one of them?" */
export class RectIndex {
  readonly rects: Rect[] = [];
  private readonly cells = new Map<number, number[]>();
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  private key(i: number, j: number): number {
    return (i + 32768) * 65536 + (j + 32768);
  }

  add(r: Rect): number {
    const id = this.rects.length;
    this.rects.push(r);
    const s = this.size;
    for (let j = Math.floor(r.y0 / s) - 1; j <= Math.floor(r.y1 / s) + 1; j++) {
      for (let i = Math.floor(r.x0 / s) - 1; i <= Math.floor(r.x1 / s) + 1; i++) {
        const k = this.key(i, j);
        const list = this.cells.get(k);
        if (list) list.push(id);
        else this.cells.set(k, [id]);
      }
    }
    return id;
  }

  /** Index of a rectangle containing (x, y) grown by `pad`, or -1. */
  find(x: number, y: number, pad: number): number {
    const list = this.cells.get(this.key(Math.floor(x / this.size), Math.floor(y / this.size)));
    if (!list) return -1;
    for (const id of list) {
      const r = this.rects[id];
      if (x >= r.x0 - pad && x <= r.x1 + pad && y >= r.y0 - pad && y <= r.y1 + pad) return id;
    }
    return -1;
  }

  /** Does `r` (grown by `gap`) overlap any stored rectangle? */
  overlaps(r: Rect, gap: number): boolean {
    return this.rects.some((q) => r.x0 - gap < q.x1 && r.x1 + gap > q.x0 && r.y0 - gap < q.y1 && r.y1 + gap > q.y0);
  }
}

/** Log-uniform draw in [a, b]. */
export function logUniform(rng: Rng, a: number, b: number): number {
  return Math.exp(rng.range(Math.log(a), Math.log(b)));
}

/** Draw weights for `names` (exponential draws, so some are near zero), normalised to sum 1. */
export function drawMix(rng: Rng, names: readonly string[], floor = 0): Record<string, number> {
  const raw = names.map(() => floor - Math.log(1 - rng.next()));
  const s = raw.reduce((a, b) => a + b, 0);
  return Object.fromEntries(names.map((n, i) => [n, Math.round((raw[i] / s) * 1e4) / 1e4]));
}

/** Round to 1e-7 (the output coordinate precision). */
export function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
