/**
 * Walking distance along the street network, in metres, without pgRouting: a graph built in TypeScript from the
 * street lines and their crossing points (computed by PostGIS, see `roster-streets.ts`), Dijkstra from each shelter.
 *
 * - Nodes are the street vertices, the crossing points of two streets (inserted into both lines, so streets that
 *   cross without a shared vertex are joined) and extra vertices every `DENSIFY_M` metres along long segments
 *   (so a house is snapped to a point of its street, not to a far corner). Vertices closer than ~10 cm are one node.
 * - Edge lengths are metres in a local equirectangular projection about the area's centre (under 0.1% off over the
 *   few kilometres of a hazard area).
 * - A house or shelter enters the graph at its nearest node; the straight line to it is added to the distance.
 *
 * Example: `const g = buildWalkGraph(lines, crossings); const d = g.distancesFrom(g.nearestNode([116.3, 39.98]).node);`
 */

export type LonLat = [number, number];

export const DENSIFY_M = 40;

/** A local metric frame about `origin`: lon/lat → metres east and north. */
export function localFrame(origin: LonLat): (p: LonLat) => [number, number] {
  const kx = 111_320 * Math.cos((origin[1] * Math.PI) / 180);
  const ky = 110_574;
  return (p) => [(p[0] - origin[0]) * kx, (p[1] - origin[1]) * ky];
}

class MinHeap {
  private keys: number[] = [];
  private vals: number[] = [];
  get size(): number { return this.keys.length; }
  push(key: number, val: number): void {
    const k = this.keys, v = this.vals;
    let i = k.length;
    k.push(key); v.push(val);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p] <= key) break;
      k[i] = k[p]; v[i] = v[p]; i = p;
    }
    k[i] = key; v[i] = val;
  }
  pop(): [number, number] {
    const k = this.keys, v = this.vals;
    const top: [number, number] = [k[0], v[0]];
    const lk = k.pop()!, lv = v.pop()!;
    const n = k.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < n && k[l] < lk) m = l;
        if (r < n && k[r] < (m === i ? lk : k[m])) m = r;
        if (m === i) break;
        k[i] = k[m]; v[i] = v[m]; i = m;
      }
      k[i] = lk; v[i] = lv;
    }
    return top;
  }
}

export interface WalkGraph {
  nodeCount: number;
  /** node positions in metres (local frame) */
  xy: Float64Array;
  /** the nearest node to `p` and the straight distance to it (metres); node -1 when the graph is empty */
  nearestNode(p: LonLat): { node: number; metres: number };
  /** shortest walking distance (metres) from `source` to every node (Infinity where unreachable) */
  distancesFrom(source: number): Float64Array;
  /** shortest paths from `source`: a function giving the path to a target node as lon/lat, source first (empty when unreachable) */
  pathsFrom(source: number): (target: number) => LonLat[];
}

/**
 * Build the graph of `lines` (each a list of lon/lat positions) with `crossings[k]` the points where line k
 * crosses or touches other lines.
 */
export function buildWalkGraph(lines: LonLat[][], crossings: LonLat[][], origin?: LonLat): WalkGraph {
  const o = origin ?? lines[0]?.[0] ?? [0, 0];
  const toXY = localFrame(o);
  const kx = 111_320 * Math.cos((o[1] * Math.PI) / 180), ky = 110_574;
  const ids = new Map<string, number>();
  const xs: number[] = [];
  const ys: number[] = [];
  const adj: number[][] = [];
  const node = (p: [number, number]): number => {
    const key = `${Math.round(p[0] * 10)},${Math.round(p[1] * 10)}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = xs.length;
      ids.set(key, id);
      xs.push(p[0]); ys.push(p[1]); adj.push([]);
    }
    return id;
  };
  const link = (a: number, b: number) => {
    if (a === b) return;
    const w = Math.hypot(xs[a] - xs[b], ys[a] - ys[b]);
    adj[a].push(b, w); adj[b].push(a, w);
  };
  lines.forEach((line, k) => {
    if (line.length < 2) return;
    const pts = line.map(toXY);
    // crossing points placed on their segment, ordered along the line
    const extra: Array<{ seg: number; t: number; p: [number, number] }> = [];
    for (const c of crossings[k] ?? []) {
      const p = toXY(c);
      let best = 0, bestT = 0, bestD = Infinity;
      for (let s = 0; s + 1 < pts.length; s++) {
        const [ax, ay] = pts[s], [bx, by] = pts[s + 1];
        const dx = bx - ax, dy = by - ay;
        const L = dx * dx + dy * dy;
        const t = L === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / L));
        const d = Math.hypot(ax + t * dx - p[0], ay + t * dy - p[1]);
        if (d < bestD) { bestD = d; best = s; bestT = t; }
      }
      extra.push({ seg: best, t: bestT, p });
    }
    extra.sort((a, b) => a.seg - b.seg || a.t - b.t);
    const seq: Array<[number, number]> = [];
    let e = 0;
    for (let s = 0; s < pts.length; s++) {
      seq.push(pts[s]);
      while (e < extra.length && extra[e].seg === s) seq.push(extra[e++].p);
    }
    let prev = node(seq[0]);
    for (let s = 1; s < seq.length; s++) {
      const [ax, ay] = seq[s - 1], [bx, by] = seq[s];
      const n = Math.floor(Math.hypot(bx - ax, by - ay) / DENSIFY_M);
      for (let q = 1; q <= n; q++) {
        const mid = node([ax + ((bx - ax) * q) / (n + 1), ay + ((by - ay) * q) / (n + 1)]);
        link(prev, mid);
        prev = mid;
      }
      const next = node(seq[s]);
      link(prev, next);
      prev = next;
    }
  });
  const nodeCount = xs.length;
  const xy = new Float64Array(nodeCount * 2);
  for (let i = 0; i < nodeCount; i++) { xy[2 * i] = xs[i]; xy[2 * i + 1] = ys[i]; }
  // a hash of nodes by 100 m cells for the nearest-node search
  const CELL = 100;
  const cells = new Map<string, number[]>();
  for (let i = 0; i < nodeCount; i++) {
    const key = `${Math.floor(xs[i] / CELL)},${Math.floor(ys[i] / CELL)}`;
    const c = cells.get(key);
    if (c) c.push(i); else cells.set(key, [i]);
  }
  const adjFlat = adj.map((a) => Float64Array.from(a));
  const dijkstra = (source: number): { dist: Float64Array; prev: Int32Array } => {
    const dist = new Float64Array(nodeCount).fill(Infinity);
    const prev = new Int32Array(nodeCount).fill(-1);
    if (source < 0) return { dist, prev };
    dist[source] = 0;
    const heap = new MinHeap();
    heap.push(0, source);
    while (heap.size) {
      const [d, u] = heap.pop();
      if (d > dist[u]) continue;
      const a = adjFlat[u];
      for (let j = 0; j < a.length; j += 2) {
        const v = a[j], nd = d + a[j + 1];
        if (nd < dist[v]) { dist[v] = nd; prev[v] = u; heap.push(nd, v); }
      }
    }
    return { dist, prev };
  };
  return {
    nodeCount,
    xy,
    nearestNode(p) {
      if (nodeCount === 0) return { node: -1, metres: Infinity };
      const [x, y] = toXY(p);
      const cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
      let best = -1, bestD = Infinity;
      for (let r = 0; r < 1000; r++) {
        for (let i = cx - r; i <= cx + r; i++) {
          for (let j = cy - r; j <= cy + r; j++) {
            if (Math.max(Math.abs(i - cx), Math.abs(j - cy)) !== r) continue;
            for (const n of cells.get(`${i},${j}`) ?? []) {
              const d = Math.hypot(xs[n] - x, ys[n] - y);
              if (d < bestD) { bestD = d; best = n; }
            }
          }
        }
        // every node within r cells is seen: a node in ring r+1 is at least r*CELL away
        if (best >= 0 && bestD <= r * CELL) break;
      }
      return { node: best, metres: bestD };
    },
    distancesFrom(source) {
      return dijkstra(source).dist;
    },
    pathsFrom(source) {
      const { dist, prev } = dijkstra(source);
      return (target) => {
        if (target < 0 || !Number.isFinite(dist[target])) return [];
        const out: LonLat[] = [];
        for (let n = target; n >= 0; n = prev[n]) out.push([o[0] + xs[n] / kx, o[1] + ys[n] / ky]);
        return out.reverse();
      };
    },
  };
}
