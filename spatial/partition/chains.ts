/**
 * Ejection chains: a grid out of range takes (or gives) one boundary block from a neighbour, or swaps one
 * block each way with it (coarse blocks then change a grid by their difference); if that leaves
 * the neighbour out of range, the neighbour takes (or gives) one from its own neighbour, and so on, until the
 * last grid of the chain is still in range. A chain passes a shortfall or an excess through full grids that no
 * single move can pass: it is the augmenting path of the households' flow between grids.
 *
 * A chain is kept only when the grid it starts from comes nearer the range, every grid it passes through ends
 * in range, and the grid it ends in is in range or nearer the range than before; every grid stays connected.
 * So each chain lowers the households outside the range, and the search ends.
 */
import type { ComponentState, Ctx } from './component-state.ts';
import { inRange, violation } from '../rules/bounds.ts';

/** How far a chain reaches: grids after the first. */
const CHAIN_MAX_DEPTH = 8;
/** Candidate moves tried per chain search before it gives up on that grid. */
const CHAIN_MAX_EXPANSIONS = 20_000;

/**
 * Run ejection chains from every grid out of range until none helps. Returns whether anything changed.
 *
 * @example
 * if (st.outCount() > 0 && ejectionChains(c, st)) st.improve(passes);
 */
export function ejectionChains(c: Ctx, st: ComponentState, maxDepth = CHAIN_MAX_DEPTH, maxExpansions = CHAIN_MAX_EXPANSIONS): boolean {
  const bounds = { min: c.min, max: c.max };
  const members: Array<Set<number>> = [];
  for (let v = 0; v < st.n; v++) (members[st.region[v]] ??= new Set()).add(v);
  const move = (v: number, to: number) => {
    members[st.region[v]].delete(v);
    st.remove(v);
    st.add(v, to);
    (members[to] ??= new Set()).add(v);
  };

  /** One chain from region r; true when applied. */
  const chainFor = (r: number): boolean => {
    const receive = st.h[r] < c.min;
    const v0 = violation(st.h[r], bounds);
    const inChain = new Set<number>([r]);
    const seen = new Set<string>();
    let expansions = 0;

    /** after x's move(s) with s: is the chain done at s, or can it go on from s? */
    const goOn = (s: number, sWasOut: boolean, vs0: number, depth: number): boolean => {
      const hs = st.h[s];
      if (inRange(hs, bounds) || (sWasOut && violation(hs, bounds) < vs0)) return true;
      if (sWasOut || depth >= maxDepth) return false;
      const seenKey = `${s}:${hs}`;
      if (seen.has(seenKey)) return false;
      seen.add(seenKey);
      inChain.add(s);
      const ok = step(s, depth + 1);
      inChain.delete(s);
      return ok;
    };
    /** x's tally would be acceptable: nearer the range for the first grid, in range for the others */
    const acceptable = (x: number, hx: number) => (x === r ? violation(hx, bounds) < v0 : inRange(hx, bounds));

    const step = (x: number, depth: number): boolean => {
      // candidate moves: (block, the other region); receive: block of a neighbour into x; give: block of x out
      const cands: Array<{ b: number; s: number; hx: number; hs: number }> = [];
      const key = new Set<string>();
      for (const u of members[x] ?? []) {
        for (const e of st.ladj[u]) {
          const s = st.region[e.n];
          if (s === x || inChain.has(s)) continue;
          const b = receive ? e.n : u;
          const hb = st.N[b].households;
          if (hb === 0) continue;
          const k = `${b}:${s}`;
          if (key.has(k)) continue;
          key.add(k);
          cands.push({ b, s, hx: st.h[x] + (receive ? hb : -hb), hs: st.h[s] + (receive ? -hb : hb) });
        }
      }
      // chains that end here first, then tallies nearest the middle
      cands.sort((p, q) => Number(inRange(q.hs, bounds)) - Number(inRange(p.hs, bounds)) || Math.abs(p.hx - c.mid) - Math.abs(q.hx - c.mid) || p.b - q.b);
      const from = (s: number) => (receive ? s : x), to = (s: number) => (receive ? x : s);
      for (const { b, s, hx } of cands) {
        if (!acceptable(x, hx)) continue;
        if (++expansions > maxExpansions) return false;
        const giver = from(s);
        if (st.count[giver] <= 1 || !st.connectedWithout(b, giver)) continue;
        const sWasOut = st.outOfRange(s), vs0 = violation(st.h[s], bounds);
        move(b, to(s));
        if (goOn(s, sWasOut, vs0, depth)) return true;
        move(b, giver);
      }
      // swaps with one neighbour: a block each way, so a grid of coarse blocks can change by their difference
      for (const { b, s } of cands) {
        if (expansions > maxExpansions) return false;
        const giver = from(s), taker = to(s);
        if (st.count[giver] <= 1 || !st.connectedWithout(b, giver)) continue;
        const sWasOut = st.outOfRange(s), vs0 = violation(st.h[s], bounds);
        move(b, taker);
        const back: number[] = [];
        for (const u of members[taker] ?? []) {
          if (u === b || st.N[u].households === 0) continue;
          if (st.ladj[u].some((e) => st.region[e.n] === giver)) back.push(u);
        }
        for (const b2 of back) {
          const hx = st.h[x] + (x === taker ? -1 : 1) * st.N[b2].households;
          if (!acceptable(x, hx)) continue;
          if (++expansions > maxExpansions) break;
          if (st.count[taker] <= 1 || !st.connectedWithout(b2, taker)) continue;
          move(b2, giver);
          if (goOn(s, sWasOut, vs0, depth)) return true;
          move(b2, taker);
        }
        move(b, giver);
      }
      return false;
    };
    return step(r, 0);
  };

  let changed = false;
  for (let round = 0; round < st.n; round++) {
    let any = false;
    for (let r = 0; r < st.h.length; r++) {
      while (st.count[r] > 0 && st.outOfRange(r) && chainFor(r)) any = changed = true;
    }
    if (!any) break;
  }
  return changed;
}
