import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exactMinOut } from './exact.ts';
import { admissible } from '../rules/bounds.ts';
import { aggregate } from './aggregate.ts';
import type { NodeGraph, PartitionNode } from './merge-atoms.ts';

/** Brute force: every set partition of a tiny graph into connected parts; the fewest parts out of range. */
function bruteMinOut(h: number[], adj: number[][], min: number, max: number): number {
  const n = h.length;
  const label = new Array<number>(n).fill(-1);
  let best = Infinity;
  const connected = (part: number[]) => {
    const set = new Set(part), seen = new Set([part[0]]), st = [part[0]];
    while (st.length) for (const u of adj[st.pop()!]) if (set.has(u) && !seen.has(u)) { seen.add(u); st.push(u); }
    return seen.size === part.length;
  };
  const rec = (i: number, k: number) => {
    if (i === n) {
      const parts = Array.from({ length: k }, (_, r) => label.map((l, v) => (l === r ? v : -1)).filter((v) => v >= 0));
      if (!parts.every(connected)) return;
      best = Math.min(best, parts.filter((p) => { const s = p.reduce((t, v) => t + h[v], 0); return s < min || s > max; }).length);
      return;
    }
    for (let r = 0; r <= k; r++) { label[i] = r; rec(i + 1, Math.max(k, r + 1)); }
  };
  rec(0, 0);
  return best;
}

/** A random connected graph on n nodes: a random tree plus extra edges. */
const graphArb = fc.integer({ min: 1, max: 8 }).chain((n) => fc.record({
  h: fc.array(fc.integer({ min: 0, max: 450 }), { minLength: n, maxLength: n }),
  parents: fc.array(fc.nat(), { minLength: n, maxLength: n }),
  extra: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n }),
}));

function buildAdj(n: number, parents: number[], extra: Array<[number, number]>): number[][] {
  const adj: Array<Set<number>> = Array.from({ length: n }, () => new Set());
  for (let v = 1; v < n; v++) { const p = parents[v] % v; adj[v].add(p); adj[p].add(v); }
  for (const [a, b] of extra) if (a !== b) { adj[a].add(b); adj[b].add(a); }
  return adj.map((s) => [...s]);
}

describe('exactMinOut', () => {
  it('settles a strip of three blocks that no split fits: one grid out of range at least', () => {
    const r = exactMinOut({ h: [350, 350, 350], adj: [[{ n: 1 }], [{ n: 0 }, { n: 2 }], [{ n: 1 }]], min: 400, max: 600 }, 3);
    expect(r.status).toBe('optimal');
    expect(r.lowerBound).toBe(1);
    expect(r.witness).toBeDefined();
    expect(r.witness!.flat().sort()).toEqual([0, 1, 2]);
  });

  it('finds a partition with every grid in range where there is one', () => {
    const r = exactMinOut({ h: [300, 200, 250, 250], adj: [[{ n: 1 }], [{ n: 0 }, { n: 2 }], [{ n: 1 }, { n: 3 }], [{ n: 2 }]], min: 400, max: 600 }, 2);
    expect(r.lowerBound).toBe(0);
    expect(r.witness!.map((p) => p.reduce((t, v) => t + [300, 200, 250, 250][v], 0)).sort()).toEqual([500, 500]);
  });

  it('agrees with brute force on random small graphs', () => {
    fc.assert(fc.property(graphArb, ({ h, parents, extra }) => {
      const n = h.length;
      const adj = buildAdj(n, parents, extra as Array<[number, number]>);
      const truth = bruteMinOut(h, adj, 400, 600);
      const r = exactMinOut({ h, adj: adj.map((l) => l.map((x) => ({ n: x }))), min: 400, max: 600 }, n + 1);
      expect(r.status).toBe('optimal');
      expect(r.lowerBound).toBe(truth);
      if (r.witness) {
        const outs = r.witness.filter((p) => { const s = p.reduce((t, v) => t + h[v], 0); return s < 400 || s > 600; }).length;
        expect(outs).toBe(truth);
        expect(r.witness.flat().sort((a, b) => a - b)).toEqual(h.map((_, i) => i));
      }
    }), { numRuns: 300, seed: 42 });
  });

  it('knows which totals admit grids in range', () => {
    expect([0, 399, 400, 600, 601, 799, 800, 1200, 1201].map((H) => admissible(H, { min: 400, max: 600 }))).toEqual([false, false, true, true, false, false, true, true, true]);
  });
});

/** An irregular component: a w×h lattice with random households and some streets missing (diagonal links). */
function randomComponent(seed: number, w: number, hgt: number): NodeGraph {
  let s = seed * 48271 + 11;
  const rnd = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
  const nodes: PartitionNode[] = [];
  const adj: NodeGraph['adj'] = [];
  for (let y = 0; y < hgt; y++) for (let x = 0; x < w; x++) {
    const i = nodes.length;
    const hh = rnd() < 0.15 ? 0 : Math.floor(rnd() < 0.2 ? 150 + rnd() * 300 : 20 + rnd() * 120);
    nodes.push({ index: i, atoms: [i + 1], households: hh, points: 1, locations: 1, maxPoint: hh, area: 1e4, perimeter: 400,
      cx: x * 100 + 50, cy: y * 100 + 50, community: 'C', units: [], dedicated: false, split: false });
    adj.push([]);
  }
  const link = (a: number, b: number) => { adj[a].push({ n: b, len: 100 }); adj[b].push({ n: a, len: 100 }); };
  for (let y = 0; y < hgt; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (x + 1 < w) link(i, i + 1);
    if (y + 1 < hgt) link(i, i + w);
  }
  return { nodes, adj, atomNode: new Map(nodes.map((n) => [n.atoms[0], n.index])) };
}

describe('the engine against the exact solver on small components', () => {
  it('leaves no more grids out of range than the optimum, on random components of 6 to 24 blocks', () => {
    let heuristicGap = 0, compared = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const w = 2 + (seed % 5), hgt = 3 + (seed % 3);
      const g = randomComponent(seed, w, hgt);
      const h = g.nodes.map((n) => n.households);
      const ex = exactMinOut({ h, adj: g.adj, min: 400, max: 600 }, h.length + 1, 2_000_000);
      if (ex.status !== 'optimal') continue;
      compared++;
      const outOf = (groups: ReturnType<typeof aggregate>) => groups.filter((x) => x.households < 400 || x.households > 600).length;
      const engine = outOf(aggregate(g, { min: 400, max: 600, seed }));
      const heuristic = outOf(aggregate(g, { min: 400, max: 600, seed, exactBudget: 0 }));
      expect(engine, `seed ${seed}`).toBe(ex.lowerBound);
      expect(heuristic, `seed ${seed}`).toBeGreaterThanOrEqual(ex.lowerBound);
      heuristicGap += heuristic - ex.lowerBound;
    }
    expect(compared).toBeGreaterThanOrEqual(30);
    process.stderr.write(`engine vs exact: ${compared} components compared, heuristic alone ${heuristicGap} grid(s) above the optimum in total\n`);
  });
});
