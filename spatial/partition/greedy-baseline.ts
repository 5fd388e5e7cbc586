/**
 * The plain greedy baseline the benchmark compares against: walk the nodes west to east; from each node not
 * yet taken, grow a grid breadth-first over free neighbours of the same community until it reaches the
 * minimum. Fast and simple; it ignores the maximum and compactness, so many grids end out of range.
 */
import type { NodeGraph } from './merge-atoms.ts';
import type { AggregateOptions, GridGroup } from './aggregate.ts';

export function greedyBaseline(graph: NodeGraph, opts: AggregateOptions): GridGroup[] {
  const { nodes, adj } = graph;
  const taken = new Uint8Array(nodes.length);
  const order = nodes.map((n) => n.index).sort((a, b) => nodes[a].cx - nodes[b].cx || a - b);
  const groups: GridGroup[] = [];
  for (const start of order) {
    if (taken[start]) continue;
    const ids = [start];
    taken[start] = 1;
    let hh = nodes[start].households;
    for (let q = 0; q < ids.length && hh < opts.min; q++) {
      for (const e of adj[ids[q]]) {
        if (taken[e.n] || nodes[e.n].community !== nodes[start].community || hh >= opts.min) continue;
        taken[e.n] = 1;
        ids.push(e.n);
        hh += nodes[e.n].households;
      }
    }
    let area = 0, cx = 0, cy = 0, per = 0;
    const set = new Set(ids);
    for (const i of ids) {
      const n = nodes[i];
      area += n.area; cx += n.cx * n.area; cy += n.cy * n.area; per += n.perimeter;
      for (const e of adj[i]) if (set.has(e.n)) per -= e.len;
    }
    const out = hh < opts.min || hh > opts.max;
    groups.push({ nodes: ids.sort((a, b) => a - b), community: nodes[start].community, households: hh, area, perimeter: per,
      cx: cx / (area || 1), cy: cy / (area || 1), reason: out ? 'constrained' : undefined, reasonDetail: out ? 'greedy baseline' : undefined });
  }
  return groups;
}
