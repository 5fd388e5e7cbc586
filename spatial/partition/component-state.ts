/**
 * The regions of one connected component while it is being partitioned: which region each block is in, and
 * tallies (households, area, perimeter, cut weight, zone households) that update incrementally when a block
 * moves; the local-search moves (single, compound, perturbation, structural repair) work on it.
 *
 * Cost of a region (lower is better), lexicographic through its weights:
 *  - OUT_OF_RANGE_W (1e7) once if the region is out of [min, max] (only in the second phase, `step`), plus
 *    VIOLATION_W (1e4) per household outside the range: grids in range come before anything else;
 *  - SLIVER_W (1e5, scaled) for a region under SLIVER_GRID_AREA: above any compactness, below the range;
 *  - COMPACT_W (100) × P²/(4πA), the isoperimetric ratio (1 for a disc): compact grids;
 *  - ((h − mid) / half-width)²: sizes near the middle of the range;
 *  - cutWeight × cut length and zones.weight × zone penalty (merge only: keep existing zones whole).
 */
import type { NodeGraph, PartitionNode } from './merge-atoms.ts';
import { gridCountFor, SLIVER_GRID_AREA } from '../rules/bounds.ts';

/** Existing zones to keep intact (merge); see AggregateOptions.zones. */
export interface ZoneSpec { layers: Array<'purity' | 'containment'>; label: (node: number, layer: number) => string | null; weight: number }

export interface Ctx {
  nodes: PartitionNode[];
  adj: NodeGraph['adj'];
  cutWeight: number;
  zones?: ZoneSpec;
  /** households of each zone, per layer (containment layers) */
  zoneTotal?: Array<Map<string, number>>;
  min: number;
  max: number;
  mid: number;
  half: number;
}

/** Weight of the isoperimetric ratio: compactness. */
const COMPACT_W = 100;
/** Cost of being out of range at all (second phase): counts out-of-range grids first. */
const OUT_OF_RANGE_W = 1e7;
/** Cost per household outside the range: lets an excess flow through neighbours in the first phase. */
const VIOLATION_W = 1e4;
/** Cost of a sliver grid, scaled by how far below SLIVER_GRID_AREA it is: above any compactness, below range. */
const SLIVER_W = 1e5;

export function regionCost(c: Ctx, h: number, area: number, perim: number, cut: number, step: boolean, zonePen = 0): number {
  const viol = h < c.min ? c.min - h : h > c.max ? h - c.max : 0;
  const iso = area > 0 ? (perim * perim) / (4 * Math.PI * area) : 1e3;
  const dev = (h - c.mid) / c.half;
  const sliver = area < SLIVER_GRID_AREA ? SLIVER_W * (1 - area / SLIVER_GRID_AREA) : 0;
  return (viol > 0 ? (step ? OUT_OF_RANGE_W : 0) + VIOLATION_W * viol : 0) + sliver + COMPACT_W * iso + dev * dev + c.cutWeight * cut + (c.zones ? c.zones.weight * zonePen : 0);
}

/** The zone penalty of a region from its households per zone (see AggregateOptions.zones). */
export function zonePenalty(c: Ctx, h: number, perLayer: Array<Map<string, number>>): number {
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

export interface Solution {
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
export class ComponentState {
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


/** The regions of a component state, numbered from 0 in node order. */
export function solutionOf(st: ComponentState, fidelity = 0): Solution {
  const ids = new Map<number, number>();
  const region = new Int32Array(st.n);
  for (let v = 0; v < st.n; v++) {
    const r = st.region[v];
    if (!ids.has(r)) ids.set(r, ids.size);
    region[v] = ids.get(r)!;
  }
  return { region, k: ids.size, share: st.share(), out: st.outCount(), cost: st.totalCost(), fidelity };
}
