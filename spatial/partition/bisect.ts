/**
 * Recursive bisection: the partition's construction step for a connected component of any size.
 *
 * A component of H households that should become k grids is cut in two connected parts A and B meant to
 * become k₁ = ⌊k/2⌋ and k₂ = k − k₁ grids. The cut is feasible when both parts can still be grids in range:
 *   k₁·min ≤ H(A) ≤ k₁·max  and  k₂·min ≤ H(B) ≤ k₂·max,
 * so recursing down to k = 1 leaves every grid in range whenever every cut found a feasible window. This holds
 * on components of 3 or 30,000 blocks alike: the work is O(n log n · log k) and no region is ever given up.
 *
 * Candidate cuts are sweeps: A grows from the extreme block in a direction, always taking the frontier block
 * that lies furthest back in that direction (a Prim-like growth, so A stays connected); every prefix whose
 * households fall in the window is a candidate, scored by the length of the cut (short cuts make compact
 * grids) and by how far the two parts' mean grid sizes sit from the middle of the range (slack for the cuts
 * below). Where a sweep leaves B in pieces, the smaller pieces join A. Where no sweep fits (odd shapes,
 * coarse blocks), growths from random blocks by distance are tried, and last the least infeasible cut.
 */

export interface BisectGraph {
  /** households per node */
  h: ArrayLike<number>;
  /** centroid, metres */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** neighbours with shared border length (m) */
  adj: ReadonlyArray<ReadonlyArray<{ n: number; len: number }>>;
}

export interface Bounds { min: number; max: number }

/** Sweep directions per cut: more where sets are small (cheap, and where fit matters most). */
const DIRECTIONS_SMALL = 12;
const DIRECTIONS_LARGE = 4;
const LARGE_SET = 4000;
/** growths from random blocks tried when no sweep yields a feasible cut */
const RANDOM_GROWTHS = 24;
/**
 * Weight of imbalance in a cut's score: score = cut length × (1 + IMBALANCE_W × p²), p being how far the
 * parts' mean grid sizes sit from the middle of the range, as a share of the half-width (0 … 1 inside it).
 */
const IMBALANCE_W = 2;

/** A binary min-heap of node ids keyed by a float. */
class Heap {
  private ids: number[] = [];
  private keys: number[] = [];
  get size(): number { return this.ids.length; }
  clear(): void { this.ids.length = 0; this.keys.length = 0; }
  push(id: number, key: number): void {
    const { ids, keys } = this;
    let i = ids.length;
    ids.push(id); keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      ids[i] = ids[p]; keys[i] = keys[p];
      i = p;
    }
    ids[i] = id; keys[i] = key;
  }
  pop(): number {
    const { ids, keys } = this;
    const top = ids[0];
    const lastId = ids.pop()!, lastKey = keys.pop()!;
    const n = ids.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && keys[r] < keys[l] ? r : l;
        if (keys[c] >= lastKey) break;
        ids[i] = ids[c]; keys[i] = keys[c];
        i = c;
      }
      ids[i] = lastId; keys[i] = lastKey;
    }
    return top;
  }
}

/** The households window for part A when k splits into k1 + (k − k1). Empty (lo > hi) when H admits no such split. */
export function cutWindow(H: number, k: number, k1: number, b: Bounds): { lo: number; hi: number } {
  const k2 = k - k1;
  return { lo: Math.max(k1 * b.min, H - k2 * b.max), hi: Math.min(k1 * b.max, H - k2 * b.min) };
}

interface Candidate { order: number[]; len: number; sum: number; score: number }

/**
 * Split `nodes` (connected) into `k` connected parts, each within the bounds where the households allow.
 *
 * @example
 * const parts = bisect(g, comp, 10, { min: 400, max: 600 }, seededRandom(1)); // 10 arrays of node ids
 */
export function bisect(g: BisectGraph, nodes: number[], k: number, b: Bounds, rnd: () => number): number[][] {
  const n = g.h.length;
  const ctx: Ctx = { g, b, rnd, mark: new Int32Array(n), inA: new Int32Array(n), stamp: 0, heap: new Heap() };
  const out: number[][] = [];
  const stack: Array<{ nodes: number[]; k: number }> = [{ nodes, k }];
  while (stack.length) {
    const { nodes: s, k: ks } = stack.pop()!;
    if (ks <= 1 || s.length <= 1) { out.push(s); continue; }
    const [a, bpart] = cutOnce(ctx, s, ks);
    const k1 = Math.floor(ks / 2);
    stack.push({ nodes: bpart, k: ks - k1 }, { nodes: a, k: k1 });
  }
  return out;
}

interface Ctx {
  g: BisectGraph;
  b: Bounds;
  rnd: () => number;
  /** stamp per node: in the current set */
  mark: Int32Array;
  /** stamp per node: in part A of the current growth */
  inA: Int32Array;
  stamp: number;
  heap: Heap;
}

function cutOnce(ctx: Ctx, s: number[], k: number): [number[], number[]] {
  const { g, b } = ctx;
  const setStamp = ++ctx.stamp;
  let H = 0;
  for (const v of s) { ctx.mark[v] = setStamp; H += g.h[v]; }
  const k1 = Math.floor(k / 2);
  let { lo, hi } = cutWindow(H, k, k1, b);
  if (lo > hi) { lo = hi = (H * k1) / k; } // H admits no feasible split: aim at the proportional share
  const mid = (b.min + b.max) / 2, half = Math.max(1, (b.max - b.min) / 2);
  const score = (sum: number, len: number) => {
    const p = Math.max(Math.abs(sum / k1 - mid), Math.abs((H - sum) / (k - k1) - mid)) / half;
    return len * (1 + IMBALANCE_W * p * p) + 1e-9 * Math.abs(sum - (H * k1) / k);
  };

  // sweeps in evenly spread directions, from both ends, starting at a random angle (seeded)
  const dirs = s.length > LARGE_SET ? DIRECTIONS_LARGE : DIRECTIONS_SMALL;
  const phase = ctx.rnd() * Math.PI / dirs;
  const cands: Candidate[] = [];
  for (let d = 0; d < dirs; d++) {
    const t = phase + (d * Math.PI) / dirs;
    for (const sign of [1, -1]) {
      const dx = sign * Math.cos(t), dy = sign * Math.sin(t);
      let start = s[0], best = Infinity;
      for (const v of s) { const key = dx * g.x[v] + dy * g.y[v]; if (key < best) { best = key; start = v; } }
      const c = grow(ctx, setStamp, start, (v) => dx * g.x[v] + dy * g.y[v], lo, hi, score);
      if (c) cands.push(c);
    }
  }
  const found = pickConnected(ctx, s, setStamp, cands, lo, hi);
  if (found) return found;

  // growths from random blocks, by distance
  const more: Candidate[] = [];
  for (let i = 0; i < RANDOM_GROWTHS; i++) {
    const start = s[Math.floor(ctx.rnd() * s.length)];
    const sx = g.x[start], sy = g.y[start];
    const c = grow(ctx, setStamp, start, (v) => (g.x[v] - sx) ** 2 + (g.y[v] - sy) ** 2, lo, hi, score);
    if (c) more.push(c);
  }
  const found2 = pickConnected(ctx, s, setStamp, more, lo, hi);
  if (found2) return found2;

  // nothing feasible: the cut nearest the window (the local search downstream takes it from there)
  const target = (lo + hi) / 2;
  const loose = grow(ctx, setStamp, s[0], (v) => g.x[v], -Infinity, Infinity, (sum, len) => Math.abs(sum - target) * 1e6 + len);
  const fallback = loose ? pickConnected(ctx, s, setStamp, [loose], -Infinity, Infinity) : null;
  if (fallback && fallback[0].length && fallback[1].length) return fallback;
  // a set that cannot be cut (one block with all the rest empty, say): half the nodes each way by sweep
  const sorted = [...s].sort((a, c) => g.x[a] - g.x[c] || a - c);
  return [sorted.slice(0, 1), sorted.slice(1)];
}

/**
 * Grow part A from `start`, always taking the frontier node of least key; return the best prefix whose
 * households lie in [lo, hi] (null if none), by `score(sum, cutLength)`.
 */
function grow(ctx: Ctx, setStamp: number, start: number, key: (v: number) => number, lo: number, hi: number,
  score: (sum: number, len: number) => number): Candidate | null {
  const { g, heap } = ctx;
  const aStamp = ++ctx.stamp;
  heap.clear();
  heap.push(start, key(start));
  const order: number[] = [];
  let sum = 0, len = 0, bestIdx = -1, bestScore = Infinity, bestSum = 0, bestLen = 0;
  // queued nodes carry the A stamp negated until taken
  ctx.inA[start] = -aStamp;
  while (heap.size) {
    const v = heap.pop();
    if (ctx.inA[v] === aStamp) continue;
    ctx.inA[v] = aStamp;
    order.push(v);
    sum += g.h[v];
    for (const e of g.adj[v]) {
      if (ctx.mark[e.n] !== setStamp) continue;
      if (ctx.inA[e.n] === aStamp) len -= e.len;
      else {
        len += e.len;
        if (ctx.inA[e.n] !== -aStamp) { ctx.inA[e.n] = -aStamp; heap.push(e.n, key(e.n)); }
      }
    }
    if (sum > hi) break;
    if (sum >= lo && heap.size > 0) {
      const sc = score(sum, len);
      if (sc < bestScore) { bestScore = sc; bestIdx = order.length; bestSum = sum; bestLen = len; }
    }
  }
  if (bestIdx < 0) return null;
  order.length = bestIdx;
  return { order, len: bestLen, sum: bestSum, score: bestScore };
}

/**
 * The best candidate whose remainder is connected, or becomes so when its smaller pieces join A while A's
 * households stay in [lo, hi]. Returns [A, B].
 */
function pickConnected(ctx: Ctx, s: number[], setStamp: number, cands: Candidate[], lo: number, hi: number): [number[], number[]] | null {
  const { g } = ctx;
  cands.sort((a, b) => a.score - b.score);
  for (const c of cands.slice(0, 6)) {
    const aStamp = ++ctx.stamp;
    for (const v of c.order) ctx.inA[v] = aStamp;
    // pieces of the remainder
    const pieces: number[][] = [];
    const seen = ++ctx.stamp;
    for (const v of s) {
      if (ctx.inA[v] === aStamp || ctx.inA[v] === seen) continue;
      const piece = [v];
      ctx.inA[v] = seen;
      for (let q = 0; q < piece.length; q++) {
        for (const e of g.adj[piece[q]]) {
          const u = e.n;
          if (ctx.mark[u] === setStamp && ctx.inA[u] !== aStamp && ctx.inA[u] !== seen) { ctx.inA[u] = seen; piece.push(u); }
        }
      }
      pieces.push(piece);
    }
    if (!pieces.length) continue;
    let main = 0;
    const hOf = (p: number[]) => p.reduce((t, v) => t + g.h[v], 0);
    const ph = pieces.map(hOf);
    for (let i = 1; i < pieces.length; i++) if (ph[i] > ph[main] || (ph[i] === ph[main] && pieces[i].length > pieces[main].length)) main = i;
    let sum = c.sum;
    const a = [...c.order];
    for (let i = 0; i < pieces.length; i++) if (i !== main) { sum += ph[i]; a.push(...pieces[i]); }
    if (sum < lo || sum > hi) continue;
    return [a, pieces[main]];
  }
  return null;
}
