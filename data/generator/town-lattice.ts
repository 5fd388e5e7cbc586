/**
 * The topological skeleton of a generated town: a lattice of cells (street blocks) in index space
 * (u east, v north; node (i, j) at integer u, v), mapped to the ground by a smooth, orientation-preserving
 * warp (jittered corners, bilinear inside each cell, then a sinusoidal bend), so streets are curved but every
 * junction is a vertex shared exactly by the lines that meet there. Edges carry their own vertex lists:
 * crossings with the river and the rail and the start of dead-end spurs are inserted as vertices of the edge,
 * the same object is used by the crossing line, so both map to the same rounded coordinate.
 */
import type { Position } from './town-types.ts';

/** A point in lattice index space. */
export interface LP { u: number; v: number }

export interface WarpParams {
  ax: number; ay: number; l1: number; p1: number; p2: number; a2: number; l2: number; p3: number; p4: number;
}

export class Lattice {
  readonly nx: number;
  readonly ny: number;
  /** x of each column line and y of each row line, metres */
  readonly colX: Float64Array;
  readonly rowY: Float64Array;
  /** node jitter (dx, dy) in metres, (nx+1)*(ny+1)*2 */
  readonly jitter: Float64Array;
  readonly warp: WarpParams;
  readonly lon0: number;
  readonly lat0: number;
  private readonly mLon: number;
  private readonly mLat = 110_574;
  /** extra vertices per edge key, kept in insertion order and sorted when the edge is emitted */
  private readonly extras = new Map<number, LP[]>();
  private readonly edgeCache = new Map<number, Position[]>();

  constructor(nx: number, ny: number, colX: Float64Array, rowY: Float64Array, jitter: Float64Array, warp: WarpParams, lon0: number, lat0: number) {
    this.nx = nx;
    this.ny = ny;
    this.colX = colX;
    this.rowY = rowY;
    this.jitter = jitter;
    this.warp = warp;
    this.lon0 = lon0;
    this.lat0 = lat0;
    this.mLon = 111_320 * Math.cos((lat0 * Math.PI) / 180);
  }

  colW(i: number): number {
    const k = Math.max(0, Math.min(this.nx - 1, i));
    return this.colX[k + 1] - this.colX[k];
  }

  rowH(j: number): number {
    const k = Math.max(0, Math.min(this.ny - 1, j));
    return this.rowY[k + 1] - this.rowY[k];
  }

  /** Ground metres (east, north) of a lattice point. */
  metres(p: LP): [number, number] {
    const { nx, ny } = this;
    const i = Math.max(0, Math.min(nx - 1, Math.floor(p.u)));
    const j = Math.max(0, Math.min(ny - 1, Math.floor(p.v)));
    const fu = p.u - i;
    const fv = p.v - j;
    const n = (a: number, b: number) => ((j + b) * (nx + 1) + (i + a)) * 2;
    const n00 = n(0, 0), n10 = n(1, 0), n01 = n(0, 1), n11 = n(1, 1);
    const J = this.jitter;
    const x00 = this.colX[i] + J[n00], x10 = this.colX[i + 1] + J[n10], x01 = this.colX[i] + J[n01], x11 = this.colX[i + 1] + J[n11];
    const y00 = this.rowY[j] + J[n00 + 1], y10 = this.rowY[j] + J[n10 + 1], y01 = this.rowY[j + 1] + J[n01 + 1], y11 = this.rowY[j + 1] + J[n11 + 1];
    const x = (1 - fu) * (1 - fv) * x00 + fu * (1 - fv) * x10 + (1 - fu) * fv * x01 + fu * fv * x11;
    const y = (1 - fu) * (1 - fv) * y00 + fu * (1 - fv) * y10 + (1 - fu) * fv * y01 + fu * fv * y11;
    const w = this.warp;
    const t = 2 * Math.PI;
    return [
      x + w.ax * Math.sin((t * y) / w.l1 + w.p1) + w.a2 * Math.sin((t * (0.6 * x + 0.8 * y)) / w.l2 + w.p3),
      y + w.ay * Math.sin((t * x) / w.l1 + w.p2) + w.a2 * Math.sin((t * (0.8 * x - 0.6 * y)) / w.l2 + w.p4),
    ];
  }

  /** Rounded lon/lat (1e-7°, about 1 cm) of a lattice point. */
  lonlat(p: LP): Position {
    const [x, y] = this.metres(p);
    return [Math.round((this.lon0 + x / this.mLon) * 1e7) / 1e7, Math.round((this.lat0 + y / this.mLat) * 1e7) / 1e7];
  }

  /** Metres between two lon/lat positions (local equirectangular; fine at town scale). */
  distance(a: Position, b: Position): number {
    const dx = (a[0] - b[0]) * this.mLon;
    const dy = (a[1] - b[1]) * this.mLat;
    return Math.sqrt(dx * dx + dy * dy);
  }

  /** Offset a lon/lat position by metres. */
  offset(p: Position, dx: number, dy: number): Position {
    return [Math.round((p[0] + dx / this.mLon) * 1e7) / 1e7, Math.round((p[1] + dy / this.mLat) * 1e7) / 1e7];
  }

  // ---- edges: horizontal H(i, j) from node (i, j) to (i+1, j); vertical V(i, j) from (i, j) to (i, j+1)
  hKey(i: number, j: number): number {
    return (j * this.nx + i) * 2;
  }

  vKey(i: number, j: number): number {
    return (j * (this.nx + 1) + i) * 2 + 1;
  }

  /** Add a vertex (exactly this object) to an edge. Must happen before the edge is first emitted. */
  addVertex(key: number, p: LP): void {
    if (this.edgeCache.has(key)) throw new Error('edge already emitted');
    let l = this.extras.get(key);
    if (!l) this.extras.set(key, (l = []));
    l.push(p);
  }

  /** The lattice points of an edge, in its own direction (west→east or south→north). */
  edgePoints(key: number): LP[] {
    const horizontal = key % 2 === 0;
    const k = key >> 1;
    let i: number, j: number;
    if (horizontal) {
      i = k % this.nx;
      j = Math.floor(k / this.nx);
    } else {
      i = k % (this.nx + 1);
      j = Math.floor(k / (this.nx + 1));
    }
    const pts: LP[] = [];
    for (const t of [0, 0.25, 0.5, 0.75, 1]) pts.push(horizontal ? { u: i + t, v: j } : { u: i, v: j + t });
    const ex = this.extras.get(key);
    if (ex) {
      for (const p of ex) pts.push(p);
      pts.sort((a, b) => (horizontal ? a.u - b.u : a.v - b.v));
    }
    return pts;
  }

  /** The ground polyline of an edge (cached; consecutive duplicates removed). */
  edgeCoords(key: number): Position[] {
    let c = this.edgeCache.get(key);
    if (!c) {
      c = dedupe(this.edgePoints(key).map((p) => this.lonlat(p)));
      this.edgeCache.set(key, c);
    }
    return c;
  }

  /**
   * Outline of a set of cells as polygons of ground coordinates (outer rings counter-clockwise, holes
   * clockwise), following the edges' own vertices, so it coincides exactly with the streets along it.
   */
  traceCells(cells: readonly number[], inSet: (cell: number) => boolean): Position[][][] {
    const { nx } = this;
    // directed boundary edges, interior on the left: from node → list of [to node, edge key, forward?]
    const out = new Map<number, Array<{ to: number; key: number; fwd: boolean; used: boolean }>>();
    const node = (i: number, j: number) => j * (nx + 1) + i;
    const add = (from: number, to: number, key: number, fwd: boolean) => {
      let l = out.get(from);
      if (!l) out.set(from, (l = []));
      l.push({ to, key, fwd, used: false });
    };
    const cellOk = (i: number, j: number) => i >= 0 && j >= 0 && i < nx && j < this.ny && inSet(j * nx + i);
    for (const c of cells) {
      const i = c % nx, j = Math.floor(c / nx);
      if (!cellOk(i, j - 1)) add(node(i, j), node(i + 1, j), this.hKey(i, j), true);
      if (!cellOk(i + 1, j)) add(node(i + 1, j), node(i + 1, j + 1), this.vKey(i + 1, j), true);
      if (!cellOk(i, j + 1)) add(node(i + 1, j + 1), node(i, j + 1), this.hKey(i, j + 1), false);
      if (!cellOk(i - 1, j)) add(node(i, j + 1), node(i, j), this.vKey(i, j), false);
    }
    const nodeXY = (n: number): [number, number] => [n % (nx + 1), Math.floor(n / (nx + 1))];
    const rings: Array<{ nodes: number[]; steps: Array<{ key: number; fwd: boolean }> }> = [];
    const starts = [...out.keys()].sort((a, b) => a - b);
    for (const s of starts) {
      for (const first of out.get(s)!) {
        if (first.used) continue;
        const nodes = [s];
        const steps: Array<{ key: number; fwd: boolean }> = [];
        let cur = first;
        let from = s;
        for (;;) {
          cur.used = true;
          steps.push({ key: cur.key, fwd: cur.fwd });
          const at = cur.to;
          // closed when back at the start node (pinch nodes elsewhere are resolved by the left-turn rule)
          if (at === s) break;
          nodes.push(at);
          const cands = out.get(at)!.filter((e) => !e.used);
          if (cands.length === 0) break;
          let next = cands[0];
          if (cands.length > 1) {
            // leftmost turn relative to the incoming direction
            const [fx, fy] = nodeXY(from), [ax, ay] = nodeXY(at);
            const din = [ax - fx, ay - fy];
            let best = -Infinity;
            for (const e of cands) {
              const [tx, ty] = nodeXY(e.to);
              const d = [tx - ax, ty - ay];
              const cross = din[0] * d[1] - din[1] * d[0];
              const dot = din[0] * d[0] + din[1] * d[1];
              const score = cross > 0 ? 2 : dot > 0 ? 1 : 0;
              if (score > best) {
                best = score;
                next = e;
              }
            }
          }
          from = at;
          cur = next;
        }
        rings.push({ nodes, steps });
      }
    }
    // signed area in index space decides shells and holes
    const area = (ns: number[]) => {
      let a = 0;
      for (let k = 0; k < ns.length; k++) {
        const [x1, y1] = nodeXY(ns[k]), [x2, y2] = nodeXY(ns[(k + 1) % ns.length]);
        a += x1 * y2 - x2 * y1;
      }
      return a / 2;
    };
    const toCoords = (steps: Array<{ key: number; fwd: boolean }>): Position[] => {
      const ring: Position[] = [];
      for (const st of steps) {
        const c = this.edgeCoords(st.key);
        const seq = st.fwd ? c : [...c].reverse();
        for (let k = ring.length === 0 ? 0 : 1; k < seq.length; k++) ring.push(seq[k]);
      }
      const d = dedupe(ring);
      if (d.length && (d[0][0] !== d[d.length - 1][0] || d[0][1] !== d[d.length - 1][1])) d.push(d[0]);
      return d;
    };
    const shells: Array<{ nodes: number[]; rings: Position[][] }> = [];
    const holes: Array<{ nodes: number[]; coords: Position[] }> = [];
    for (const r of rings) {
      if (area(r.nodes) > 0) shells.push({ nodes: r.nodes, rings: [toCoords(r.steps)] });
      else holes.push({ nodes: r.nodes, coords: toCoords(r.steps) });
    }
    for (const h of holes) {
      // a hole belongs to the shell that contains the midpoint of its first edge (index space)
      const [x1, y1] = nodeXY(h.nodes[0]), [x2, y2] = nodeXY(h.nodes[1 % h.nodes.length]);
      const px = (x1 + x2) / 2 + (y2 - y1) * 0.01, py = (y1 + y2) / 2 - (x2 - x1) * 0.01;
      const owner = shells.find((s) => pointInNodes(px, py, s.nodes.map(nodeXY))) ?? shells[0];
      owner.rings.push(h.coords);
    }
    return shells.map((s) => s.rings);
  }
}

function pointInNodes(px: number, py: number, ring: Array<[number, number]>): boolean {
  let inside = false;
  for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
    const [xa, ya] = ring[a], [xb, yb] = ring[b];
    if (ya > py !== yb > py && px < ((xb - xa) * (py - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/** Remove consecutive duplicate positions. */
export function dedupe(cs: Position[]): Position[] {
  const out: Position[] = [];
  for (const c of cs) {
    const l = out[out.length - 1];
    if (!l || l[0] !== c[0] || l[1] !== c[1]) out.push(c);
  }
  return out;
}
