/**
 * Atoms → nodes: the things the aggregation moves. A unit polygon keeps all the atoms it covers together
 * (one node); a sliver atom (tiny or thread-thin, with no households) joins the neighbour it shares the
 * longest border with, in the same community where possible. Perimeters are kept exact for compactness:
 * a node's perimeter is the sum of its atoms' minus twice their shared borders.
 */
import { ADJACENT_M, type AtomGraph } from './build-atoms.ts';

export interface PartitionNode {
  index: number;
  atoms: number[];
  households: number;
  points: number;
  locations: number;
  maxPoint: number;
  area: number;
  perimeter: number;
  cx: number;
  cy: number;
  community: string;
  units: string[];
  dedicated: boolean;
  split: boolean;
}

export interface NodeGraph {
  nodes: PartitionNode[];
  /** adjacency lists: neighbour node index, shared border length (m) and, optionally, how many things to keep whole a cut here would split */
  adj: Array<Array<{ n: number; len: number; w?: number }>>;
  /** atom id → node index */
  atomNode: Map<number, number>;
}

export interface MergeOptions {
  /** a unit owns an atom holding at least this share of the unit's area … */
  unitShare?: number;
  /** … or an atom lying at least this share inside the unit */
  atomShare?: number;
  /** atoms below this area (m²) without households are slivers */
  sliverArea?: number;
  /** atoms with Polsby-Popper below this and area below 20 × sliverArea, without households, are slivers */
  sliverThinness?: number;
}

/** What of a unit may lie outside its grid: the checkers' tolerance is 1% of the unit's area in another grid. */
const UNIT_REST = 0.009;

/**
 * `list` plus the atoms on shortest paths (by adjacency) from its first piece to each other piece, through atoms
 * that `through` allows where such paths exist (a unit's own community: its grid must not cross the outline
 * for a path), else through any.
 */
function connectThrough(list: number[], adj: Array<Array<{ n: number }>>, through: (atom: number) => boolean = () => true): number[] {
  const first = connectPieces(list, adj, through);
  return first.length === list.length || isConnected(first, adj) ? first : connectPieces(first, adj, () => true);
}

function isConnected(list: number[], adj: Array<Array<{ n: number }>>): boolean {
  const inList = new Set(list), seen = new Set([list[0]]), st = [list[0]];
  while (st.length) for (const e of adj[st.pop()!]) if (inList.has(e.n) && !seen.has(e.n)) { seen.add(e.n); st.push(e.n); }
  return seen.size === inList.size;
}

function connectPieces(list: number[], adj: Array<Array<{ n: number }>>, through: (atom: number) => boolean): number[] {
  const inList = new Set(list);
  const piece = new Set<number>([list[0]]);
  const grow = () => {
    const st = [...piece];
    while (st.length) for (const e of adj[st.pop()!]) if (inList.has(e.n) && !piece.has(e.n)) { piece.add(e.n); st.push(e.n); }
  };
  grow();
  for (let guard = 0; piece.size < inList.size && guard < list.length; guard++) {
    // breadth-first from the piece to the nearest atom of the list outside it
    const prev = new Map<number, number>();
    const queue = [...piece];
    for (const v of queue) prev.set(v, -1);
    let hit = -1;
    for (let q = 0; q < queue.length && hit < 0 && q < 5000; q++) {
      for (const e of adj[queue[q]]) {
        if (prev.has(e.n)) continue;
        if (!inList.has(e.n) && !through(e.n)) continue;
        prev.set(e.n, queue[q]);
        if (inList.has(e.n)) { hit = e.n; break; }
        queue.push(e.n);
      }
    }
    if (hit < 0) break;
    for (let v = hit; v >= 0 && !piece.has(v); v = prev.get(v)!) { piece.add(v); inList.add(v); }
    grow();
  }
  return [...inList];
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    // the smaller index stays root: deterministic
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
  }
}

/**
 * Merge atoms into nodes.
 *
 * @example const { nodes, adj } = mergeAtoms(graph); // nodes[i].atoms lists the atom ids of node i
 */
export function mergeAtoms(graph: AtomGraph, opts: MergeOptions = {}): NodeGraph {
  const unitShare = opts.unitShare ?? 0.005;
  const atomShare = opts.atomShare ?? 0.5;
  const sliverArea = opts.sliverArea ?? 30;
  const sliverThinness = opts.sliverThinness ?? 0.05;
  const { atoms, edges } = graph;
  const idx = new Map<number, number>();
  atoms.forEach((a, i) => idx.set(a.id, i));
  const uf = new UnionFind(atoms.length);

  // units: the atoms holding a real share of the unit, and then the smallest pieces too until what is left
  // outside lies under UNIT_REST of the unit (pieces under the share can add up past a checker's 1%)
  const unitAtoms = new Map<string, number[]>();
  const dedicatedUnits = new Set<string>();
  const byUnit = new Map<string, typeof graph.units>();
  for (const u of graph.units) byUnit.set(u.unit, [...(byUnit.get(u.unit) ?? []), u]);
  for (const [unit, overlaps] of byUnit) {
    overlaps.sort((a, b) => b.unitShare - a.unitShare || a.atom - b.atom);
    let rest = overlaps.reduce((t, u) => t + u.unitShare, 0);
    const list: number[] = [];
    for (const u of overlaps) {
      if (u.unitShare >= unitShare || u.atomShare >= atomShare || rest >= UNIT_REST) {
        list.push(idx.get(u.atom)!);
        rest -= u.unitShare;
        if (u.dedicated) dedicatedUnits.add(unit);
      }
    }
    if (list.length) unitAtoms.set(unit, list);
  }
  const atomAdj: Array<Array<{ n: number; len: number }>> = atoms.map(() => []);
  for (const e of edges) {
    const a = idx.get(e.a)!, b = idx.get(e.b)!;
    atomAdj[a].push({ n: b, len: e.length });
    atomAdj[b].push({ n: a, len: e.length });
  }
  // a unit's atoms that do not touch each other are joined through the atoms between them (shortest path),
  // so that the unit's grid is one piece and the unit stays whole in it
  for (const [unit, list] of unitAtoms) {
    const byCommunity = new Map<string, number>();
    for (const i of list) byCommunity.set(atoms[i].community, (byCommunity.get(atoms[i].community) ?? 0) + atoms[i].area);
    const home = [...byCommunity].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    unitAtoms.set(unit, connectThrough(list, atomAdj, (i) => atoms[i].community === home));
  }
  for (const list of unitAtoms.values()) for (let i = 1; i < list.length; i++) uf.union(list[0], list[i]);
  const unitAtom = new Set([...unitAtoms.values()].flat());

  // slivers: join the longest-border neighbour (same community first). A sliver bridges nothing: its other
  // borders do not make its node adjacent to anything (a strip a few millimetres wide between a street and
  // the jurisdiction's edge, kilometres long, would otherwise tie together grids that meet only through it,
  // and it pinches apart at the output's precision)
  const bridgeless = new Uint8Array(atoms.length);
  atoms.forEach((a, i) => {
    if (a.households > 0) return;
    const pp = a.perimeter > 0 ? (4 * Math.PI * a.area) / (a.perimeter * a.perimeter) : 0;
    const sliver = a.area < sliverArea || (pp < sliverThinness && a.area < 20 * sliverArea);
    if (!sliver) return;
    if (atomAdj[i].length === 0) {
      // a noding crumb touching nothing along a line: it joins the nearest atom (the stored outline drops it)
      let best = -1, bd = Infinity;
      atoms.forEach((b, j) => {
        if (j === i) return;
        const d = (b.cx - a.cx) ** 2 + (b.cy - a.cy) ** 2 + (b.community === a.community ? 0 : 1e6);
        if (d < bd) { bd = d; best = j; }
      });
      if (best >= 0) uf.union(i, best);
      return;
    }
    let best = -1, bestKey = -Infinity;
    for (const { n, len } of atomAdj[i]) {
      const key = (atoms[n].community === a.community ? 1e9 : 0) + len;
      if (key > bestKey || (key === bestKey && n < best)) { bestKey = key; best = n; }
    }
    uf.union(i, best);
    if (!unitAtom.has(i)) bridgeless[i] = 1;
  });

  // build nodes
  const rootIndex = new Map<number, number>();
  const nodes: PartitionNode[] = [];
  const atomNode = new Map<number, number>();
  const nodeOfAtom = new Int32Array(atoms.length);
  atoms.forEach((a, i) => {
    const r = uf.find(i);
    let ni = rootIndex.get(r);
    if (ni === undefined) {
      ni = nodes.length;
      rootIndex.set(r, ni);
      nodes.push({ index: ni, atoms: [], households: 0, points: 0, locations: 0, maxPoint: 0, area: 0, perimeter: 0, cx: 0, cy: 0,
        community: a.community, units: [], dedicated: false, split: false });
    }
    const n = nodes[ni];
    n.atoms.push(a.id);
    n.households += a.households;
    n.points += a.points;
    n.locations += a.locations;
    n.maxPoint = Math.max(n.maxPoint, a.maxPoint);
    n.cx += a.cx * a.area;
    n.cy += a.cy * a.area;
    n.area += a.area;
    n.perimeter += a.perimeter;
    n.split ||= a.split;
    nodeOfAtom[i] = ni;
    atomNode.set(a.id, ni);
  });
  // community by area; centroid; units
  const comArea = nodes.map(() => new Map<string, number>());
  atoms.forEach((a, i) => {
    const m = comArea[nodeOfAtom[i]];
    m.set(a.community, (m.get(a.community) ?? 0) + a.area);
  });
  nodes.forEach((n, i) => {
    let best = n.community, bestA = -1;
    for (const [c, ar] of [...comArea[i].entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) if (ar > bestA) { bestA = ar; best = c; }
    n.community = best;
    if (n.area > 0) { n.cx /= n.area; n.cy /= n.area; }
  });
  for (const [unit, list] of [...unitAtoms.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const n = nodes[nodeOfAtom[list[0]]];
    n.units.push(unit);
    if (dedicatedUnits.has(unit)) n.dedicated = true;
  }

  // node adjacency; internal borders reduce the perimeter
  const lens = new Map<number, number>();
  const N = nodes.length;
  for (const e of edges) {
    const ia = idx.get(e.a)!, ib = idx.get(e.b)!;
    const a = nodeOfAtom[ia], b = nodeOfAtom[ib];
    if (a === b) { nodes[a].perimeter -= 2 * e.length; continue; }
    if (bridgeless[ia] || bridgeless[ib]) continue;
    const key = a < b ? a * N + b : b * N + a;
    lens.set(key, (lens.get(key) ?? 0) + e.length);
  }
  const adj: NodeGraph['adj'] = nodes.map(() => []);
  for (const [key, len] of [...lens.entries()].sort((x, y) => x[0] - y[0])) {
    if (len <= ADJACENT_M) continue;
    const a = Math.floor(key / N), b = key % N;
    adj[a].push({ n: b, len });
    adj[b].push({ n: a, len });
  }
  for (const n of nodes) n.perimeter = Math.max(n.perimeter, 0);
  return { nodes, adj, atomNode };
}
