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
 * The modules: component-state.ts (regions, tallies, moves and the cost of a region, its weights explained),
 * solve.ts (one component), mend.ts (neighbourhood re-cuts), chains.ts (ejection chains), exact.ts (the exact
 * search and its bounds), zone-first.ts (the merge's start from existing zones).
 */
import type { NodeGraph } from './merge-atoms.ts';
import { seededRandom } from './rng.ts';
import { exactMinOut, exactMinOutTidy, EXACT_MAX_BLOCKS, forcedBlock } from './exact.ts';
import { admissible as admits } from '../rules/bounds.ts';
import { chooseGridCount, ComponentState, solutionOf, type Ctx, type Solution, type ZoneSpec } from './component-state.ts';
import { candidateCounts, solveByBisection, solveComponent, splitOversize } from './solve.ts';
import { zoneFidelity, zoneFirst } from './zone-first.ts';
import { contractAlong, relaxEmpty, superGraph } from './contract.ts';

export { chooseGridCount } from './component-state.ts';
export { candidateCounts } from './solve.ts';

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
  zones?: ZoneSpec;
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
      const ex = exactMinOutTidy({ h: list.map((v) => nodes[v].households), adj: list.map((v) => adj[v].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)! }))), min, max },
        found.out, opts.exactBudget ?? 200_000);
      if (ex.witness) {
        const region = new Int32Array(list.length);
        ex.witness.forEach((part, r) => { for (const v of part) region[v] = r; });
        const st = new ComponentState(c, list);
        for (let r = 0; r < ex.witness.length; r++) st.newRegion();
        st.restore(region);
        chosen = splitOversize(c, list, solutionOf(st), rnd, maxPasses);
      }
      if (ex.lowerBound > info.lowerBound) { info.lowerBound = ex.lowerBound; info.bound = 'exact'; }
      else if (ex.status === 'optimal' && info.bound === 'none') info.bound = 'exact';
      info.exactBudget = ex.status === 'budget';
      info.grids = chosen.k;
      info.out = chosen.out;
    }
    const heavy = list.filter((v) => nodes[v].households > 0).length;
    if (chosen.out > info.lowerBound && (list.length > EXACT_MAX_BLOCKS || info.exactBudget) && heavy < list.length && heavy <= EXACT_MAX_BLOCKS) {
      // many blocks without households: the exact search over the blocks with households (contract.ts), a
      // witness along the grids found, a lower bound from the relaxation
      const local = new Map(list.map((v, i) => [v, i]));
      const g = { h: list.map((v) => nodes[v].households), adj: list.map((v) => adj[v].filter((e) => local.has(e.n)).map((e) => ({ n: local.get(e.n)! }))) };
      const all = list.map((_, i) => i);
      const budget = opts.exactBudget ?? 200_000;
      const supers = contractAlong(g, all, chosen.region);
      if (supers.length <= EXACT_MAX_BLOCKS) {
        const ex = exactMinOutTidy({ ...superGraph(g, supers), min, max }, chosen.out, budget);
        if (ex.witness) {
          const region = new Int32Array(list.length);
          ex.witness.forEach((part, r) => { for (const sb of part) for (const v of supers[sb]) region[v] = r; });
          const st = new ComponentState(c, list);
          for (let r = 0; r < ex.witness.length; r++) st.newRegion();
          st.restore(region);
          st.improve(maxPasses);
          if (st.outCount() > ex.lowerBound) st.restore(region);
          chosen = splitOversize(c, list, solutionOf(st), rnd, maxPasses);
        }
      }
      if (chosen.out > info.lowerBound) {
        const rel = relaxEmpty(g, all);
        const rb = exactMinOut({ h: rel.h, adj: rel.adj, min, max }, chosen.out, budget);
        if (rb.lowerBound > info.lowerBound) { info.lowerBound = rb.lowerBound; info.bound = 'exact'; }
        info.exactBudget = rb.status === 'budget';
      }
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
