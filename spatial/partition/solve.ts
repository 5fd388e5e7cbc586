/**
 * Solving one component: a first partition (recursive bisection, or seeded growth), then the local search,
 * structural repairs, neighbourhood mending and ejection chains until no move lowers the grids out of range.
 */
import { ComponentState, chooseGridCount, solutionOf, type Ctx, type Solution } from './component-state.ts';
import { bisect } from './bisect.ts';
import { mendNeighbourhoods } from './mend.ts';
import { ejectionChains } from './chains.ts';
import { violation } from '../rules/bounds.ts';

/**
 * Ejection chains on the grids still out of range, then the local search to tidy their shapes; the tidy-up is
 * undone if it let any grid fall out of range again.
 */
function chainAndPolish(c: Ctx, st: ComponentState, maxPasses: number): void {
  if (st.outCount() === 0 || !ejectionChains(c, st)) return;
  const saved = Int32Array.from(st.region), out = st.outCount();
  st.improve(maxPasses);
  st.compound(2);
  if (st.outCount() > out) st.restore(saved);
}


/** Partition one connected component (indices into c.nodes) into about k regions. */
export function solveComponent(c: Ctx, comp: number[], k: number, rnd: () => number, firstSeedRandom: boolean, maxPasses: number): Solution {
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
  chainAndPolish(c, st, maxPasses);
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
export function solveByBisection(c: Ctx, comp: number[], k: number, rnd: () => number, maxPasses: number): Solution {
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
  chainAndPolish(c, st, maxPasses);
  if (st.outCount() > 0 && mendNeighbourhoods(c, st, rnd)) { st.improve(maxPasses); st.compound(2); }
  if (comp.length <= 4000 && st.outCount() > 0) st.perturb(40, rnd, maxPasses);
  chainAndPolish(c, st, maxPasses);
  return solutionOf(st);
}

/**
 * An exact witness minimises the grids out of range, not how far out they are: it may lump the one grid it
 * must leave out of range with blocks that could make grids of their own. Each grid above max is re-cut on
 * its own, and the cut is kept when it leaves at most one grid out of range with fewer households outside.
 */
export function splitOversize(c: Ctx, comp: number[], sol: Solution, rnd: () => number, maxPasses: number): Solution {
  const st = new ComponentState(c, comp);
  for (let r = 0; r < sol.k; r++) st.newRegion();
  st.restore(sol.region);
  let changed = false;
  for (let r = 0; r < sol.k; r++) {
    if (st.h[r] <= c.max || st.count[r] < 2) continue;
    const local = st.nodesOf(r);
    const k = chooseGridCount(st.h[r], c.min, c.max);
    let best: Solution | null = null;
    for (const kk of new Set([k, k + 1])) {
      const sub = solveByBisection(c, local.map((v) => comp[v]), kk, rnd, maxPasses);
      const subSt = new ComponentState(c, local.map((v) => comp[v]));
      for (let x = 0; x < sub.k; x++) subSt.newRegion();
      subSt.restore(sub.region);
      if (sub.out <= 1 && subSt.violation() < violation(st.h[r], c) && (!best || sub.out < best.out || (sub.out === best.out && sub.cost < best.cost))) best = sub;
    }
    if (!best) continue;
    const ids: number[] = [];
    for (let x = 0; x < best.k; x++) ids.push(x === 0 ? r : st.newRegion());
    for (const v of local) st.remove(v);
    local.forEach((v, i) => st.add(v, ids[best!.region[i]]));
    changed = true;
  }
  return changed ? solutionOf(st) : sol;
}
