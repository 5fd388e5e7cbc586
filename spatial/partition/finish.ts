/**
 * The last grouping step before a plan is stored: no empty grids and no sliver grids where the land allows.
 *
 *  - A grid without households joins the neighbouring grid of its community it shares the longest border with
 *    (even one already in range: empty land changes no count). Only where no grid of its community touches it
 *    does it stay, as a legitimate empty grid: its whole community part holds no household.
 *  - A grid smaller than SLIVER_GRID_AREA joins a neighbour too: of its community first; of another community
 *    only while it is under 1% of that neighbour's area (the nesting tolerance), so nesting holds. A sliver
 *    with households joins only where the grid it joins stays in range, or where both are out of range already
 *    (one grid out fewer); else it stays (a community part that small, with its own certificate).
 *
 * Pure: groups and the node graph in, groups out.
 */
import type { GridGroup } from './aggregate.ts';
import { inRange, NESTING_TOLERANCE, SLIVER_GRID_AREA } from '../rules/bounds.ts';
import type { NodeGraph } from './merge-atoms.ts';


export function absorbEmptyAndSlivers(groups: GridGroup[], graph: NodeGraph, bounds: { min: number; max: number }): GridGroup[] {
  const owner = new Int32Array(graph.nodes.length).fill(-1);
  groups.forEach((g, i) => { for (const n of g.nodes) owner[n] = i; });
  const dead = new Uint8Array(groups.length);
  const out = (h: number) => !inRange(h, bounds);

  /** border length with each neighbouring live group */
  const borders = (i: number): Map<number, number> => {
    const m = new Map<number, number>();
    for (const n of groups[i].nodes) for (const e of graph.adj[n]) {
      const o = owner[e.n];
      if (o < 0 || o === i || dead[o]) continue;
      m.set(o, (m.get(o) ?? 0) + e.len);
    }
    return m;
  };

  const join = (from: number, to: number, border: number) => {
    const f = groups[from], t = groups[to];
    for (const n of f.nodes) owner[n] = to;
    t.nodes = [...t.nodes, ...f.nodes].sort((a, b) => a - b);
    t.households += f.households;
    t.perimeter = Math.max(0, t.perimeter + f.perimeter - 2 * border);
    const area = t.area + f.area;
    t.cx = (t.cx * t.area + f.cx * f.area) / (area || 1);
    t.cy = (t.cy * t.area + f.cy * f.area) / (area || 1);
    t.area = area;
    dead[from] = 1;
  };

  // smallest first, so that a sliver joins before the land it might join is itself moved
  const order = groups.map((_, i) => i).sort((a, b) => groups[a].area - groups[b].area || a - b);
  for (const i of order) {
    const g = groups[i];
    if (dead[i] || g.reason === 'dedicated') continue;
    const empty = g.households === 0, sliver = g.area < SLIVER_GRID_AREA;
    if (!empty && !sliver) continue;
    let best = -1, bestKey = -Infinity;
    for (const [o, len] of borders(i)) {
      const t = groups[o];
      const same = t.community === g.community;
      if (!same && g.area >= NESTING_TOLERANCE * t.area) continue;
      // grids out of range after the join, minus before: must not grow for a sliver with households
      const delta = (out(t.households + g.households) ? 1 : 0) - (out(t.households) ? 1 : 0) - (out(g.households) ? 1 : 0);
      // (a sliver out of range may join a grid that is out of range already: one grid out fewer)
      if (!empty && out(t.households + g.households) && !(out(t.households) && out(g.households))) continue;
      const key = (same ? 4e12 : 0) + (t.reason === 'dedicated' ? 0 : 2e12) - delta * 1e12 + len;
      if (key > bestKey || (key === bestKey && o < best)) { bestKey = key; best = o; }
    }
    if (best < 0) { if (sliver && !empty) growSliver(i); continue; }
    join(i, best, borders(i).get(best) ?? 0);
  }
  return groups.filter((_, i) => !dead[i]);

  /** border length of node n with the nodes of group gi */
  function sharedWith(n: number, gi: number): number {
    let s = 0;
    for (const e of graph.adj[n]) if (owner[e.n] === gi) s += e.len;
    return s;
  }

  /** is group gi still connected without node n? */
  function connectedWithout(gi: number, n: number): boolean {
    const rest = groups[gi].nodes.filter((x) => x !== n);
    if (!rest.length) return false;
    const seen = new Set([rest[0]]), stack = [rest[0]];
    while (stack.length) for (const e of graph.adj[stack.pop()!]) if (e.n !== n && owner[e.n] === gi && !seen.has(e.n)) { seen.add(e.n); stack.push(e.n); }
    return seen.size === rest.length;
  }

  function moveNode(n: number, from: number, to: number): void {
    const f = groups[from], t = groups[to], nd = graph.nodes[n];
    f.perimeter = Math.max(0, f.perimeter - nd.perimeter + 2 * sharedWith(n, from));
    f.nodes = f.nodes.filter((x) => x !== n);
    f.households -= nd.households;
    const fa = f.area - nd.area;
    f.cx = fa > 0 ? (f.cx * f.area - nd.cx * nd.area) / fa : f.cx; f.cy = fa > 0 ? (f.cy * f.area - nd.cy * nd.area) / fa : f.cy;
    f.area = fa;
    owner[n] = to;
    t.perimeter += nd.perimeter - 2 * sharedWith(n, to);
    t.nodes = [...t.nodes, n].sort((a, b) => a - b);
    t.households += nd.households;
    const ta = t.area + nd.area;
    t.cx = (t.cx * t.area + nd.cx * nd.area) / (ta || 1); t.cy = (t.cy * t.area + nd.cy * nd.area) / (ta || 1);
    t.area = ta;
  }

  /**
   * A sliver with households that no neighbour can take (every union would leave the range) grows instead: it
   * takes border blocks of neighbouring grids of its community, blocks without households first (they change
   * no count), then blocks whose move keeps both grids' standing in the range, while the giver stays connected
   * and no sliver itself, until it reaches SLIVER_GRID_AREA.
   */
  function growSliver(i: number): void {
    const g = groups[i];
    for (let guard = 0; g.area < SLIVER_GRID_AREA && guard < 1000; guard++) {
      let pick = -1, from = -1, pickKey = -Infinity;
      for (const n of g.nodes) for (const e of graph.adj[n]) {
        const o = owner[e.n];
        if (o < 0 || o === i || dead[o]) continue;
        const t = groups[o];
        if (t.community !== g.community || t.reason === 'dedicated' || t.nodes.length < 2) continue;
        const nd = graph.nodes[e.n];
        if (nd.units.length || t.area - nd.area < SLIVER_GRID_AREA) continue;
        if (nd.households > 0) {
          const keeps = (before: number, after: number) => !out(before) ? !out(after) : true;
          if (!keeps(g.households, g.households + nd.households) || !keeps(t.households, t.households - nd.households)) continue;
        }
        const key = (nd.households === 0 ? 1e12 : 0) + nd.area;
        if (key > pickKey && connectedWithout(o, e.n)) { pickKey = key; pick = e.n; from = o; }
      }
      if (pick < 0) return;
      moveNode(pick, from, i);
    }
  }
}

/**
 * The atoms of each grid, every grid in one piece: atoms a grid holds that do not touch its main piece (a
 * unit drawn over blocks that do not meet, say) go to the grid they share the longest border with. Adjacency
 * is the atoms' own: a shared border of at least JOIN_M, which the stored union keeps as one polygon.
 */
/** Shortest shared border (m) that still joins two atoms in a stored outline. */
export const JOIN_M = 0.01;
/** Mean width (2·area / perimeter, m) under which an atom bridges nothing. */
export const THIN_M = 0.001;

export function connectedGridAtoms(groups: GridGroup[], graph: NodeGraph, atoms: { id: number; households: number; area: number; perimeter: number }[], edges: { a: number; b: number; length: number }[]): number[][] {
  // an atom thinner than a millimetre on average collapses in the rounded outline: it bridges nothing
  const thin = (i: number) => atoms[i].perimeter > 0 && (2 * atoms[i].area) / atoms[i].perimeter < THIN_M;
  const idx = new Map<number, number>();
  atoms.forEach((a, i) => idx.set(a.id, i));
  const adj: Array<Array<{ n: number; len: number }>> = atoms.map(() => []);
  for (const e of edges) {
    const a = idx.get(e.a), b = idx.get(e.b);
    // a border of under a centimetre does not survive the union and the rounding as a join: no connection
    if (a === undefined || b === undefined || e.length < JOIN_M || thin(a) || thin(b)) continue;
    adj[a].push({ n: b, len: e.length });
    adj[b].push({ n: a, len: e.length });
  }
  const gridOf = new Int32Array(atoms.length).fill(-1);
  groups.forEach((g, gi) => { for (const n of g.nodes) for (const id of graph.nodes[n].atoms) gridOf[idx.get(id)!] = gi; });
  for (let pass = 0; pass < 3; pass++) {
    let moved = 0;
    const seen = new Uint8Array(atoms.length);
    const pieces: Array<{ grid: number; atoms: number[]; weight: number }> = [];
    for (let i = 0; i < atoms.length; i++) {
      if (seen[i] || gridOf[i] < 0) continue;
      const gi = gridOf[i];
      const list = [i];
      seen[i] = 1;
      for (let q = 0; q < list.length; q++) for (const e of adj[list[q]]) if (!seen[e.n] && gridOf[e.n] === gi) { seen[e.n] = 1; list.push(e.n); }
      pieces.push({ grid: gi, atoms: list, weight: list.reduce((t, a) => t + atoms[a].households * 1e9 + atoms[a].area, 0) });
    }
    const main = new Map<number, number>();
    pieces.forEach((p, k) => { const m = main.get(p.grid); if (m === undefined || p.weight > pieces[m].weight) main.set(p.grid, k); });
    pieces.forEach((p, k) => {
      if (main.get(p.grid) === k) return;
      const border = new Map<number, number>();
      for (const a of p.atoms) for (const e of adj[a]) if (gridOf[e.n] !== p.grid && gridOf[e.n] >= 0) border.set(gridOf[e.n], (border.get(gridOf[e.n]) ?? 0) + e.len);
      let best = -1, bl = -1;
      for (const [o, l] of border) if (l > bl || (l === bl && o < best)) { bl = l; best = o; }
      if (best < 0) return;
      for (const a of p.atoms) gridOf[a] = best;
      moved++;
    });
    if (!moved) break;
  }
  const out: number[][] = groups.map(() => []);
  atoms.forEach((a, i) => { if (gridOf[i] >= 0) out[gridOf[i]].push(a.id); });
  return out;
}

/** Strips narrower than this (m) between a community outline and a street are conflated to the street. */
export const CONFLATE_WIDTH_M = 30;

export interface ConflateReport { strips: number; area: number }

/**
 * Conflation of community outlines to streets, where nesting allows: a strip of land without households
 * (mean width 2A/P at most CONFLATE_WIDTH_M) lying between its community's outline and a street, along
 * which the grid of the next community runs, moves to that grid, so that the grids meet on the street
 * rather than on an outline drawn a few metres beside it. A move is made only while everything a grid holds
 * outside its community stays under half the nesting tolerance of its area, and never empties or parts a
 * grid. Returns what was snapped.
 */
export function conflateOutlineStrips(groups: GridGroup[], graph: NodeGraph): ConflateReport {
  const { nodes, adj } = graph;
  const owner = new Int32Array(nodes.length).fill(-1);
  groups.forEach((g, i) => { for (const n of g.nodes) owner[n] = i; });
  const outside = groups.map((g) => g.nodes.reduce((t, n) => t + (nodes[n].community === g.community ? 0 : nodes[n].area), 0));
  const members = groups.map((g) => new Set(g.nodes));
  const report: ConflateReport = { strips: 0, area: 0 };
  const order = nodes.map((_, i) => i).sort((a, b) => nodes[a].area - nodes[b].area || a - b);
  for (const v of order) {
    const nv = nodes[v];
    const gi = owner[v];
    if (gi < 0 || nv.households > 0 || nv.perimeter <= 0 || nv.units.length || (2 * nv.area) / nv.perimeter > CONFLATE_WIDTH_M) continue;
    const g = groups[gi];
    if (g.reason === 'dedicated' || members[gi].size <= 1 || nv.community !== g.community) continue;
    // the longest border with a grid of another community: the outline side
    const border = new Map<number, number>();
    for (const e of adj[v]) { const o = owner[e.n]; if (o >= 0 && o !== gi) border.set(o, (border.get(o) ?? 0) + e.len); }
    let best = -1, bl = 0;
    for (const [o, l] of border) if (groups[o].community !== g.community && groups[o].reason !== 'dedicated' && (l > bl || (l === bl && o < best))) { bl = l; best = o; }
    if (best < 0 || bl < 0.3 * nv.perimeter) continue;
    const t = groups[best];
    if (outside[best] + nv.area > (NESTING_TOLERANCE / 2) * (t.area + nv.area)) continue;
    // the grid it leaves stays in one piece
    const rest = [...members[gi]].filter((n) => n !== v);
    if (!connectedSet(rest, adj)) continue;
    members[gi].delete(v); members[best].add(v); owner[v] = best;
    g.nodes = rest;
    t.nodes = [...t.nodes, v].sort((a, b) => a - b);
    const shared = (set: Set<number>) => adj[v].reduce((s, e) => s + (set.has(e.n) ? e.len : 0), 0);
    g.perimeter = Math.max(0, g.perimeter - nv.perimeter + 2 * shared(members[gi]));
    t.perimeter = Math.max(0, t.perimeter + nv.perimeter - 2 * shared(members[best]));
    g.area -= nv.area; t.area += nv.area;
    outside[best] += nv.area;
    report.strips++;
    report.area += nv.area;
  }
  return report;
}

function connectedSet(list: number[], adj: NodeGraph['adj']): boolean {
  if (list.length <= 1) return list.length === 1;
  const set = new Set(list), seen = new Set([list[0]]), stack = [list[0]];
  while (stack.length) for (const e of adj[stack.pop()!]) if (set.has(e.n) && !seen.has(e.n)) { seen.add(e.n); stack.push(e.n); }
  return seen.size === list.length;
}
