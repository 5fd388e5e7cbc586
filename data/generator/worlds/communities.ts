/**
 * Communities (communities.geojson) as sets of frame cells inside the jurisdiction, so they tile it exactly
 * (shared outlines use the same frame nodes). Sizes are drawn per world, heavy-tailed: log-normal around a
 * drawn median of 800-8,000 households (σ 0.6-1.6), redrawn into [300, 150,000], plus with a drawn chance
 * (0.03-0.2) a huge one, log-uniform 20,000-150,000; drawn until they cover the town. The cells are split
 * by recursive bisection along frame lines (the cut where the cumulative households match the sizes), so a
 * realised total is what the cells hold, never steered to a band. Outlines are then roughened by moving border
 * cells between neighbours (topology-preserving "simple cell" moves that never pinch a corner), so they run
 * 1-30 m beside streets where the frame follows a street and straight through blocks elsewhere. Rarely
 * (chance 0.1) a community gets an exclave on the outline (a MultiPolygon). Units that would straddle two
 * communities are absorbed by the community holding most of them, or shrunk to it.
 */
import type { Rng } from '../rng.ts';
import { logUniform } from './geometry.ts';
import type { Rect } from './world-types.ts';

/** Community sizes for a town of `households` households (order = draw order). */
export function drawCommunitySizes(rng: Rng, households: number): { sizes: number[]; params: Record<string, number> } {
  const median = logUniform(rng, 800, 8000), sigma = rng.range(0.6, 1.6), pHuge = rng.range(0.03, 0.2);
  const sizes: number[] = [];
  let sum = 0;
  while (sum < households) {
    let s = 0;
    if (rng.chance(pHuge)) s = logUniform(rng, 20_000, 150_000);
    else {
      for (let t = 0; t < 20 && (s < 300 || s > 150_000); t++) s = median * Math.exp(sigma * rng.normal());
      s = Math.min(150_000, Math.max(300, s));
    }
    const v = Math.min(Math.round(s), households - sum);
    if (v < 300 && sizes.length > 0) {
      sizes[sizes.length - 1] += v;
      break;
    }
    sizes.push(v);
    sum += v;
  }
  return { sizes, params: { communityMedian: Math.round(median), communitySigma: Math.round(sigma * 100) / 100, communityHugeChance: Math.round(pHuge * 1000) / 1000 } };
}

/** Ownership grid of the inner frame cells: owner[j * w + i] = community index. */
export class CellGrid {
  readonly owner: Int32Array;

  constructor(readonly w: number, readonly h: number) {
    this.owner = new Int32Array(w * h).fill(-1);
  }

  own(i: number, j: number): number {
    return i < 0 || j < 0 || i >= this.w || j >= this.h ? -2 : this.owner[j * this.w + i];
  }

  private static readonly RING: readonly [number, number][] = [[0, 1], [1, 1], [1, 0], [1, -1], [0, -1], [-1, -1], [-1, 0], [-1, 1]];

  /** Runs of `c` around cell (i, j) in its 8-neighbourhood, and whether a 4-neighbour is `c`. */
  private runs(i: number, j: number, c: number): [number, boolean] {
    let runs = 0, four = false;
    const R = CellGrid.RING;
    for (let k = 0; k < 8; k++) {
      const [dx, dy] = R[k], [px, py] = R[(k + 7) % 8];
      const cur = this.own(i + dx, j + dy) === c, prev = this.own(i + px, j + py) === c;
      if (cur && !prev) runs++;
      if (cur && k % 2 === 0) four = true;
    }
    return [runs, four];
  }

  /** No 2 × 2 window with one owner on a diagonal only (that would pinch an outline at a vertex). */
  private wellComposedAround(i: number, j: number): boolean {
    for (const [ox, oy] of [[-1, -1], [0, -1], [-1, 0], [0, 0]]) {
      const p = this.own(i + ox, j + oy + 1), q = this.own(i + ox + 1, j + oy + 1), r = this.own(i + ox, j + oy), s = this.own(i + ox + 1, j + oy);
      if (p === s && q !== p && r !== p) return false;
      if (q === r && p !== q && s !== q) return false;
    }
    return true;
  }

  /** Move cell (i, j) to community `to` if that keeps both communities one simple piece each. */
  tryMove(i: number, j: number, to: number): boolean {
    const from = this.own(i, j);
    if (from === to || from < 0) return false;
    const [ra, fa] = this.runs(i, j, from), [rb, fb] = this.runs(i, j, to);
    if (ra !== 1 || !fa || rb !== 1 || !fb) return false;
    this.owner[j * this.w + i] = to;
    if (this.wellComposedAround(i, j)) return true;
    this.owner[j * this.w + i] = from;
    return false;
  }

  /** Give (i, j) to `to` without the connectivity test of `to` (an exclave), if `from` stays simple. */
  tryDetach(i: number, j: number, to: number): boolean {
    const from = this.own(i, j);
    const [ra, fa] = this.runs(i, j, from);
    if (ra !== 1 || !fa) return false;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (this.own(i + dx, j + dy) === to) return false;
    this.owner[j * this.w + i] = to;
    if (this.wellComposedAround(i, j)) return true;
    this.owner[j * this.w + i] = from;
    return false;
  }
}

/**
 * Recursive bisection of the cells [i0, i1) × [j0, j1) among `targets` (households), cutting where the
 * cumulative cell weight matches the targets' share; a last pair with a small share (< 20%) is split into a
 * corner block and an L instead of a thin strip. Leaves get consecutive community indices; returns the summed
 * targets per community.
 */
export function bisect(grid: CellGrid, weight: Float64Array, colW: Float64Array, rowH: Float64Array, targets: number[]): number[] {
  const out: number[] = [];
  const { w } = grid;
  const rec = (i0: number, i1: number, j0: number, j1: number, t: number[]) => {
    const canX = i1 - i0 >= 2, canY = j1 - j0 >= 2;
    if (t.length === 1 || (!canX && !canY)) {
      const id = out.length;
      out.push(t.reduce((a, b) => a + b, 0));
      for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) grid.owner[j * w + i] = id;
      return;
    }
    const total = t.reduce((a, b) => a + b, 0);
    let k = 1, best = Infinity, acc = 0;
    for (let m = 1; m < t.length; m++) {
      acc += t[m - 1];
      const d = Math.abs(acc - total / 2);
      if (d < best) {
        best = d;
        k = m;
      }
    }
    const f = t.slice(0, k).reduce((a, b) => a + b, 0) / total;
    let spanX = 0, spanY = 0;
    for (let i = i0; i < i1; i++) spanX += colW[i];
    for (let j = j0; j < j1; j++) spanY += rowH[j];
    if (t.length === 2 && canX && canY && Math.min(f, 1 - f) < 0.2) {
      // a small community in a corner rather than a thin strip along a whole side
      const smallFirst = f < 0.5;
      const a = out.length, b = a + 1;
      out.push(t[0], t[1]);
      carveCorner(grid, weight, [i0, i1, j0, j1], smallFirst ? a : b, smallFirst ? b : a, Math.min(f, 1 - f), spanX >= spanY);
      return;
    }
    const alongX = canX && (!canY || spanX >= spanY);
    const n = alongX ? i1 - i0 : j1 - j0;
    const lineW = new Float64Array(n);
    for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) lineW[alongX ? i - i0 : j - j0] += weight[j * w + i];
    const cut = cutAt(lineW, f * lineW.reduce((a, b) => a + b, 0));
    if (alongX) {
      rec(i0, i0 + cut, j0, j1, t.slice(0, k));
      rec(i0 + cut, i1, j0, j1, t.slice(k));
    } else {
      rec(i0, i1, j0, j0 + cut, t.slice(0, k));
      rec(i0, i1, j0 + cut, j1, t.slice(k));
    }
  };
  rec(0, grid.w, 0, grid.h, targets);
  return out;
}

/** Index in [1, n - 1] where the running sum of `w` comes closest to `target`. */
function cutAt(w: Float64Array, target: number): number {
  let cut = 1, best = Infinity, cum = 0;
  for (let c = 1; c < w.length; c++) {
    cum += w[c - 1];
    if (Math.abs(cum - target) < best) {
      best = Math.abs(cum - target);
      cut = c;
    }
  }
  return cut;
}

/**
 * Give `small` a corner block of the cells [i0, i1) × [j0, j1) holding about `share` of their weight (a strip
 * of about √share along the long side, cut again across), and `big` the L-shaped rest.
 */
function carveCorner(grid: CellGrid, weight: Float64Array, r: [number, number, number, number], small: number, big: number, share: number, longX: boolean): void {
  const [i0, i1, j0, j1] = r;
  const { w } = grid;
  const nA = longX ? i1 - i0 : j1 - j0, nB = longX ? j1 - j0 : i1 - i0;
  const at = (a: number, b: number) => (longX ? (j0 + b) * w + i0 + a : (j0 + a) * w + i0 + b);
  const lineA = new Float64Array(nA);
  let total = 0;
  for (let a = 0; a < nA; a++) for (let b = 0; b < nB; b++) lineA[a] += weight[at(a, b)];
  for (const v of lineA) total += v;
  const ca = cutAt(lineA, Math.sqrt(share) * total);
  const lineB = new Float64Array(nB);
  for (let a = 0; a < ca; a++) for (let b = 0; b < nB; b++) lineB[b] += weight[at(a, b)];
  const cb = cutAt(lineB, share * total);
  for (let a = 0; a < nA; a++) for (let b = 0; b < nB; b++) grid.owner[at(a, b)] = a < ca && b < cb ? small : big;
}

/** Roughen the outlines: `passes` sweeps over the border cells, each moved with probability `p`. */
export function roughen(rng: Rng, grid: CellGrid, passes: number, p: number): void {
  const { w, h } = grid;
  const dirs: [number, number][] = [[1, 0], [-1, 0], [0, 1], [0, -1]];
  for (let pass = 0; pass < passes; pass++) {
    const border: number[] = [];
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const o = grid.owner[j * w + i];
        if (dirs.some(([dx, dy]) => grid.own(i + dx, j + dy) >= 0 && grid.own(i + dx, j + dy) !== o)) border.push(j * w + i);
      }
    }
    rng.shuffle(border);
    for (const c of border) {
      if (!rng.chance(p)) continue;
      const i = c % w, j = (c - i) / w;
      const [dx, dy] = rng.pick(dirs);
      const to = grid.own(i + dx, j + dy);
      if (to >= 0) grid.tryMove(i, j, to);
    }
  }
}

/** Try to give community `to` a small exclave (1-3 cells) on the jurisdiction outline. */
export function addExclave(rng: Rng, grid: CellGrid, communities: number): boolean {
  const { w, h } = grid;
  const edge: [number, number][] = [];
  for (let i = 0; i < w; i++) edge.push([i, 0], [i, h - 1]);
  for (let j = 1; j < h - 1; j++) edge.push([0, j], [w - 1, j]);
  for (let t = 0; t < 300; t++) {
    const [i, j] = rng.pick(edge);
    const to = rng.int(0, communities - 1);
    if (grid.own(i, j) === to || !grid.tryDetach(i, j, to)) continue;
    // grow along the outline by up to two more cells of the same donor
    for (let g = rng.int(0, 2), k = 0; k < g; k++) {
      const [ni, nj] = rng.pick([[i + 1, j], [i - 1, j], [i, j + 1], [i, j - 1]] as [number, number][]);
      if (grid.own(ni, nj) >= 0 && grid.own(ni, nj) !== to && (ni === 0 || nj === 0 || ni === w - 1 || nj === h - 1)) grid.tryMove(ni, nj, to);
    }
    return true;
  }
  return false;
}

/**
 * Keep a unit inside one community: cells under its rectangle (cell index ranges) move to the community that
 * holds most of it; if that fails the rectangle is cut back to the largest block of that community's cells
 * around its best cell. Returns the new rectangle, or null when it was already whole.
 */
export function keepUnitWhole(grid: CellGrid, xs: Float64Array, ys: Float64Array, ia0: number, jb0: number, rect: Rect, cells: [number, number, number, number]): Rect | null {
  const [ci0, ci1, cj0, cj1] = cells;
  const overlap = (i: number, j: number) =>
    Math.max(0, Math.min(rect.x1, xs[ia0 + i + 1]) - Math.max(rect.x0, xs[ia0 + i])) * Math.max(0, Math.min(rect.y1, ys[jb0 + j + 1]) - Math.max(rect.y0, ys[jb0 + j]));
  const area = new Map<number, number>();
  let bestCell: [number, number] = [ci0, cj0], bestA = -1;
  for (let j = cj0; j <= cj1; j++) {
    for (let i = ci0; i <= ci1; i++) {
      const a = overlap(i, j), o = grid.own(i, j);
      area.set(o, (area.get(o) ?? 0) + a);
      if (a > bestA) {
        bestA = a;
        bestCell = [i, j];
      }
    }
  }
  if (area.size === 1) return null;
  const major = [...area.entries()].sort((p, q) => q[1] - p[1] || p[0] - q[0])[0][0];
  for (let pass = 0; pass < 4; pass++) {
    let moved = false;
    for (let j = cj0; j <= cj1; j++) for (let i = ci0; i <= ci1; i++) if (grid.own(i, j) !== major && grid.tryMove(i, j, major)) moved = true;
    if (!moved) break;
  }
  let whole = true;
  for (let j = cj0; j <= cj1; j++) for (let i = ci0; i <= ci1; i++) if (grid.own(i, j) !== major) whole = false;
  if (whole) return null;
  // cut back: grow a rectangle of `major` cells from a best cell of `major`
  let [bi, bj] = bestCell;
  if (grid.own(bi, bj) !== major) {
    let ba = -1;
    for (let j = cj0; j <= cj1; j++) for (let i = ci0; i <= ci1; i++) if (grid.own(i, j) === major && overlap(i, j) > ba) [ba, bi, bj] = [overlap(i, j), i, j];
  }
  let r0 = bi, r1 = bi, s0 = bj, s1 = bj;
  const allMajor = (a0: number, a1: number, b0: number, b1: number) => {
    for (let j = b0; j <= b1; j++) for (let i = a0; i <= a1; i++) if (grid.own(i, j) !== major) return false;
    return true;
  };
  for (let grew = true; grew; ) {
    grew = false;
    if (r0 > ci0 && allMajor(r0 - 1, r0 - 1, s0, s1)) [r0, grew] = [r0 - 1, true];
    if (r1 < ci1 && allMajor(r1 + 1, r1 + 1, s0, s1)) [r1, grew] = [r1 + 1, true];
    if (s0 > cj0 && allMajor(r0, r1, s0 - 1, s0 - 1)) [s0, grew] = [s0 - 1, true];
    if (s1 < cj1 && allMajor(r0, r1, s1 + 1, s1 + 1)) [s1, grew] = [s1 + 1, true];
  }
  return {
    x0: Math.max(rect.x0, xs[ia0 + r0]), x1: Math.min(rect.x1, xs[ia0 + r1 + 1]),
    y0: Math.max(rect.y0, ys[jb0 + s0]), y1: Math.min(rect.y1, ys[jb0 + s1 + 1]),
  };
}

/** Outline rings of community `c` as lists of inner node (i, j) pairs, counter-clockwise, not closed. */
export function traceRings(grid: CellGrid, c: number): [number, number][][] {
  const { w, h } = grid;
  const W = w + 1;
  const next = new Map<number, number>();
  const add = (ai: number, aj: number, bi: number, bj: number) => next.set(aj * W + ai, bj * W + bi);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      if (grid.owner[j * w + i] !== c) continue;
      if (grid.own(i, j - 1) !== c) add(i, j, i + 1, j);
      if (grid.own(i + 1, j) !== c) add(i + 1, j, i + 1, j + 1);
      if (grid.own(i, j + 1) !== c) add(i + 1, j + 1, i, j + 1);
      if (grid.own(i - 1, j) !== c) add(i, j + 1, i, j);
    }
  }
  const rings: [number, number][][] = [];
  const seen = new Set<number>();
  for (const start of [...next.keys()].sort((p, q) => p - q)) {
    if (seen.has(start)) continue;
    const ring: [number, number][] = [];
    for (let v = start; !seen.has(v); v = next.get(v)!) {
      seen.add(v);
      ring.push([v % W, Math.floor(v / W)]);
    }
    rings.push(ring);
  }
  return rings;
}
