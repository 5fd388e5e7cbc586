import { describe, expect, it } from 'vitest';
import { absorbEmptyAndSlivers } from './finish.ts';
import type { GridGroup } from './aggregate.ts';
import type { NodeGraph, PartitionNode } from './merge-atoms.ts';

/** Blocks in a row, 100 m apart, with households and areas as given; neighbours in the row share 50 m. */
function row(blocks: Array<{ hh: number; area: number; community?: string }>): NodeGraph {
  const nodes: PartitionNode[] = blocks.map((b, i) => ({ index: i, atoms: [i], households: b.hh, points: 1, locations: 1, maxPoint: b.hh, area: b.area,
    perimeter: 4 * Math.sqrt(b.area), cx: i * 100, cy: 0, community: b.community ?? 'C', units: [], dedicated: false, split: false }));
  const adj = blocks.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < blocks.length).map((n) => ({ n, len: 50 })));
  return { nodes, adj, atomNode: new Map(nodes.map((n) => [n.index, n.index])) };
}

function group(g: NodeGraph, ids: number[]): GridGroup {
  const ns = ids.map((i) => g.nodes[i]);
  const area = ns.reduce((t, n) => t + n.area, 0);
  return { nodes: ids, community: ns[0].community, households: ns.reduce((t, n) => t + n.households, 0), area, perimeter: ns.reduce((t, n) => t + n.perimeter, 0),
    cx: ns.reduce((t, n) => t + n.cx * n.area, 0) / area, cy: 0 };
}

describe('empty grids and slivers', () => {
  const bounds = { min: 400, max: 600 };

  it('an empty grid joins a neighbour of its community even one in range', () => {
    const g = row([{ hh: 0, area: 5000 }, { hh: 500, area: 8000 }]);
    const out = absorbEmptyAndSlivers([group(g, [0]), group(g, [1])], g, bounds);
    expect(out).toHaveLength(1);
    expect(out[0].households).toBe(500);
  });

  it('a sliver tower no neighbour can take grows by its neighbour\'s empty land, counts unchanged', () => {
    // a 300 m² block of 450 households between a grid of 500 (with an empty yard beside the tower) and a grid of 550
    const g = row([{ hh: 500, area: 9000 }, { hh: 0, area: 2500 }, { hh: 450, area: 300 }, { hh: 550, area: 9000 }]);
    const out = absorbEmptyAndSlivers([group(g, [0, 1]), group(g, [2]), group(g, [3])], g, bounds);
    expect(out).toHaveLength(3);
    const tower = out.find((x) => x.nodes.includes(2))!;
    expect(tower.nodes).toEqual([1, 2]);
    expect(tower.area).toBeGreaterThanOrEqual(1000);
    expect(out.map((x) => x.households).sort()).toEqual([450, 500, 550]);
  });

  it('never takes land that would leave the giver in pieces or another community\'s', () => {
    // the empty yard connects the giver's two blocks: taking it would cut the giver in two
    const g = row([{ hh: 450, area: 300 }, { hh: 0, area: 2500 }, { hh: 300, area: 5000 }, { hh: 200, area: 5000 }]);
    g.adj[1].push({ n: 3, len: 10 }); g.adj[3].push({ n: 1, len: 10 });
    g.adj[2] = g.adj[2].filter((e) => e.n !== 3); g.adj[3] = g.adj[3].filter((e) => e.n !== 2);
    const out = absorbEmptyAndSlivers([group(g, [0]), group(g, [1, 2, 3])], g, bounds);
    expect(out.find((x) => x.nodes.includes(0))!.nodes).toEqual([0]);
    const h = row([{ hh: 450, area: 300 }, { hh: 0, area: 2500, community: 'D' }, { hh: 500, area: 5000, community: 'D' }]);
    const out2 = absorbEmptyAndSlivers([group(h, [0]), group(h, [1, 2])], h, bounds);
    expect(out2.find((x) => x.nodes.includes(0))!.nodes).toEqual([0]);
  });

  it('a sliver out of range joins a neighbour out of range already (one grid out fewer), never one in range', () => {
    // a 137 m² tower of 235 households between a grid of 2,446 (out, over) and a grid of 496 (in range)
    const g = row([{ hh: 2446, area: 70000 }, { hh: 235, area: 137 }, { hh: 496, area: 2500 }]);
    const out = absorbEmptyAndSlivers([group(g, [0]), group(g, [1]), group(g, [2])], g, bounds);
    expect(out).toHaveLength(2);
    expect(out.map((x) => x.households).sort((a, b) => a - b)).toEqual([496, 2681]);
    // a sliver in range stays beside a grid out of range (it would trade a grid in range for nothing)
    const h = row([{ hh: 2446, area: 70000 }, { hh: 418, area: 384 }, { hh: 590, area: 2500 }]);
    const out2 = absorbEmptyAndSlivers([group(h, [0]), group(h, [1]), group(h, [2])], h, bounds);
    expect(out2).toHaveLength(3);
  });
});
