/**
 * An exact solver for small components: the fewest grids out of [min, max] over every partition of the
 * component's blocks into connected grids (whole blocks, nothing crossing the component's edge).
 *
 * Iterative deepening on m, the out-of-range grids allowed: for m = 0, 1, … it searches for a partition with
 * at most m grids out of range. A search that ends without one proves that every partition has more than m
 * (a lower bound); one that finds one gives the optimum and a witness. The search takes the lowest free block,
 * enumerates the connected sets of free blocks holding it (each exactly once: include/exclude branching on a
 * frontier), and recurses on the rest. Pruning, all sound:
 *  - households are never negative, so a set above max grows no in-range superset;
 *  - the free blocks fall into connected pieces that are solved independently; a piece whose households admit
 *    no k with k·min ≤ H ≤ k·max needs one grid out of range at least, so more such pieces than m fail;
 *  - a state (set of free blocks, m left) that failed once fails again (memo).
 * A budget of expansions bounds the work: when it runs out the result says so, with the bound proven so far.
 */

export interface ExactInput {
  /** households per block */
  h: ArrayLike<number>;
  /** neighbours per block (indices into h) */
  adj: ReadonlyArray<ReadonlyArray<{ n: number }>>;
  min: number;
  max: number;
}

export interface ExactResult {
  /** 'optimal': lowerBound is the optimum (witness given unless the caller's upper bound is met); 'budget': stopped early */
  status: 'optimal' | 'budget';
  /** proven: every partition has at least this many grids out of range */
  lowerBound: number;
  /** a partition with `lowerBound` grids out of range, when the search found one below the caller's upper bound */
  witness?: number[][];
  expansions: number;
}

/** Largest component the exact solver takes (blocks). */
export const EXACT_MAX_BLOCKS = 60;

const admits = (H: number, min: number, max: number) => admissible(H, { min, max });

import { admissible } from '../rules/bounds.ts';

class Budget extends Error {}

/**
 * Minimum out-of-range grids, searched below `upper` (the best known: the search stops proving there).
 *
 * @example exactMinOut({ h: [350, 350, 350], adj: [[{ n: 1 }], [{ n: 0 }, { n: 2 }], [{ n: 1 }]], min: 400, max: 600 }, 3)
 *   // → { status: 'optimal', lowerBound: 1, witness: [[0, 1, 2]] }
 */
export function exactMinOut(input: ExactInput, upper: number, budget = 200_000, outCap = Infinity): ExactResult {
  // the heaviest blocks are decided first: they leave the fewest choices, so the search prunes early
  const order = Array.from({ length: input.h.length }, (_, i) => i).sort((a, b) => input.h[b] - input.h[a] || a - b);
  const rank = new Int32Array(order.length);
  order.forEach((v, i) => { rank[v] = i; });
  const inner = { h: order.map((v) => input.h[v]), adj: order.map((v) => input.adj[v].map((e) => ({ n: rank[e.n] }))), min: input.min, max: input.max };
  const r = exactMinOutOrdered(inner, upper, budget, outCap);
  if (r.witness) r.witness = r.witness.map((part) => part.map((i) => order[i]));
  return r;
}

function exactMinOutOrdered(input: ExactInput, upper: number, budget: number, outCap: number): ExactResult {
  const n = input.h.length;
  const { min, max } = input;
  let expansions = 0;
  const failed = new Map<string, number>(); // state key → largest m that failed there
  const free = new Uint8Array(n).fill(1);
  const key = () => { let s = ''; for (let i = 0; i < n; i += 16) { let w = 0; for (let j = i; j < Math.min(n, i + 16); j++) w = (w << 1) | free[j]; s += String.fromCharCode(w + 32); } return s; };

  /** connected pieces of the free blocks */
  const pieces = (): number[][] => {
    const seen = new Uint8Array(n);
    const out: number[][] = [];
    for (let v = 0; v < n; v++) {
      if (!free[v] || seen[v]) continue;
      const p = [v];
      seen[v] = 1;
      for (let q = 0; q < p.length; q++) for (const e of input.adj[p[q]]) if (free[e.n] && !seen[e.n]) { seen[e.n] = 1; p.push(e.n); }
      out.push(p);
    }
    return out;
  };

  /** can the free blocks be partitioned with at most m grids out of range? parts collects a witness */
  const solve = (m: number, parts: number[][]): boolean => {
    if (++expansions > budget) throw new Budget();
    const ps = pieces();
    if (!ps.length) return true;
    let bad = 0;
    for (const p of ps) if (!admits(p.reduce((t, v) => t + input.h[v], 0), min, max)) bad++;
    if (bad > m) return false;
    const k = key();
    if ((failed.get(k) ?? -1) >= m) return false;
    // the piece holding the lowest free block; its lowest block starts the next grid
    const v = ps[0][0];
    const ok = enumerate(v, m, parts);
    if (!ok) failed.set(k, Math.max(failed.get(k) ?? -1, m));
    return ok;
  };

  /** enumerate connected sets of free blocks holding v; for each usable one, recurse on the rest */
  const enumerate = (v: number, m: number, parts: number[][]): boolean => {
    const set: number[] = [v];
    const inSet = new Uint8Array(n), banned = new Uint8Array(n), inExt = new Uint8Array(n);
    inSet[v] = 1;
    const ext: number[] = [];
    for (const e of input.adj[v]) if (free[e.n] && !inExt[e.n] && e.n !== v) { inExt[e.n] = 1; ext.push(e.n); }
    const tryUse = (sum: number): boolean => {
      const inRange = sum >= min && sum <= max;
      if (!inRange && (m === 0 || sum > outCap)) return false;
      for (const u of set) free[u] = 0;
      parts.push([...set]);
      const ok = solve(inRange ? m : m - 1, parts);
      if (!ok) parts.pop();
      for (const u of set) free[u] = 1;
      return ok;
    };
    const rec = (sum: number, from: number): boolean => {
      if (++expansions > budget) throw new Budget();
      // the set as it stands
      if (tryUse(sum)) return true;
      if (sum > max && (m === 0 || sum > outCap)) return false; // no in-range superset, and no usable one out of range
      for (let i = from; i < ext.length; i++) {
        const w = ext[i];
        if (banned[w]) continue;
        // include w; its new neighbours join the frontier
        inSet[w] = 1; set.push(w);
        const added: number[] = [];
        for (const e of input.adj[w]) if (free[e.n] && !inSet[e.n] && !inExt[e.n] && !banned[e.n]) { inExt[e.n] = 1; ext.push(e.n); added.push(e.n); }
        const ok = rec(sum + input.h[w], i + 1);
        for (let j = 0; j < added.length; j++) { ext.pop(); inExt[added[j]] = 0; }
        set.pop(); inSet[w] = 0;
        if (ok) return true;
        // exclude w from every later set of this branch
        banned[w] = 1;
      }
      for (let i = from; i < ext.length; i++) banned[ext[i]] = 0;
      return false;
    };
    return rec(input.h[v], 0);
  };

  let lowerBound = 0;
  try {
    for (let m = 0; m < upper; m++) {
      const parts: number[][] = [];
      free.fill(1);
      if (solve(m, parts)) return { status: 'optimal', lowerBound: m, witness: parts, expansions };
      lowerBound = m + 1;
    }
    return { status: 'optimal', lowerBound, expansions };
  } catch (e) {
    if (e instanceof Budget) return { status: 'budget', lowerBound, expansions };
    throw e;
  }
}

/**
 * The fewest grids out of range, as exactMinOut, with a tidier witness: the search minimises how many grids
 * are out of range, not how far, so its witness may lump the grid it must leave out with blocks that could
 * make grids of their own. When it can, the witness is replaced by one with as few grids out of range none of
 * which is above max (a second search restricted so). The bound is the unrestricted search's.
 */
export function exactMinOutTidy(input: ExactInput, upper: number, budget = 200_000): ExactResult {
  const ex = exactMinOut(input, upper, budget);
  if (!ex.witness || ex.lowerBound === 0) return ex;
  const over = ex.witness.some((p) => { let t = 0; for (const v of p) t += input.h[v]; return t > input.max; });
  if (!over) return ex;
  const tidy = exactMinOut(input, ex.lowerBound + 1, budget, input.max);
  return tidy.witness && tidy.lowerBound === ex.lowerBound ? { ...ex, witness: tidy.witness, expansions: ex.expansions + tidy.expansions } : ex;
}

/**
 * Is block `v` forced out of range: does no connected set of blocks holding it total [min, max] households?
 * Then every partition of the component puts v in a grid out of range (a lower bound of one). 'free' comes
 * with a witness found by a greedy growth or the enumeration; 'forced' only from a complete enumeration of the
 * connected sets holding v up to max households; 'unknown' when the budget ran out first.
 */
export function forcedBlock(input: ExactInput, v: number, budget = 100_000): 'forced' | 'free' | 'unknown' {
  const { h, adj, min, max } = input;
  const n = h.length;
  if (h[v] > max) return 'forced';
  if (h[v] >= min) return 'free';
  // greedy: grow by the smallest neighbouring total first
  const taken = new Uint8Array(n);
  taken[v] = 1;
  let sum = h[v];
  const frontier = new Set<number>(adj[v].map((e) => e.n));
  while (sum < min && frontier.size) {
    let pick = -1;
    for (const u of frontier) if (pick < 0 || h[u] < h[pick] || (h[u] === h[pick] && u < pick)) pick = u;
    frontier.delete(pick);
    if (taken[pick]) continue;
    if (sum + h[pick] > max) continue;
    taken[pick] = 1;
    sum += h[pick];
    for (const e of adj[pick]) if (!taken[e.n]) frontier.add(e.n);
  }
  if (sum >= min && sum <= max) return 'free';
  // complete enumeration of connected sets holding v, pruned above max
  let expansions = 0;
  const inSet = new Uint8Array(n), inExt = new Uint8Array(n), banned = new Uint8Array(n);
  inSet[v] = 1;
  const ext: number[] = [];
  for (const e of adj[v]) if (!inExt[e.n] && e.n !== v) { inExt[e.n] = 1; ext.push(e.n); }
  const rec = (s: number, from: number): boolean | null => {
    if (++expansions > budget) return null;
    if (s >= min && s <= max) return true;
    for (let i = from; i < ext.length; i++) {
      const w = ext[i];
      if (banned[w] || s + h[w] > max) continue;
      inSet[w] = 1;
      const added: number[] = [];
      for (const e of adj[w]) if (!inSet[e.n] && !inExt[e.n] && !banned[e.n]) { inExt[e.n] = 1; ext.push(e.n); added.push(e.n); }
      const r = rec(s + h[w], i + 1);
      for (let j = 0; j < added.length; j++) { ext.pop(); inExt[added[j]] = 0; }
      inSet[w] = 0;
      if (r !== false) return r;
      banned[w] = 1;
    }
    for (let i = from; i < ext.length; i++) banned[ext[i]] = 0;
    return false;
  };
  const r = rec(h[v], 0);
  return r === null ? 'unknown' : r ? 'free' : 'forced';
}
