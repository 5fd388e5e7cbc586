import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bisect, cutWindow, type BisectGraph } from './bisect.ts';
import { seededRandom } from './rng.ts';
import { gridCountFor } from '../rules/bounds.ts';

/** A w×h lattice with households from `hh`, some links cut (streets left out do not matter: cut links are missing adjacency). */
function lattice(w: number, h: number, hh: number[], cut: Set<number>): BisectGraph {
  const adj: Array<Array<{ n: number; len: number }>> = Array.from({ length: w * h }, () => []);
  let e = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (x + 1 < w && !cut.has(e++)) { adj[i].push({ n: i + 1, len: 100 }); adj[i + 1].push({ n: i, len: 100 }); }
    if (y + 1 < h && !cut.has(e++)) { adj[i].push({ n: i + w, len: 100 }); adj[i + w].push({ n: i, len: 100 }); }
  }
  return { h: hh, x: hh.map((_, i) => (i % w) * 100), y: hh.map((_, i) => Math.floor(i / w) * 100), adj };
}

function pieces(g: BisectGraph, nodes: number[]): number {
  const set = new Set(nodes), seen = new Set<number>();
  let n = 0;
  for (const v of nodes) {
    if (seen.has(v)) continue;
    n++;
    const st = [v];
    seen.add(v);
    while (st.length) for (const e of g.adj[st.pop()!]) if (set.has(e.n) && !seen.has(e.n)) { seen.add(e.n); st.push(e.n); }
  }
  return n;
}

describe('cutWindow', () => {
  it('is the households part A may take so both parts can still be grids in range', () => {
    expect(cutWindow(1000, 2, 1, { min: 400, max: 600 })).toEqual({ lo: 400, hi: 600 });
    expect(cutWindow(5000, 10, 5, { min: 400, max: 600 })).toEqual({ lo: 2000, hi: 3000 });
    const w = cutWindow(650, 2, 1, { min: 400, max: 600 });
    expect(w.lo).toBeGreaterThan(w.hi); // 650 admits no two grids in range
  });
});

describe('bisect', () => {
  it('cuts any connected lattice into k connected parts covering every block once', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 14 }), fc.integer({ min: 2, max: 14 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (w, h, seed) => {
      const rnd = seededRandom(seed);
      const hh = Array.from({ length: w * h }, () => (rnd() < 0.2 ? 0 : Math.floor(rnd() * 200)));
      const g = lattice(w, h, hh, new Set());
      const H = hh.reduce((a, b) => a + b, 0);
      const k = Math.max(1, Math.min(w * h, gridCountFor(H, { min: 400, max: 600 })));
      const parts = bisect(g, hh.map((_, i) => i), k, { min: 400, max: 600 }, rnd);
      expect(parts).toHaveLength(k);
      expect(parts.flat().sort((a, b) => a - b)).toEqual(hh.map((_, i) => i));
      for (const p of parts) expect(pieces(g, p)).toBe(1);
    }), { numRuns: 150, seed: 7 });
  });

  it('puts every grid in range where blocks are fine-grained, at any size', () => {
    for (const [w, h] of [[6, 6], [30, 20], [120, 90]]) {
      const rnd = seededRandom(w * h);
      const hh = Array.from({ length: w * h }, () => 5 + Math.floor(rnd() * 60));
      const g = lattice(w, h, hh, new Set());
      const H = hh.reduce((a, b) => a + b, 0);
      const k = gridCountFor(H, { min: 400, max: 600 });
      const parts = bisect(g, hh.map((_, i) => i), k, { min: 400, max: 600 }, rnd);
      const sums = parts.map((p) => p.reduce((t, v) => t + hh[v], 0));
      expect(sums.filter((s) => s < 400 || s > 600), `${w}×${h}`).toEqual([]);
      for (const p of parts) expect(pieces(g, p)).toBe(1);
    }
  });

  it('keeps both parts connected around a hole (a U-shaped component)', () => {
    // a 9×9 lattice without its 5×6 middle-top: a U
    const w = 9, h = 9;
    const keep = (i: number) => { const x = i % w, y = Math.floor(i / w); return !(x >= 2 && x <= 6 && y >= 3); };
    const ids = Array.from({ length: w * h }, (_, i) => i).filter(keep);
    const hh = Array.from({ length: w * h }, (_, i) => (keep(i) ? 40 : 0));
    const g = lattice(w, h, hh, new Set());
    const adj = g.adj.map((l, i) => (keep(i) ? l.filter((e) => keep(e.n)) : []));
    const gu = { ...g, adj };
    const parts = bisect(gu, ids, 4, { min: 400, max: 600 }, seededRandom(3));
    for (const p of parts) expect(pieces(gu, p)).toBe(1);
    expect(parts.map((p) => p.reduce((t, v) => t + hh[v], 0)).every((s) => s >= 400 && s <= 600)).toBe(true);
  });
});
