/**
 * Aggregation: group nodes into connected grids inside each community so that, lexicographically,
 * (a) as many grids as possible hold [min, max] households, (b) grids are compact, (c) sizes sit near the
 * middle of the range. Pure: plain arrays in, groups out.
 *
 * Shape: fixed grids first (dedicated units; nodes above max, which cannot be split further), then each
 * connected component of the remaining nodes of one community is partitioned on its own:
 *  - k = the number of grids: ceil(H/max) … floor(H/min), nearest H/mid, at least one when H > max;
 *  - construction: k seeds by farthest-point sampling, regions grown smallest-first, each taking the
 *    frontier node nearest its centroid;
 *  - local search: moves of boundary nodes between neighbouring regions, accepted when the total cost drops
 *    and the giving region stays connected; tallies (households, area, perimeter) update incrementally;
 *  - a few restarts (other seeds, k ± 1) on small components; the best by cost is kept.
 * Cost of a region: 1e7 if out of range + 1e4 × the households outside the range + 100 × P²/(4πA)
 * (isoperimetric ratio, 1 for a disc) + ((h − mid) / half-width)².
 */
import type { NodeGraph, PartitionNode } from './merge-atoms.ts';
import { seededRandom } from './rng.ts';
import { bisect } from './bisect.ts';
import { exactMinOut, EXACT_MAX_BLOCKS, forcedBlock } from './exact.ts';
import { admissible as admits, gridCountFor, inRange, SLIVER_GRID_AREA } from '../rules/bounds.ts';

const admissible = (H: number, min: number, max: number) => admits(H, { min, max });

export interface AggregateOptions {
  min: number;
  max: number;
  seed?: number;
  /** upper bound of local-search passes per component */
  maxPasses?: number;
  /** expansions the exact solver may spend per small component (exact.ts); default 200,000 */
  exactBudget?: number;
  /**
   * Cost per metre of grid boundary that cuts through something to keep whole (merge: an existing zone).
   * Each adjacency's `w` says how many such things it would cut. Default 0.
   */
  cutWeight?: number;
  /** A starting grouping (merge: zones of an existing layer); nodes with the same label and connected start together. */
  initialLabel?: (node: number) => string | null;
  /** Merge: further starting groupings (other layers' zones); each is tried and the best kept. */
  otherLabels?: Array<(node: number) => string | null>;
  /**
   * Existing zones to keep intact (merge), per layer: the zone of each node, or null. A 'purity' layer (zones
   * larger than grids) wants each grid inside one zone: its cost is the households of a grid outside the
   * grid's main zone. A 'containment' layer (zones smaller than grids) wants each zone inside one grid: its
   * cost is the households of zone pieces holding less than half of their zone.
   */
  zones?: { layers: Array<'purity' | 'containment'>; label: (node: number, layer: number) => string | null; weight: number };
}

/**
 * Why a grid is outside the bounds (certificates, see certify.ts): 'dedicated', 'unit' and 'indivisible' are
 * fixed grids; 'arithmetic' and 'proven' are certified out-of-range grids of a component; 'unproven' is an
 * engine shortfall stated honestly. 'isolated' and 'constrained' are the merge's own (not certificates).
 */
export type GridReason = 'dedicated' | 'indivisible' | 'unit' | 'arithmetic' | 'proven' | 'unproven' | 'isolated' | 'constrained';

/**
 * A connected component of free blocks of one community (a "community part"), partitioned on its own, with
 * the lower bound on its out-of-range grids: 'arithmetic' (its households admit no k with k·min ≤ H ≤ k·max),
 * 'exact' (exact.ts searched every partition), or 'none'.
 */
export interface ComponentInfo {
  id: number;
  community: string;
  households: number;
  blocks: number;
  grids: number;
  out: number;
  lowerBound: number;
  bound: 'arithmetic' | 'exact' | 'forced' | 'none';
  /** the exact search ran out of budget before settling the bound */
  exactBudget?: boolean;
  /** bound 'forced': the households of the block that lies in no connected set of min–max households */
  forcedBlock?: number;
}

export interface GridGroup {
  nodes: number[];
  community: string;
  households: number;
  area: number;
  perimeter: number;
  cx: number;
  cy: number;
  reason?: GridReason;
  /** a sentence saying why the grid is outside the bounds */
  reasonDetail?: string;
  /** the component the grid was cut from (partition only; fixed grids have none) */
  component?: ComponentInfo;
}

interface Ctx {
  nodes: PartitionNode[];
  adj: NodeGraph['adj'];
  cutWeight: number;
  zones?: AggregateOptions['zones'];
  /** households of each zone, per layer (containment layers) */
  zoneTotal?: Array<Map<string, number>>;
  min: number;
  max: number;
  mid: number;
  half: number;
}

const COMPACT_W = 100;
/** Cost of a sliver grid, scaled by how far below SLIVER_GRID_AREA it is: above any compactness, below range. */
const SLIVER_W = 1e5;

function regionCost(c: Ctx, h: number, area: number, perim: number, cut: number, step: boolean, zonePen = 0): number {
  const viol = h < c.min ? c.min - h : h > c.max ? h - c.max : 0;
  const iso = area > 0 ? (perim * perim) / (4 * Math.PI * area) : 1e3;
  const dev = (h - c.mid) / c.half;
  const sliver = area < SLIVER_GRID_AREA ? SLIVER_W * (1 - area / SLIVER_GRID_AREA) : 0;
  return (viol > 0 ? (step ? 1e7 : 0) + 1e4 * viol : 0) + sliver + COMPACT_W * iso + dev * dev + c.cutWeight * cut + (c.zones ? c.zones.weight * zonePen : 0);
}

/** The zone penalty of a region from its households per zone (see AggregateOptions.zones). */
function zonePenalty(c: Ctx, h: number, perLayer: Array<Map<string, number>>): number {
  if (!c.zones) return 0;
  let pen = 0;
  c.zones.layers.forEach((mode, L) => {
    const m = perLayer[L];
    if (mode === 'purity') {
      let best = 0;
      for (const [z, v] of m) if (z !== '' && v > best) best = v;
      pen += h - best;
    } else {
      const tot = c.zoneTotal![L];
      for (const [z, v] of m) if (z !== '' && v < (tot.get(z) ?? 0) / 2) pen += v;
    }
  });
  return pen;
}

/** Choose the number of grids for H households (rules/bounds.ts). */
export function chooseGridCount(H: number, min: number, max: number): number {
  return gridCountFor(H, { min, max });
}

interface Solution {
  region: Int32Array; // per component-local node → region
  k: number;
  /** share of regions within the bounds: compared first (merge) */
  share: number;
  /** regions out of the bounds: compared first (partition) */
  out: number;
  cost: number;
  /** merge: households kept with their zones, summed over layers (see zoneFidelity) */
  fidelity: number;
}

/** The regions of one connected component, with tallies that update incrementally when a node moves. */
class ComponentState {
  readonly n: number;
  readonly ladj: Array<Array<{ n: number; len: number; w: number }>>;
  /** per node: the total cut weight of its adjacencies (len × w) */
  readonly wsum: Float64Array;
  readonly N: PartitionNode[];
  readonly region: Int32Array;
  h: number[] = []; ar: number[] = []; pe: number[] = []; sx: number[] = []; sy: number[] = []; count: number[] = []; cut: number[] = [];
  /** per region, per zone layer: households by zone ('' = none) */
  zh: Array<Array<Map<string, number>>> = [];
  /** per local node, per zone layer: its zone ('' = none) */
  readonly zl: string[][];
  step = false;
  private stamp: Int32Array;
  private stampNo = 0;

  constructor(private readonly c: Ctx, comp: number[]) {
    this.n = comp.length;
    const local = new Map<number, number>();
    comp.forEach((g, i) => local.set(g, i));
    this.ladj = comp.map((g) => c.adj[g].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)!, len: e.len, w: e.len * (e.w ?? 0) })));
    this.wsum = new Float64Array(this.n);
    this.ladj.forEach((l, i) => { for (const e of l) this.wsum[i] += e.w; });
    this.N = comp.map((g) => c.nodes[g]);
    this.region = new Int32Array(this.n).fill(-1);
    this.stamp = new Int32Array(this.n);
    this.zl = c.zones ? comp.map((g) => c.zones!.layers.map((_, L) => c.zones!.label(g, L) ?? '')) : [];
  }

  newRegion(): number {
    this.h.push(0); this.ar.push(0); this.pe.push(0); this.sx.push(0); this.sy.push(0); this.count.push(0); this.cut.push(0);
    this.zh.push(this.c.zones ? this.c.zones.layers.map(() => new Map<string, number>()) : []);
    return this.h.length - 1;
  }

  sharedTo(v: number, r: number): number {
    let s = 0;
    for (const e of this.ladj[v]) if (this.region[e.n] === r) s += e.len;
    return s;
  }

  weightTo(v: number, r: number): number {
    let s = 0;
    for (const e of this.ladj[v]) if (this.region[e.n] === r) s += e.w;
    return s;
  }

  add(v: number, r: number): void {
    const nv = this.N[v];
    this.pe[r] += nv.perimeter - 2 * this.sharedTo(v, r);
    this.cut[r] += this.wsum[v] - 2 * this.weightTo(v, r);
    this.region[v] = r;
    this.zoneAdd(v, r, 1);
    this.h[r] += nv.households; this.ar[r] += nv.area; this.sx[r] += nv.cx * nv.area; this.sy[r] += nv.cy * nv.area; this.count[r]++;
  }

  remove(v: number): void {
    const r = this.region[v];
    const nv = this.N[v];
    this.region[v] = -1;
    this.pe[r] -= nv.perimeter - 2 * this.sharedTo(v, r);
    this.cut[r] -= this.wsum[v] - 2 * this.weightTo(v, r);
    this.zoneAdd(v, r, -1);
    this.h[r] -= nv.households; this.ar[r] -= nv.area; this.sx[r] -= nv.cx * nv.area; this.sy[r] -= nv.cy * nv.area; this.count[r]--;
  }

  private zoneAdd(v: number, r: number, sign: number): void {
    if (!this.c.zones) return;
    const hv = this.N[v].households;
    this.zl[v].forEach((z, L) => { const m = this.zh[r][L]; m.set(z, (m.get(z) ?? 0) + sign * hv); });
  }

  /** zone penalty of region r if v joined (sign 1) or left (sign -1) it */
  zonePenWith(r: number, v: number, sign: number): number {
    if (!this.c.zones) return 0;
    const hv = this.N[v].households;
    const maps = this.zh[r].map((m, L) => { const c = new Map(m); c.set(this.zl[v][L], (c.get(this.zl[v][L]) ?? 0) + sign * hv); return c; });
    return zonePenalty(this.c, this.h[r] + sign * hv, maps);
  }

  cost(r: number): number {
    return regionCost(this.c, this.h[r], this.ar[r], this.pe[r], this.cut[r], this.step, this.c.zones ? zonePenalty(this.c, this.h[r], this.zh[r]) : 0);
  }

  outOfRange(r: number): boolean {
    return this.count[r] > 0 && (this.h[r] < this.c.min || this.h[r] > this.c.max);
  }

  /**
   * Grow k regions over `list` (nodes not yet in a region): seeds by farthest-point sampling, then the
   * smallest region with a free neighbour takes the free neighbour nearest its centroid.
   */
  construct(list: number[], k: number, rnd: () => number, randomFirst: boolean, reuse: number[] = []): void {
    const { N, ladj, region } = this;
    let cx = 0, cy = 0, A = 0;
    for (const v of list) { cx += N[v].cx * N[v].area; cy += N[v].cy * N[v].area; A += N[v].area; }
    cx /= A || 1; cy /= A || 1;
    const seeds: number[] = [];
    const dmin = new Map<number, number>();
    let first = list[0];
    if (randomFirst) first = list[Math.floor(rnd() * list.length)];
    else {
      let best = -1;
      for (const v of list) {
        const d = (N[v].cx - cx) ** 2 + (N[v].cy - cy) ** 2;
        if (d > best) { best = d; first = v; }
      }
    }
    seeds.push(first);
    while (seeds.length < k) {
      const s = seeds[seeds.length - 1];
      let far = -1, farD = -1;
      for (const v of list) {
        const d = Math.min(dmin.get(v) ?? Infinity, (N[v].cx - N[s].cx) ** 2 + (N[v].cy - N[s].cy) ** 2);
        dmin.set(v, d);
        if (d > farD) { farD = d; far = v; }
      }
      if (farD <= 0) break;
      seeds.push(far);
    }
    const regs = seeds.map((s, i) => {
      const r = i < reuse.length ? reuse[i] : this.newRegion();
      this.add(s, r);
      return r;
    });
    const inList = new Set(list);
    const frontier = new Map<number, Set<number>>(regs.map((r, i) => [r, new Set(ladj[seeds[i]].map((e) => e.n).filter((x) => region[x] < 0 && inList.has(x)))]));
    const active = new Set(regs);
    let assigned = seeds.length;
    while (assigned < list.length && active.size) {
      let r = -1;
      for (const q of active) if (r < 0 || this.h[q] < this.h[r] || (this.h[q] === this.h[r] && q < r)) r = q;
      let best = -1, bestD = Infinity;
      const mx = this.sx[r] / (this.ar[r] || 1), my = this.sy[r] / (this.ar[r] || 1);
      const fr = frontier.get(r)!;
      for (const v of fr) {
        if (region[v] >= 0) { fr.delete(v); continue; }
        const d = (N[v].cx - mx) ** 2 + (N[v].cy - my) ** 2;
        if (d < bestD || (d === bestD && v < best)) { bestD = d; best = v; }
      }
      if (best < 0) { active.delete(r); continue; }
      this.add(best, r);
      assigned++;
      fr.delete(best);
      for (const e of ladj[best]) if (region[e.n] < 0 && inList.has(e.n)) fr.add(e.n);
    }
    // anything unreached joins a neighbouring region
    for (let pass = 0; assigned < list.length && pass < list.length; pass++) {
      for (const v of list) {
        if (region[v] >= 0) continue;
        const e = ladj[v].find((x) => region[x.n] >= 0);
        if (e) { this.add(v, region[e.n]); assigned++; }
      }
    }
  }

  /** Regions from labels: connected nodes with the same label start together; unlabelled ones join a neighbour. */
  fromLabels(labels: Array<string | null>): void {
    for (let v = 0; v < this.n; v++) {
      if (this.region[v] >= 0 || labels[v] === null) continue;
      const r = this.newRegion();
      const stack = [v];
      this.add(v, r);
      while (stack.length) {
        const u = stack.pop()!;
        for (const e of this.ladj[u]) if (this.region[e.n] < 0 && labels[e.n] === labels[v]) { this.add(e.n, r); stack.push(e.n); }
      }
    }
    let left = this.region.filter((r) => r < 0).length;
    if (left === this.n) { this.add(0, this.newRegion()); left--; }
    for (let pass = 0; left > 0 && pass < this.n; pass++) {
      for (let v = 0; v < this.n; v++) {
        if (this.region[v] >= 0) continue;
        const e = this.ladj[v].find((x) => this.region[x.n] >= 0);
        if (e) { this.add(v, this.region[e.n]); left--; }
      }
    }
  }

  /** Is region r still connected without v? */
  connectedWithout(v: number, r: number): boolean {
    const start = this.ladj[v].find((e) => this.region[e.n] === r);
    if (!start) return this.count[r] <= 1;
    const stampNo = ++this.stampNo;
    this.stamp[v] = stampNo;
    const stack = [start.n];
    this.stamp[start.n] = stampNo;
    let seen = 1;
    while (stack.length) {
      const u = stack.pop()!;
      for (const e of this.ladj[u]) {
        if (this.region[e.n] === r && this.stamp[e.n] !== stampNo) { this.stamp[e.n] = stampNo; seen++; stack.push(e.n); }
      }
    }
    return seen === this.count[r] - 1;
  }

  /**
   * Local search: boundary nodes move to the neighbouring region that lowers the cost most, while the
   * region they leave stays connected. Phase 1 lowers the households outside the range (an excess can flow
   * through neighbours); phase 2 counts out-of-range regions first.
   */
  improve(maxPasses: number): void {
    const { N, ladj, region } = this;
    for (const step of [false, true]) {
      this.step = step;
      for (let pass = 0; pass < maxPasses; pass++) {
        let moved = 0;
        for (let v = 0; v < this.n; v++) {
          const r = region[v];
          if (this.count[r] <= 1) continue;
          const shared = new Map<number, number>();
          const sharedW = new Map<number, number>();
          for (const e of ladj[v]) {
            shared.set(region[e.n], (shared.get(region[e.n]) ?? 0) + e.len);
            sharedW.set(region[e.n], (sharedW.get(region[e.n]) ?? 0) + e.w);
          }
          if (shared.size === 1 && shared.has(r)) continue;
          const sr = shared.get(r) ?? 0, wr = sharedW.get(r) ?? 0;
          const nv = N[v], wv = this.wsum[v];
          const before = this.cost(r);
          const afterR = regionCost(this.c, this.h[r] - nv.households, this.ar[r] - nv.area, this.pe[r] - nv.perimeter + 2 * sr, this.cut[r] - wv + 2 * wr, step, this.zonePenWith(r, v, -1));
          let bestS = -1, bestDelta = -1e-9;
          for (const [s, ss] of shared) {
            if (s === r) continue;
            const ws = sharedW.get(s) ?? 0;
            const delta = afterR + regionCost(this.c, this.h[s] + nv.households, this.ar[s] + nv.area, this.pe[s] + nv.perimeter - 2 * ss, this.cut[s] + wv - 2 * ws, step, this.zonePenWith(s, v, 1)) - before - this.cost(s);
            if (delta < bestDelta || (delta === bestDelta && s < bestS)) { bestDelta = delta; bestS = s; }
          }
          if (bestS < 0 || !this.connectedWithout(v, r)) continue;
          this.remove(v);
          this.add(v, bestS);
          moved++;
        }
        if (!moved) break;
      }
    }
    this.step = true;
  }

  /** Is region r connected (BFS over its nodes)? */
  connected(r: number): boolean {
    if (this.count[r] <= 1) return true;
    let start = -1;
    for (let v = 0; v < this.n; v++) if (this.region[v] === r) { start = v; break; }
    const stampNo = ++this.stampNo;
    const stack = [start];
    this.stamp[start] = stampNo;
    let seen = 1;
    while (stack.length) {
      const u = stack.pop()!;
      for (const e of this.ladj[u]) {
        if (this.region[e.n] === r && this.stamp[e.n] !== stampNo) { this.stamp[e.n] = stampNo; seen++; stack.push(e.n); }
      }
    }
    return seen === this.count[r];
  }

  private neighbourRegions(v: number): number[] {
    const out = new Set<number>();
    for (const e of this.ladj[v]) if (this.region[e.n] !== this.region[v]) out.add(this.region[e.n]);
    return [...out].sort((a, b) => a - b);
  }

  /**
   * Compound moves for regions still out of range: a swap of two border nodes between neighbouring regions,
   * and a chain (v: R → S, then u: S → T) that passes an excess or a shortfall on through a full neighbour.
   * Each is applied, kept if the cost of the regions involved drops and all stay connected, else undone.
   */
  compound(maxRounds: number): void {
    this.step = true;
    for (let round = 0; round < maxRounds; round++) {
      let improved = 0;
      for (let r = 0; r < this.h.length; r++) {
        if (!this.outOfRange(r)) continue;
        if (this.tryCompoundFor(r)) improved++;
      }
      if (!improved) break;
    }
  }

  private tryCompoundFor(r: number): boolean {
    const border: number[] = [];
    for (let v = 0; v < this.n; v++) if (this.region[v] === r && this.neighbourRegions(v).length) border.push(v);
    for (const v of border) {
      for (const s of this.neighbourRegions(v)) {
        // candidates in s: its nodes bordering r (for a swap) or bordering a third region (for a chain)
        const cands: number[] = [];
        for (let u = 0; u < this.n; u++) if (this.region[u] === s && u !== v && this.neighbourRegions(u).length) cands.push(u);
        for (const u of cands) {
          for (const t of this.neighbourRegions(u)) {
            if (t !== r && this.outOfRange(s) === false && this.count[t] === 0) continue;
            const regs = t === r ? [r, s] : [r, s, t];
            const before = regs.reduce((a, x) => a + this.cost(x), 0);
            this.remove(v); this.add(v, s);
            this.remove(u); this.add(u, t);
            const after = regs.reduce((a, x) => a + this.cost(x), 0);
            if (after < before - 1e-9 && this.count[r] > 0 && this.count[s] > 0 && regs.every((x) => this.connected(x))) return true;
            this.remove(u); this.add(u, s);
            this.remove(v); this.add(v, r);
          }
        }
      }
    }
    return false;
  }

  /** Put every node back into the regions of `assign` (tallies rebuilt from scratch). */
  restore(assign: Int32Array): void {
    for (let v = 0; v < this.n; v++) if (this.region[v] >= 0) this.remove(v);
    for (let r = 0; r < this.h.length; r++) {
      this.h[r] = 0; this.ar[r] = 0; this.pe[r] = 0; this.sx[r] = 0; this.sy[r] = 0; this.count[r] = 0; this.cut[r] = 0;
      if (this.c.zones) this.zh[r] = this.c.zones.layers.map(() => new Map<string, number>());
    }
    for (let v = 0; v < this.n; v++) this.add(v, assign[v]);
  }

  /**
   * Iterated local search: dissolve a region still out of range together with its neighbours, regrow them
   * from other seeds, improve, and keep the result only if the share in range (then the cost) got better.
   */
  perturb(rounds: number, rnd: () => number, maxPasses: number): void {
    let bestShare = this.share(), bestCost = this.totalCost();
    for (let round = 0; round < rounds; round++) {
      const out: number[] = [];
      for (let r = 0; r < this.h.length; r++) if (this.outOfRange(r)) out.push(r);
      if (!out.length) return;
      const r = out[Math.floor(rnd() * out.length)];
      const near = new Set<number>([r]);
      for (const v of this.nodesOf(r)) for (const e of this.ladj[v]) if (this.region[e.n] !== r) near.add(this.region[e.n]);
      const regs = [...near].sort((a, b) => a - b);
      // when boundaries should keep to existing zones (merge), disturb as few neighbours as possible
      const limit = this.c.cutWeight > 0 ? 2 : 5;
      while (regs.length > limit) regs.splice(1 + Math.floor(rnd() * (regs.length - 1)), 1);
      const saved = Int32Array.from(this.region);
      const list: number[] = [];
      for (let v = 0; v < this.n; v++) if (regs.includes(this.region[v])) list.push(v);
      const k = Math.max(1, chooseGridCount(list.reduce((t, v) => t + this.N[v].households, 0), this.c.min, this.c.max) + (rnd() < 0.3 ? (rnd() < 0.5 ? -1 : 1) : 0));
      for (const v of list) this.remove(v);
      this.construct(list, Math.min(k, list.length), rnd, true, regs);
      this.improve(maxPasses);
      this.compound(2);
      const share = this.share(), cost = this.totalCost();
      if (share > bestShare + 1e-12 || (Math.abs(share - bestShare) <= 1e-12 && cost < bestCost - 1e-6)) {
        bestShare = share; bestCost = cost;
      } else {
        this.restore(saved);
      }
    }
  }

  nodesOf(r: number): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.n; v++) if (this.region[v] === r) out.push(v);
    return out;
  }

  /**
   * Structural repairs the moves cannot make: a region above max is regrown as several; a region below min
   * merges into a neighbour when the union fits. Returns whether anything changed.
   */
  repair(rnd: () => number): boolean {
    const { min, max } = this.c;
    let changed = false;
    const K = this.h.length;
    for (let r = 0; r < K; r++) {
      if (this.count[r] < 2 || this.h[r] <= max) continue;
      const k = chooseGridCount(this.h[r], min, max);
      if (k < 2) continue;
      const list = this.nodesOf(r);
      const saved = list.map((v) => this.region[v]);
      const before = this.share(), beforeViol = this.violation();
      for (const v of list) this.remove(v);
      this.construct(list, k, rnd, false, [r]);
      const after = this.share();
      if (after > before + 1e-12 || (Math.abs(after - before) <= 1e-12 && this.violation() < beforeViol)) { changed = true; continue; }
      // no better: undo
      const created = new Set(list.map((v) => this.region[v]).filter((x) => x !== r));
      for (const v of list) this.remove(v);
      list.forEach((v, i) => this.add(v, saved[i]));
      for (const x of created) if (this.count[x] !== 0) throw new Error('repair: undo left nodes behind');
    }
    for (let r = 0; r < this.h.length; r++) {
      if (this.count[r] === 0 || this.h[r] >= min) continue;
      // the neighbouring region whose union with r comes nearest the middle of the range, within it
      const nb = new Set<number>();
      for (const v of this.nodesOf(r)) for (const e of this.ladj[v]) if (this.region[e.n] !== r) nb.add(this.region[e.n]);
      let best = -1, bestDev = Infinity;
      for (const s of [...nb].sort((a, b) => a - b)) {
        const sum = this.h[s] + this.h[r];
        if (sum > max) continue;
        const gain = (this.outOfRange(s) ? 1 : 0) + 1 - (sum < min ? 1 : 0);
        if (gain <= 0) continue;
        const dev = Math.abs(sum - this.c.mid) - 1000 * gain;
        if (dev < bestDev) { bestDev = dev; best = s; }
      }
      if (best < 0) continue;
      for (const v of this.nodesOf(r)) { this.remove(v); this.add(v, best); }
      changed = true;
    }
    return changed;
  }

  violation(): number {
    let t = 0;
    for (let r = 0; r < this.h.length; r++) {
      if (this.count[r] === 0) continue;
      t += this.h[r] < this.c.min ? this.c.min - this.h[r] : this.h[r] > this.c.max ? this.h[r] - this.c.max : 0;
    }
    return t;
  }

  /** non-empty regions outside the bounds */
  outCount(): number {
    let n = 0;
    for (let r = 0; r < this.h.length; r++) if (this.outOfRange(r)) n++;
    return n;
  }

  /** share of non-empty regions within the bounds */
  share(): number {
    let n = 0, all = 0;
    for (let r = 0; r < this.h.length; r++) {
      if (this.count[r] === 0) continue;
      all++;
      if (!this.outOfRange(r)) n++;
    }
    return all ? n / all : 0;
  }

  totalCost(): number {
    this.step = true;
    let t = 0;
    for (let r = 0; r < this.h.length; r++) if (this.count[r] > 0) t += this.cost(r);
    return t;
  }
}

/**
 * Fidelity of a component's regions to the existing zones (merge), in households: per layer, a household
 * counts when its region lies (≥ 95% of households) in one zone, or its zone lies (≥ 95%) in one region.
 */
function zoneFidelity(c: Ctx, st: ComponentState): number {
  if (!c.zones) return 0;
  let good = 0;
  c.zones.layers.forEach((_, L) => {
    const tot = c.zoneTotal![L];
    // zone → largest piece in one region (within this component)
    const bestPiece = new Map<string, number>();
    for (let r = 0; r < st.h.length; r++) {
      if (st.count[r] === 0) continue;
      for (const [z, v] of st.zh[r][L]) if (z !== '' && v > (bestPiece.get(z) ?? 0)) bestPiece.set(z, v);
    }
    for (let r = 0; r < st.h.length; r++) {
      if (st.count[r] === 0) continue;
      let main = 0;
      for (const [z, v] of st.zh[r][L]) if (z !== '' && v > main) main = v;
      const pureRegion = main >= 0.95 * st.h[r];
      for (const [z, v] of st.zh[r][L]) {
        if (v <= 0) continue;
        if (z !== '' && (pureRegion || (bestPiece.get(z) ?? 0) >= 0.95 * (tot.get(z) ?? Infinity))) good += v;
      }
    }
  });
  return good;
}

/**
 * Merge: start from the zones of the primary layer and mend only what breaks the bounds, one zone at a time,
 * so responsibility moves as little as possible. A zone above max is split inside itself when its parts can
 * all be in range; an out-of-range zone is then redrawn together with one neighbour (a small zone joins it
 * whole when the two fit), choosing the neighbour and the cut that leave the fewest grids out of range and,
 * among those, the most households whose grid lies in one zone or whose zone lies in one grid, in every layer.
 */
function zoneFirst(c: Ctx, comp: number[], rnd: () => number, maxPasses: number, initialLabel: (node: number) => string | null): ComponentState {
  const st = new ComponentState(c, comp);
  st.fromLabels(comp.map((g) => initialLabel(g)));
  const inRange = (h: number) => h >= c.min && h <= c.max;
  /** Redraw the union of regions `regs` as k parts (sub-problem on their nodes); returns the parts as local node lists. */
  const redraw = (regs: number[], k: number, randomFirst = false): number[][] => {
    const nodes = regs.flatMap((r) => st.nodesOf(r));
    if (k <= 1) return [nodes];
    const sub = solveComponent(c, nodes.map((v) => comp[v]), k, rnd, randomFirst, maxPasses);
    const parts = new Map<number, number[]>();
    sub.region.forEach((x, i) => parts.set(x, [...(parts.get(x) ?? []), nodes[i]]));
    return [...parts.values()];
  };
  const apply = (regs: number[], parts: number[][]): void => {
    for (const r of regs) for (const v of st.nodesOf(r)) st.remove(v);
    parts.forEach((p, i) => { const r = i < regs.length ? regs[i] : st.newRegion(); for (const v of p) st.add(v, r); });
  };
  const neighbours = (r: number): number[] => {
    const nbs = new Set<number>();
    for (const v of st.nodesOf(r)) for (const e of st.ladj[v]) if (st.region[e.n] !== r) nbs.add(st.region[e.n]);
    return [...nbs].sort((a, b) => a - b);
  };
  /**
   * Move nodes of `from` that border `to` into `to` until `enough()`: nodes of to's own zones first, then the
   * nearest to its centre; `from` stays connected and within min. False when it cannot be done.
   */
  const transfer = (from: number, to: number, enough: () => boolean, only?: (v: number) => boolean): boolean => {
    const skip = new Set<number>();
    const mainZone = (q: number): string[] => st.zh[q].map((m) => { let bz = '', bv = -1; for (const [z, v] of m) if (v > bv) { bv = v; bz = z; } return bz; });
    const zTo = mainZone(to);
    for (let guard = 0; guard < st.n && !enough(); guard++) {
      const tx = st.sx[to] / (st.ar[to] || 1), ty = st.sy[to] / (st.ar[to] || 1);
      let pick = -1, key = Infinity;
      for (const v of st.nodesOf(from)) {
        if (skip.has(v) || (only && !only(v)) || !st.ladj[v].some((e) => st.region[e.n] === to)) continue;
        const foreign = st.zl.length ? st.zl[v].reduce((t, z, L) => t + (z === zTo[L] ? 0 : 1), 0) : 0;
        const k = foreign * 1e12 + (st.N[v].cx - tx) ** 2 + (st.N[v].cy - ty) ** 2;
        if (k < key) { key = k; pick = v; }
      }
      if (pick < 0) return false;
      if (st.count[from] <= 1 || !st.connectedWithout(pick, from)) { skip.add(pick); continue; }
      st.remove(pick);
      st.add(pick, to);
      if (!only && st.h[from] < c.min) return false;
    }
    return enough();
  };
  /** Is every layer's main zone of region r holding ≥ 95% of its households? */
  const pure = (r: number): boolean => st.zh[r].every((m) => { let b = 0; for (const [z, v] of m) if (z !== '' && v > b) b = v; return b >= 0.95 * st.h[r]; });
  const outCount = () => { let n = 0; for (let r = 0; r < st.h.length; r++) if (st.outOfRange(r)) n++; return n; };
  // 1. zones above max split inside themselves when every part fits
  for (let r = 0; r < st.h.length; r++) {
    if (st.count[r] < 2 || st.h[r] <= c.max) continue;
    const k = chooseGridCount(st.h[r], c.min, c.max);
    const parts = redraw([r], k);
    if (parts.every((p) => inRange(p.reduce((t, v) => t + st.N[v].households, 0)))) apply([r], parts);
  }
  // 2. each zone still out of range is redrawn with the neighbour that mends it best
  for (let round = 0; round < 3; round++) {
    let changed = false;
    for (let r = 0; r < st.h.length; r++) {
      if (!st.outOfRange(r)) continue;
      const nbs = neighbours(r);
      const saved = Int32Array.from(st.region);
      const out0 = outCount(), fid0 = zoneFidelity(c, st);
      const held: { best: { assign: Int32Array; out: number; fid: number; size: number } | null } = { best: null };
      /** try one way of mending r: run it, score it, keep it if best so far, and put everything back */
      const attempt = (size: number, run: () => boolean): void => {
        if (run()) {
          const out = outCount(), fid = zoneFidelity(c, st);
          const b = held.best;
          if (!b || out < b.out || (out === b.out && fid > b.fid)) held.best = { assign: Int32Array.from(st.region), out, fid, size };
        }
        st.restore(saved);
      };
      // the fewest households moved across zone lines: take just enough from a neighbour, or give the excess
      // to one, or join a neighbour whole and pass its excess on to a third
      for (const s of nbs) {
        if (st.h[r] < c.min) {
          attempt(2, () => transfer(s, r, () => st.h[r] >= c.min));
          attempt(3, () => {
            for (const v of st.nodesOf(r)) { st.remove(v); st.add(v, s); }
            return true;
          });
          if (st.h[r] + st.h[s] > c.max) {
            for (const t of neighbours(s)) {
              if (t === r) continue;
              attempt(3, () => {
                for (const v of st.nodesOf(r)) { st.remove(v); st.add(v, s); }
                return transfer(s, t, () => st.h[s] <= c.max);
              });
            }
          }
          // take from s, and s takes its shortfall from a third
          for (const t of neighbours(s)) {
            if (t === r) continue;
            attempt(3, () => {
              for (let i = 0; i < 2 && st.h[r] < c.min; i++) {
                transfer(s, r, () => st.h[r] >= c.min || st.h[s] <= c.min, undefined);
                if (st.h[s] < c.min) transfer(t, s, () => st.h[s] >= c.min);
              }
              return st.h[r] >= c.min && st.h[s] >= c.min;
            });
          }
        } else {
          attempt(2, () => transfer(r, s, () => st.h[r] <= c.max));
          // give the excess to s, and s passes its own excess on to a third
          for (const t of neighbours(s)) {
            if (t === r) continue;
            attempt(3, () => {
              transfer(r, s, () => st.h[r] <= c.max);
              if (st.h[s] > c.max) transfer(s, t, () => st.h[s] <= c.max);
              return st.h[r] <= c.max && st.h[s] <= c.max;
            });
          }
        }
      }
      // else redraw the zone with one neighbour, or two (a neighbour's neighbour included)
      const sets: number[][] = nbs.map((s) => [r, s]);
      for (const s of nbs) for (const t of [...nbs, ...neighbours(s)]) if (t !== r && t > s && !sets.some((x) => x.length === 3 && x[1] === s && x[2] === t)) sets.push([r, s, t]);
      for (const regs of sets) {
        if (held.best && held.best.out < out0 && regs.length === 3 && held.best.size === 2) break; // mended with one neighbour: disturb no more
        const H = regs.reduce((t, x) => t + st.h[x], 0);
        const k0 = chooseGridCount(H, c.min, c.max);
        for (const k of k0 > 1 ? [k0, k0 + 1] : [1, 2]) {
          if (k > 1 && H / k < c.min * 0.8) continue;
          for (const randomFirst of k > 1 ? [false, true] : [false]) attempt(regs.length, () => { apply(regs, redraw(regs, k, randomFirst)); return true; });
        }
      }
      const b = held.best;
      if (b && (b.out < out0 || (b.out === out0 && b.fid > fid0))) { st.restore(b.assign); changed = true; }
    }
    if (!changed) break;
  }
  // 3. neighbouring grids that share a zone: gather the zone into one of them and rebalance the two, or
  // redraw the pair, when that keeps as many grids in range and keeps more households with their zones
  for (let round = 0; round < 2; round++) {
    let changed = false;
    for (let r = 0; r < st.h.length; r++) {
      if (st.count[r] === 0) continue;
      for (const s of neighbours(r)) {
        if (s < r || st.count[r] === 0 || st.count[s] === 0 || (pure(r) && pure(s))) continue;
        // an earlier change around r may have parted the two
        if (!st.nodesOf(r).some((v) => st.ladj[v].some((e) => st.region[e.n] === s))) continue;
        const saved = Int32Array.from(st.region);
        const out0 = outCount(), fid0 = zoneFidelity(c, st);
        let best: { assign: Int32Array; fid: number } | null = null;
        const keep = () => {
          const fid = zoneFidelity(c, st);
          if (outCount() <= out0 && fid > (best?.fid ?? fid0)) best = { assign: Int32Array.from(st.region), fid };
          st.restore(saved);
        };
        const shared = new Set<string>();
        st.zh[r].forEach((m, L) => { for (const [z, v] of m) if (z !== '' && v > 0 && (st.zh[s][L].get(z) ?? 0) > 0) shared.add(`${L}\u0000${z}`); });
        for (const key of shared) {
          const [Ls, z] = key.split('\u0000');
          const L = Number(Ls);
          for (const [a, b] of [[r, s], [s, r]]) {
            transfer(b, a, () => false, (v) => st.zl[v][L] === z);
            const needGive = () => st.h[a] <= c.max && st.h[b] >= c.min;
            // rebalance: what is not of the zone goes first, then the zone's nearest nodes if still needed
            if (!needGive()) transfer(a, b, needGive, (v) => st.zl[v][L] !== z);
            if (!needGive()) transfer(a, b, needGive, () => true);
            keep();
          }
        }
        for (const randomFirst of [false, true]) {
          apply([r, s], redraw([r, s], 2, randomFirst));
          keep();
        }
        const b = best as { assign: Int32Array; fid: number } | null;
        if (b) { st.restore(b.assign); changed = true; }
      }
    }
    if (!changed) break;
  }
  return st;
}

/** Partition one connected component (indices into c.nodes) into about k regions. */
function solveComponent(c: Ctx, comp: number[], k: number, rnd: () => number, firstSeedRandom: boolean, maxPasses: number): Solution {
  const st = new ComponentState(c, comp);
  st.construct(comp.map((_, i) => i), k, rnd, firstSeedRandom);
  st.improve(maxPasses);
  st.compound(4);
  for (let round = 0; round < 6; round++) {
    if (!st.repair(rnd)) break;
    st.improve(maxPasses);
    st.compound(4);
  }
  if (comp.length <= 4000) st.perturb(40, rnd, maxPasses);
  return solutionOf(st);
}

/**
 * How many grids to try for H households: the admissible count nearest H / mid, and on small components
 * its admissible neighbours too (a coarser or finer split can fit whole blocks better).
 */
export function candidateCounts(H: number, min: number, max: number, nodes: number): number[] {
  const k0 = chooseGridCount(H, min, max);
  const out = [k0];
  if (nodes <= 3000) for (const k of [k0 + 1, k0 - 1]) if (k >= 1 && k * min <= H && H <= k * max) out.push(k);
  return out;
}

/** Partition a component by recursive bisection (bisect.ts), then polish with the local search. */
function solveByBisection(c: Ctx, comp: number[], k: number, rnd: () => number, maxPasses: number): Solution {
  const st = new ComponentState(c, comp);
  const parts = bisect({ h: st.N.map((n) => n.households), x: st.N.map((n) => n.cx), y: st.N.map((n) => n.cy), adj: st.ladj },
    comp.map((_, i) => i), k, { min: c.min, max: c.max }, rnd);
  for (const part of parts) {
    const r = st.newRegion();
    for (const v of part) st.add(v, r);
  }
  st.improve(maxPasses);
  st.compound(4);
  for (let round = 0; round < 6 && st.outCount() > 0; round++) {
    if (!st.repair(rnd)) break;
    st.improve(maxPasses);
    st.compound(4);
  }
  if (st.outCount() > 0 && mendNeighbourhoods(c, st, rnd)) { st.improve(maxPasses); st.compound(2); }
  if (comp.length <= 4000 && st.outCount() > 0) st.perturb(40, rnd, maxPasses);
  return solutionOf(st);
}

/** Neighbourhoods of a grid out of range re-cut: exact search up to this many blocks, … */
const MEND_EXACT_BLOCKS = 60;
/** … repeated bisections above it … */
const MEND_TRIES = 16;
/** … over at most this many grids around it. */
const MEND_MAX_GRIDS = 9;

/**
 * Mend grids out of range by re-cutting their neighbourhood: the grid with one neighbour, with all its
 * neighbours, then with the neighbours' neighbours (at most MEND_MAX_GRIDS grids), re-partitioned into an
 * admissible number of grids by the exact search (small neighbourhoods) or repeated randomised bisections.
 * A new cut is kept only where it leaves fewer grids out of range in the neighbourhood. Returns whether
 * anything changed.
 */
function mendNeighbourhoods(c: Ctx, st: ComponentState, rnd: () => number): boolean {
  const regionsAround = (rs: number[]): number[] => {
    const set = new Set(rs), out = new Set<number>();
    for (let v = 0; v < st.n; v++) {
      if (!set.has(st.region[v])) continue;
      for (const e of st.ladj[v]) if (!set.has(st.region[e.n])) out.add(st.region[e.n]);
    }
    return [...out].sort((a, b) => a - b);
  };
  const g = { h: st.N.map((n) => n.households), x: st.N.map((n) => n.cx), y: st.N.map((n) => n.cy), adj: st.ladj };
  const bounds = { min: c.min, max: c.max };
  const outIn = (parts: number[][]) => parts.filter((p) => !inRange(p.reduce((t, v) => t + g.h[v], 0), bounds)).length;
  let changed = false;
  for (let r = 0; r < st.h.length; r++) {
    if (!st.outOfRange(r)) continue;
    const nb = regionsAround([r]);
    const nb2 = regionsAround([r, ...nb]);
    const sets: number[][] = [...nb.map((s) => [r, s]), [r, ...nb], [r, ...nb, ...nb2].slice(0, MEND_MAX_GRIDS)];
    for (const R of sets) {
      if (!st.outOfRange(r)) break;
      const inR = new Set(R);
      const nodes: number[] = [];
      for (let v = 0; v < st.n; v++) if (inR.has(st.region[v])) nodes.push(v);
      const before = R.filter((x) => st.outOfRange(x)).length;
      const H = nodes.reduce((t, v) => t + g.h[v], 0);
      let best: number[][] | null = null, bestOut = before;
      if (nodes.length <= MEND_EXACT_BLOCKS) {
        const local = new Map(nodes.map((v, i) => [v, i]));
        const ex = exactMinOut({ h: nodes.map((v) => g.h[v]), adj: nodes.map((v) => st.ladj[v].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)! }))), min: c.min, max: c.max },
          before, 100_000);
        if (ex.witness) { best = ex.witness.map((p) => p.map((i) => nodes[i])); bestOut = outIn(best); }
      } else {
        const k0 = chooseGridCount(H, c.min, c.max);
        for (let t = 0; t < MEND_TRIES && bestOut > 0; t++) {
          const k = t % 4 === 3 ? k0 + 1 : t % 4 === 2 && k0 > 1 ? k0 - 1 : k0;
          const parts = bisect(g, nodes, k, bounds, rnd);
          const o = outIn(parts);
          if (o < bestOut) { bestOut = o; best = parts; }
        }
      }
      if (!best || bestOut >= before) continue;
      for (const v of nodes) st.remove(v);
      best.forEach((part, i) => {
        const id = i < R.length ? R[i] : st.newRegion();
        for (const v of part) st.add(v, id);
      });
      changed = true;
    }
  }
  return changed;
}

/** The regions of a component state, numbered from 0 in node order. */
function solutionOf(st: ComponentState, fidelity = 0): Solution {
  const ids = new Map<number, number>();
  const region = new Int32Array(st.n);
  for (let v = 0; v < st.n; v++) {
    const r = st.region[v];
    if (!ids.has(r)) ids.set(r, ids.size);
    region[v] = ids.get(r)!;
  }
  return { region, k: ids.size, share: st.share(), out: st.outCount(), cost: st.totalCost(), fidelity };
}

/**
 * Group the nodes into grids.
 *
 * @example
 * const groups = aggregate(mergeAtoms(graph), { min: 400, max: 600, seed: 1 });
 * groups.filter((g) => !g.reason).every((g) => g.households >= 400 && g.households <= 600);
 */
export function aggregate(graph: NodeGraph, opts: AggregateOptions): GridGroup[] {
  const { nodes, adj } = graph;
  const { min, max } = opts;
  const c: Ctx = { nodes, adj, min, max, mid: (min + max) / 2, half: Math.max(1, (max - min) / 2), cutWeight: opts.cutWeight ?? 0, zones: opts.zones };
  if (opts.zones) {
    c.zoneTotal = opts.zones.layers.map((_, L) => {
      const m = new Map<string, number>();
      nodes.forEach((n, i) => { const z = opts.zones!.label(i, L); if (z) m.set(z, (m.get(z) ?? 0) + n.households); });
      return m;
    });
  }
  const rnd = seededRandom(opts.seed ?? 1);
  const maxPasses = opts.maxPasses ?? 60;
  const groups: GridGroup[] = [];
  let componentNo = 0;
  const group = (ids: number[], reason?: GridReason, reasonDetail?: string): GridGroup => {
    let hh = 0, area = 0, cx = 0, cy = 0, per = 0;
    const set = new Set(ids);
    for (const i of ids) {
      const n = nodes[i];
      hh += n.households; area += n.area; cx += n.cx * n.area; cy += n.cy * n.area; per += n.perimeter;
      for (const e of adj[i]) if (set.has(e.n)) per -= e.len; // each internal border seen from both sides
    }
    return { nodes: [...ids].sort((a, b) => a - b), community: nodes[ids[0]].community, households: hh, area, perimeter: per,
      cx: area ? cx / area : nodes[ids[0]].cx, cy: area ? cy / area : nodes[ids[0]].cy, reason, reasonDetail };
  };

  // fixed grids
  const free = new Uint8Array(nodes.length).fill(1);
  nodes.forEach((n, i) => {
    if (n.dedicated) {
      free[i] = 0;
      groups.push(group([i], 'dedicated', `dedicated grid of unit ${n.units.join(', ')}`));
    } else if (n.households > max) {
      free[i] = 0;
      if (n.units.length) groups.push(group([i], 'unit', `unit ${n.units.join(', ')} holds ${n.households} households and is kept whole`));
      else groups.push(group([i], 'indivisible', n.maxPoint > max
        ? `one address point holds ${n.maxPoint} households, above ${max}`
        : `${n.households} households at one address location, above ${max}`));
    }
  });

  // components of free nodes within one community
  const comp = new Int32Array(nodes.length).fill(-1);
  const comps: number[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (!free[i] || comp[i] >= 0) continue;
    const list = [i];
    comp[i] = comps.length;
    for (let q = 0; q < list.length; q++) {
      for (const e of adj[list[q]]) {
        if (free[e.n] && comp[e.n] < 0 && nodes[e.n].community === nodes[i].community) { comp[e.n] = comps.length; list.push(e.n); }
      }
    }
    comps.push(list.sort((a, b) => a - b));
  }

  for (const list of comps) {
    const H = list.reduce((s, i) => s + nodes[i].households, 0);
    const community = nodes[list[0]].community;
    if (!opts.initialLabel && (H < min || chooseGridCount(H, min, max) === 1)) {
      // one grid: in range, or (fewer than min households, none at all included) arithmetic
      const info: ComponentInfo = { id: componentNo++, community, households: H, blocks: list.length, grids: 1, out: H < min || H > max ? 1 : 0,
        lowerBound: admissible(H, min, max) ? 0 : 1, bound: admissible(H, min, max) ? 'none' : 'arithmetic' };
      groups.push({ ...group(list), component: info });
      continue;
    }
    if (H === 0 && list.length) {
      // land without households: a grid of its own would be empty, so join a neighbouring grid later
      groups.push(group(list, 'isolated', `no households in this part of community ${community}`));
      continue;
    }
    if (H < min) {
      groups.push(group(list, 'isolated', `only ${H} households in this part of community ${community}, cut off by its outline, units or oversized blocks`));
      continue;
    }
    const k0 = chooseGridCount(H, min, max);
    if (k0 === 1) {
      groups.push(group(list));
      continue;
    }
    const tries: Array<[number, boolean]> = [[k0, false]];
    if (opts.initialLabel) {
      // merge: start from the existing zones, and also from scratch; keep the better
      const cands: Solution[] = [];
      for (const start of [opts.initialLabel, ...(opts.otherLabels ?? [])]) {
        const z = zoneFirst(c, list, rnd, maxPasses, start);
        const zs = solutionOf(z, zoneFidelity(c, z));
        cands.push(zs);
        if (zs.share < 1) {
          // what the zones could not mend: node moves, compound moves and repairs, as for a partition
          z.improve(maxPasses);
          z.compound(4);
          for (let round = 0; round < 6 && z.repair(rnd); round++) { z.improve(maxPasses); z.compound(4); }
          cands.push(solutionOf(z, zoneFidelity(c, z)));
        }
      }
      if (cands.every((x) => x.out > 0)) {
        // the zones could not be mended everywhere: a partition from scratch may keep more grids in range
        const t0 = new ComponentState(c, list);
        const tb = solveByBisection(c, list, k0, rnd, maxPasses), tc = solveComponent(c, list, k0, rnd, false, maxPasses);
        const ts = tb.out < tc.out || (tb.out === tc.out && tb.cost <= tc.cost) ? tb : tc;
        for (let r = 0; r < ts.k; r++) t0.newRegion();
        t0.restore(ts.region);
        cands.push({ ...ts, fidelity: zoneFidelity(c, t0) });
      }
      // most grids in range first, then the most households kept with their zones
      const best = cands.reduce((a, b) => (b.out < a.out || (b.out === a.out && b.fidelity > a.fidelity) ? b : a));
      if (process.env.WANGGE_PROFILE === '1') process.stderr.write(`merge component ${community}: ${cands.map((x) => `share ${x.share.toFixed(3)} kept ${x.fidelity}`).join(' | ')}\n`);
      emit(list, best, H, community);
      continue;
    }
    let best: Solution | null = null;
    const consider = (s: Solution) => {
      if (!best || s.out < best.out || (s.out === best.out && s.cost < best.cost - 1e-6)) best = s;
    };
    for (const k of candidateCounts(H, min, max, list.length)) consider(solveByBisection(c, list, k, rnd, maxPasses));
    if (list.length <= 3000 && best!.out > 0) {
      // coarse or oddly shaped components: the seeded growths may still find what the cuts did not
      for (const [k, randomFirst] of tries) consider(solveComponent(c, list, k, rnd, randomFirst, maxPasses));
    }
    const found = best as unknown as Solution;
    const info: ComponentInfo = { id: componentNo++, community, households: H, blocks: list.length, grids: found.k, out: found.out,
      lowerBound: admissible(H, min, max) ? 0 : 1, bound: admissible(H, min, max) ? 'none' : 'arithmetic' };
    let chosen = found;
    if (found.out > info.lowerBound && list.length <= EXACT_MAX_BLOCKS) {
      // small component: search every partition for fewer grids out of range, or prove there is none
      const local = new Map(list.map((v, i) => [v, i]));
      const ex = exactMinOut({ h: list.map((v) => nodes[v].households), adj: list.map((v) => adj[v].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)! }))), min, max },
        found.out, opts.exactBudget ?? 200_000);
      if (ex.witness) {
        const region = new Int32Array(list.length);
        ex.witness.forEach((part, r) => { for (const v of part) region[v] = r; });
        const st = new ComponentState(c, list);
        for (let r = 0; r < ex.witness.length; r++) st.newRegion();
        st.restore(region);
        chosen = solutionOf(st);
      }
      if (ex.lowerBound > info.lowerBound) { info.lowerBound = ex.lowerBound; info.bound = 'exact'; }
      else if (ex.status === 'optimal' && info.bound === 'none') info.bound = 'exact';
      info.exactBudget = ex.status === 'budget';
      info.grids = chosen.k;
      info.out = chosen.out;
    }
    if (chosen.out > info.lowerBound && info.lowerBound === 0) {
      // a block that lies in no connected set of min–max households forces one grid out of range
      const local = new Map(list.map((v, i) => [v, i]));
      const input = { h: list.map((v) => nodes[v].households), adj: list.map((v) => adj[v].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)! }))), min, max };
      const outRegions = new Set<number>();
      const cnt = new Map<number, number>();
      chosen.region.forEach((r, li) => cnt.set(r, (cnt.get(r) ?? 0) + input.h[li]));
      for (const [r, hh] of cnt) if (hh < min || hh > max) outRegions.add(r);
      for (let li = 0; li < list.length && info.lowerBound === 0; li++) {
        if (!outRegions.has(chosen.region[li]) || input.h[li] === 0) continue;
        if (forcedBlock(input, li) === 'forced') { info.lowerBound = 1; info.bound = 'forced'; info.forcedBlock = nodes[list[li]].households; }
      }
    }
    emit(list, chosen, H, community, info);
  }
  return groups;

  function emit(list: number[], best: Solution, H: number, community: string, info?: ComponentInfo): void {
    const byRegion = new Map<number, number[]>();
    best.region.forEach((r, li) => {
      const arr = byRegion.get(r) ?? [];
      arr.push(list[li]);
      byRegion.set(r, arr);
    });
    for (const r of [...byRegion.keys()].sort((a, b) => a - b)) {
      const g = group(byRegion.get(r)!);
      g.component = info;
      if (!info && (g.households < min || g.households > max)) {
        g.reason = 'constrained';
        g.reasonDetail = `the ${H} households of this part of community ${community} cannot all be grouped into whole street blocks of ${min}–${max}`;
      }
      groups.push(g);
    }
  }
}
