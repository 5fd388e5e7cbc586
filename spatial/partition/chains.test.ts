import { describe, expect, it } from 'vitest';
import { ComponentState, type Ctx } from './component-state.ts';
import { ejectionChains } from './chains.ts';
import type { PartitionNode } from './merge-atoms.ts';
import { seededRandom } from './rng.ts';

/** A line of 100 m blocks with the given households, and the context the component state needs. */
function line(hh: number[], edges?: Array<[number, number]>): { c: Ctx; comp: number[] } {
  const nodes: PartitionNode[] = hh.map((h, i) => ({ index: i, atoms: [i], households: h, points: 1, locations: 1, maxPoint: h, area: 1e4, perimeter: 400,
    cx: i * 100 + 50, cy: 50, community: 'C', units: [], dedicated: false, split: false }));
  const adj = edges
    ? hh.map((_, i) => edges.flatMap(([a, b]) => (a === i ? [b] : b === i ? [a] : [])).map((n) => ({ n, len: 100 })))
    : hh.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < hh.length).map((n) => ({ n, len: 100 })));
  return { c: { nodes, adj, cutWeight: 0, min: 400, max: 600, mid: 500, half: 100 }, comp: hh.map((_, i) => i) };
}

function stateOf(c: Ctx, comp: number[], regions: number[]): ComponentState {
  const st = new ComponentState(c, comp);
  for (let r = 0; r <= Math.max(...regions); r++) st.newRegion();
  regions.forEach((r, v) => st.add(v, r));
  return st;
}

const tallies = (st: ComponentState) => st.h.filter((_, r) => st.count[r] > 0);

describe('ejection chains', () => {
  it('passes a shortfall through full grids to the grid with room to give', () => {
    // 300 | 400 | 400 | 700 on a line of 100-household blocks: no single move helps, a chain of three does
    const { c, comp } = line(Array(18).fill(100));
    const st = stateOf(c, comp, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3]);
    expect(st.outCount()).toBe(2);
    expect(ejectionChains(c, st)).toBe(true);
    expect(st.outCount()).toBe(0);
    expect(tallies(st).reduce((a, b) => a + b, 0)).toBe(1800);
    for (let r = 0; r < 4; r++) expect(st.connected(r)).toBe(true);
  });

  it('passes an excess on, and never leaves a grid out of range that was in range', () => {
    const { c, comp } = line(Array(16).fill(100));
    const st = stateOf(c, comp, [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    // 700 | 400 | 500: the excess of the first goes on through the second into the third
    expect(ejectionChains(c, st)).toBe(true);
    expect(st.outCount()).toBe(0);
  });

  it('mends grids of blocks too coarse for any single move (a swap, or a chain back through the first grid)', () => {
    // a 2×2 square: A = {100, 250} (350), B = {300, 260} (560); A taking 300 alone overshoots to 650,
    // taking 300 and giving 250 back leaves 400 | 510 (and 260 in, 100 out leaves 510 | 400)
    const { c, comp } = line([100, 250, 300, 260], [[0, 1], [2, 3], [0, 2], [1, 3]]);
    const st = stateOf(c, comp, [0, 0, 1, 1]);
    expect(ejectionChains(c, st)).toBe(true);
    expect(st.outCount()).toBe(0);
    expect(st.h.filter((_, r) => st.count[r] > 0).sort()).toEqual([400, 510]);
    expect(st.connected(0) && st.connected(1)).toBe(true);
  });

  it('changes nothing where no chain can help, and keeps every grid connected on random lines', () => {
    const rnd = seededRandom(7);
    for (let t = 0; t < 50; t++) {
      const n = 8 + Math.floor(rnd() * 20);
      const hh = Array.from({ length: n }, () => Math.floor(rnd() * 250));
      const { c, comp } = line(hh);
      const regions: number[] = [];
      let r = 0;
      for (let v = 0; v < n; v++) { if (v > 0 && rnd() < 0.3) r++; regions.push(r); }
      const st = stateOf(c, comp, regions);
      const viol = st.violation(), out = st.outCount();
      const inBefore = new Set(tallies(st).map((_, i) => i).filter((i) => !st.outOfRange(i)));
      const changed = ejectionChains(c, st);
      expect(st.violation()).toBeLessThanOrEqual(viol);
      if (changed) expect(st.violation()).toBeLessThan(viol);
      expect(st.outCount()).toBeLessThanOrEqual(out);
      for (const i of inBefore) expect(st.outOfRange(i)).toBe(false);
      for (let x = 0; x < st.h.length; x++) expect(st.connected(x)).toBe(true);
    }
  });
});
