/**
 * The merge (多网合一) side of the aggregation: start from an existing layer's zones and mend only what breaks
 * the bounds, and measure how many households keep their zones (fidelity).
 */
import { ComponentState, chooseGridCount, type Ctx } from './component-state.ts';
import { solveComponent } from './solve.ts';


/**
 * Fidelity of a component's regions to the existing zones (merge), in households: per layer, a household
 * counts when its region lies (≥ 95% of households) in one zone, or its zone lies (≥ 95%) in one region.
 */
export function zoneFidelity(c: Ctx, st: ComponentState): number {
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
export function zoneFirst(c: Ctx, comp: number[], rnd: () => number, maxPasses: number, initialLabel: (node: number) => string | null): ComponentState {
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
