import { describe, expect, it } from 'vitest';
import { mergeAtoms } from './merge-atoms.ts';
import type { AtomGraph, AtomRow } from './build-atoms.ts';

const atom = (id: number, area: number, perimeter: number, households: number, cx: number): AtomRow => ({
  id, face: id, split: false, community: 'c1', households, points: households ? 1 : 0, maxPoint: households, locations: households ? 1 : 0,
  area, perimeter, cx, cy: 0,
});

const graph = (atoms: AtomRow[], edges: AtomGraph['edges']): AtomGraph => ({
  srid: 32650, atoms, edges, units: [], communities: [{ code: 'c1', name: 'c1', minx: 0, maxy: 0 }], unitHouseholds: new Map(),
  area: 0, outside: { points: 0, households: 0 }, stats: { lines: 0, connectors: 0, faces: 0, splitFaces: 0, cells: 0 },
});

describe('mergeAtoms', () => {
  // two blocks far apart (1 and 3) touching only a strip 6 mm wide and 3 km long (2) that runs between a
  // street and the jurisdiction's edge, plus a block (4) beside block 1 that really touches it
  const atoms = [atom(1, 10_000, 400, 200, 0), atom(2, 18, 6_000, 0, 1_500), atom(3, 10_000, 400, 300, 3_000), atom(4, 10_000, 400, 250, 100)];
  const edges = [{ a: 1, b: 2, length: 100 }, { a: 2, b: 3, length: 80 }, { a: 1, b: 4, length: 100 }];

  it('joins a sliver to the neighbour it shares the longest border with', () => {
    const g = mergeAtoms(graph(atoms, edges));
    const nodeOf = (id: number) => g.atomNode.get(id)!;
    expect(nodeOf(2)).toBe(nodeOf(1));
    expect(g.nodes.length).toBe(3);
  });

  it('lets no sliver make its node adjacent to what only the sliver touches', () => {
    const g = mergeAtoms(graph(atoms, edges));
    const nodeOf = (id: number) => g.atomNode.get(id)!;
    const neighbours = (id: number) => g.adj[nodeOf(id)].map((e) => e.n).sort();
    expect(neighbours(3)).toEqual([]);
    expect(neighbours(1)).toEqual([nodeOf(4)]);
  });
});
