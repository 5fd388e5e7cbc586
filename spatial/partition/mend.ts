/**
 * Neighbourhood mending: a grid out of range is re-cut together with its neighbours (exact search on small
 * neighbourhoods, repeated randomised bisections on larger ones), kept only where fewer grids end out of range.
 */
import { chooseGridCount, type ComponentState, type Ctx } from './component-state.ts';
import { bisect } from './bisect.ts';
import { exactMinOutTidy } from './exact.ts';
import { inRange } from '../rules/bounds.ts';
import { contractAlong, superGraph } from './contract.ts';


/** Neighbourhoods of a grid out of range re-cut: exact search up to this many blocks with households, … */
const MEND_EXACT_BLOCKS = 60;
/** … the exact search's expansions per neighbourhood … */
const MEND_EXACT_BUDGET = 100_000;
/** … repeated bisections above it … */
const MEND_TRIES = 16;
/** … over at most this many grids around it (bisections). */
const MEND_MAX_GRIDS = 9;

/**
 * Mend grids out of range by re-cutting their neighbourhood: the grid with one neighbour, with all its
 * neighbours, then rings of grids around it as far as the exact search can take them (MEND_EXACT_BLOCKS
 * blocks with households), else the neighbours' neighbours (at most MEND_MAX_GRIDS grids) by repeated
 * randomised bisections. A new cut is kept only where it leaves fewer grids out of range in the
 * neighbourhood. Returns whether anything changed.
 */
export function mendNeighbourhoods(c: Ctx, st: ComponentState, rnd: () => number): boolean {
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
  /** rings of grids around r, one grid at a time in breadth-first order, while the exact search can take them */
  const rings = (r: number): number[][] => {
    const out: number[][] = [];
    const R = [r];
    // blocks with households per grid, counted once
    const heavy = new Map<number, number>();
    for (let v = 0; v < st.n; v++) if (g.h[v] > 0) heavy.set(st.region[v], (heavy.get(st.region[v]) ?? 0) + 1);
    let frontier = [r];
    let size = heavy.get(r) ?? 0;
    const marks = [Math.floor(MEND_EXACT_BLOCKS / 2), Math.floor((3 * MEND_EXACT_BLOCKS) / 4), MEND_EXACT_BLOCKS];
    while (frontier.length && size <= MEND_EXACT_BLOCKS) {
      const inR = new Set(R);
      const next = regionsAround(frontier).filter((x) => !inR.has(x));
      frontier = [];
      for (const x of next) {
        const add = heavy.get(x) ?? 0;
        if (size + add > MEND_EXACT_BLOCKS) { size = Infinity; break; }
        R.push(x); frontier.push(x); size += add;
        if (marks.length && size >= marks[0]) { out.push([...R]); while (marks.length && size >= marks[0]) marks.shift(); }
      }
    }
    if (R.length > 1 && !out.some((o) => o.length === R.length)) out.push([...R]);
    return out;
  };
  let changed = false;
  const stats = { grids: 0, exact: 0, expansions: 0, won: 0, bisections: 0 };
  for (let r = 0; r < st.h.length; r++) {
    if (!st.outOfRange(r)) continue;
    stats.grids++;
    const nb = regionsAround([r]);
    const nb2 = regionsAround([r, ...nb]);
    const sets: number[][] = [...nb.map((s) => [r, s]), [r, ...nb], ...rings(r), [r, ...nb, ...nb2].slice(0, MEND_MAX_GRIDS)];
    for (const R of sets) {
      if (!st.outOfRange(r)) break;
      const inR = new Set(R);
      const nodes: number[] = [];
      for (let v = 0; v < st.n; v++) if (inR.has(st.region[v])) nodes.push(v);
      const before = R.filter((x) => st.outOfRange(x)).length;
      const H = nodes.reduce((t, v) => t + g.h[v], 0);
      let best: number[][] | null = null, bestOut = before;
      const supers = contractAlong(g, nodes, st.region);
      if (supers.length <= MEND_EXACT_BLOCKS) {
        const ex = exactMinOutTidy({ ...superGraph(g, supers), min: c.min, max: c.max }, before, MEND_EXACT_BUDGET);
        stats.exact++; stats.expansions += ex.expansions;
        if (ex.witness) { best = ex.witness.map((p) => p.flatMap((i) => supers[i])); bestOut = outIn(best); }
      } else {
        const k0 = chooseGridCount(H, c.min, c.max);
        stats.bisections++;
        for (let t = 0; t < MEND_TRIES && bestOut > 0; t++) {
          const k = t % 4 === 3 ? k0 + 1 : t % 4 === 2 && k0 > 1 ? k0 - 1 : k0;
          const parts = bisect(g, nodes, k, bounds, rnd);
          const o = outIn(parts);
          if (o < bestOut) { bestOut = o; best = parts; }
        }
      }
      if (!best || bestOut >= before) continue;
      stats.won++;
      for (const v of nodes) st.remove(v);
      best.forEach((part, i) => {
        const id = i < R.length ? R[i] : st.newRegion();
        for (const v of part) st.add(v, id);
      });
      changed = true;
    }
  }
  if (process.env.WANGGE_PROFILE === '1') process.stderr.write(`  mend ${st.n} blocks: ${JSON.stringify(stats)}\n`);
  return changed;
}
