/**
 * An organic street network: the Voronoi diagram of jittered seeds (each cell a block), edges bulged into
 * curves, a few arterial routes found by shortest paths across the town (primary / secondary / tertiary),
 * optional straight boulevards cut through the fabric (noded where they cross), minor edges left out
 * (blocks merge) or stopping 0.5-3 m short of their junction, dead-end spurs into blocks.
 */
import type { Rng } from '../rng.ts';
import { edgePolyline, shortenEnd, streetName } from './street-lines.ts';
import type { DBlock, DStreet, Rect, StreetKind, StreetPlan, Zone } from './world-types.ts';

export interface VoronoiSpec {
  domain: Rect;
  spacing: number;
  /** seed jitter as a share of the spacing (≤ 0.4 so ±2 neighbours suffice) */
  jitter: number;
  bulge: number;
  missing: number;
  spur: number;
  gap: number;
  boulevards: number;
  /** weights of the kind of a minor edge */
  minor: ReadonlyArray<readonly [StreetKind, number]>;
  zoneAt: (x: number, y: number) => Zone;
}

/** Sutherland-Hodgman clip of a labelled convex polygon by the half-plane nx·x + ny·y ≤ c (new edge labelled `label`). */
function clipLabelled(xs: number[], ys: number[], lab: number[], nx: number, ny: number, c: number, label: number): [number[], number[], number[]] {
  const ox: number[] = [], oy: number[] = [], ol: number[] = [];
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const fa = nx * xs[i] + ny * ys[i] - c, fb = nx * xs[j] + ny * ys[j] - c;
    const ina = fa <= 0, inb = fb <= 0;
    if (ina) {
      ox.push(xs[i]);
      oy.push(ys[i]);
      ol.push(lab[i]);
    }
    if (ina !== inb) {
      const t = fa / (fa - fb);
      ox.push(xs[i] + t * (xs[j] - xs[i]));
      oy.push(ys[i] + t * (ys[j] - ys[i]));
      ol.push(ina ? label : lab[i]);
    }
  }
  return [ox, oy, ol];
}

/** Snap nearly equal vertices (computed from different cells) to one id. */
class VertexRegistry {
  readonly x: number[] = [];
  readonly y: number[] = [];
  private readonly map = new Map<string, number>();

  id(x: number, y: number): number {
    const q = 0.05;
    const qx = Math.round(x / q), qy = Math.round(y / q);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const hit = this.map.get(`${qx + dx},${qy + dy}`);
        if (hit !== undefined) return hit;
      }
    }
    const id = this.x.length;
    this.x.push(x);
    this.y.push(y);
    this.map.set(`${qx},${qy}`, id);
    return id;
  }
}

interface Edge { a: number; b: number; cells: [number, number]; kind: StreetKind | null; present: boolean; pts: number[]; w: number }

interface Cells { seedX: number[]; seedY: number[]; rings: (number[] | null)[]; edges: Edge[] }

function voronoiCells(rng: Rng, spec: VoronoiSpec, reg: VertexRegistry): Cells {
  const { domain: d, spacing: S, jitter } = spec;
  const nx = Math.ceil((d.x1 - d.x0) / S) + 4, ny = Math.ceil((d.y1 - d.y0) / S) + 4;
  const seedX: number[] = [], seedY: number[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      seedX.push(d.x0 + (i - 2 + 0.5 + rng.range(-jitter, jitter)) * S);
      seedY.push(d.y0 + (j - 2 + 0.5 + rng.range(-jitter, jitter)) * S);
    }
  }
  const rings: (number[] | null)[] = [];
  const edges: Edge[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i, sx = seedX[k], sy = seedY[k];
      const x0 = Math.max(d.x0, sx - 3 * S), x1 = Math.min(d.x1, sx + 3 * S), y0 = Math.max(d.y0, sy - 3 * S), y1 = Math.min(d.y1, sy + 3 * S);
      if (x0 >= x1 || y0 >= y1) {
        rings.push(null);
        continue;
      }
      let px = [x0, x1, x1, x0], py = [y0, y0, y1, y1], pl = [-1, -1, -1, -1];
      for (let dj = -2; dj <= 2 && px.length >= 3; dj++) {
        for (let di = -2; di <= 2 && px.length >= 3; di++) {
          const ii = i + di, jj = j + dj;
          if ((di === 0 && dj === 0) || ii < 0 || jj < 0 || ii >= nx || jj >= ny) continue;
          const q = jj * nx + ii, qx = seedX[q], qy = seedY[q];
          const nxv = qx - sx, nyv = qy - sy;
          [px, py, pl] = clipLabelled(px, py, pl, nxv, nyv, (nxv * (qx + sx)) / 2 + (nyv * (qy + sy)) / 2, q);
        }
      }
      if (px.length < 3) {
        rings.push(null);
        continue;
      }
      const ring: number[] = [];
      for (let v = 0; v < px.length; v++) ring.push(px[v], py[v]);
      rings.push(ring);
      for (let v = 0; v < px.length; v++) {
        if (pl[v] <= k) continue;
        const w = (v + 1) % px.length;
        const a = reg.id(px[v], py[v]), b = reg.id(px[w], py[w]);
        if (a !== b) edges.push({ a, b, cells: [k, pl[v]], kind: null, present: true, pts: [], w: rng.range(1, 1.5) });
      }
    }
  }
  return { seedX, seedY, rings, edges };
}

/** Dijkstra over the edge graph from vertex s to vertex t (binary heap); returns edge indices in order from s. */
function shortestPath(nv: number, adj: number[][], edges: Edge[], reg: VertexRegistry, s: number, t: number): number[] {
  const dist = new Float64Array(nv).fill(Infinity), via = new Int32Array(nv).fill(-1);
  const hk: number[] = [], hv: number[] = [];
  const push = (k: number, v: number) => {
    let i = hk.length;
    hk.push(k);
    hv.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hk[p] <= hk[i]) break;
      [hk[p], hk[i]] = [hk[i], hk[p]];
      [hv[p], hv[i]] = [hv[i], hv[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [hk[0], hv[0]];
    const lk = hk.pop()!, lv = hv.pop()!;
    if (hk.length) {
      hk[0] = lk;
      hv[0] = lv;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < hk.length && hk[l] < hk[m]) m = l;
        if (r < hk.length && hk[r] < hk[m]) m = r;
        if (m === i) break;
        [hk[m], hk[i]] = [hk[i], hk[m]];
        [hv[m], hv[i]] = [hv[i], hv[m]];
        i = m;
      }
    }
    return top;
  };
  dist[s] = 0;
  push(0, s);
  while (hk.length) {
    const [dv, v] = pop();
    if (dv > dist[v]) continue;
    if (v === t) break;
    for (const e of adj[v]) {
      const E = edges[e], u = E.a === v ? E.b : E.a;
      const nd = dv + Math.hypot(reg.x[u] - reg.x[v], reg.y[u] - reg.y[v]) * E.w;
      if (nd < dist[u]) {
        dist[u] = nd;
        via[u] = e;
        push(nd, u);
      }
    }
  }
  const path: number[] = [];
  for (let v = t; v !== s && via[v] >= 0; ) {
    const E = edges[via[v]];
    path.push(via[v]);
    v = E.a === v ? E.b : E.a;
  }
  return path.reverse();
}

interface Route { kind: StreetKind; path: number[]; start: number }

const RANK: Record<string, number> = { primary: 3, secondary: 2, tertiary: 1 };

/** Arterial routes across the town; each route's edges get its kind, the route polylines are returned. */
function arterials(rng: Rng, spec: VoronoiSpec, edges: Edge[], reg: VertexRegistry): Route[] {
  const nv = reg.x.length;
  const adj: number[][] = Array.from({ length: nv }, () => []);
  edges.forEach((e, i) => {
    adj[e.a].push(i);
    adj[e.b].push(i);
  });
  const d = spec.domain;
  const nearest = (x: number, y: number) => {
    let best = 0, bd = Infinity;
    for (let v = 0; v < nv; v++) {
      const dd = (reg.x[v] - x) ** 2 + (reg.y[v] - y) ** 2;
      if (dd < bd && adj[v].length > 0) {
        bd = dd;
        best = v;
      }
    }
    return best;
  };
  const routes: Route[] = [];
  const nh = Math.max(1, Math.round((d.y1 - d.y0) / rng.range(500, 1400)));
  const nvv = Math.max(1, Math.round((d.x1 - d.x0) / rng.range(500, 1400)));
  for (let r = 0; r < nh + nvv; r++) {
    const horizontal = r < nh;
    const f0 = rng.range(0.05, 0.95), f1 = Math.min(0.95, Math.max(0.05, f0 + rng.range(-0.25, 0.25)));
    const s = horizontal ? nearest(d.x0, d.y0 + f0 * (d.y1 - d.y0)) : nearest(d.x0 + f0 * (d.x1 - d.x0), d.y0);
    const t = horizontal ? nearest(d.x1, d.y0 + f1 * (d.y1 - d.y0)) : nearest(d.x0 + f1 * (d.x1 - d.x0), d.y1);
    const kind: StreetKind = rng.weighted([['primary', 0.3], ['secondary', 0.4], ['tertiary', 0.3]] as const);
    const path = shortestPath(nv, adj, edges, reg, s, t);
    for (const e of path) if (!edges[e].kind || RANK[edges[e].kind!] < RANK[kind]) edges[e].kind = kind;
    routes.push({ kind, path, start: s });
  }
  return routes;
}

/** Node straight boulevards into the edges they cross and return them as streets. */
function boulevards(rng: Rng, spec: VoronoiSpec, edges: Edge[], taken: Set<string>): DStreet[] {
  const out: DStreet[] = [];
  const d = spec.domain;
  for (let n = 0; n < spec.boulevards; n++) {
    const vertical = rng.chance(0.5);
    const c = vertical ? d.x0 + rng.range(0.2, 0.8) * (d.x1 - d.x0) : d.y0 + rng.range(0.2, 0.8) * (d.y1 - d.y0);
    const cross: number[] = [];
    for (const e of edges) {
      if (!e.present) continue;
      const p = e.pts;
      for (let i = 2; i < p.length; i += 2) {
        const u0 = vertical ? p[i - 2] : p[i - 1], u1 = vertical ? p[i] : p[i + 1];
        if ((u0 - c) * (u1 - c) >= 0) continue;
        const t = (c - u0) / (u1 - u0);
        const x = p[i - 2] + t * (p[i] - p[i - 2]), y = p[i - 1] + t * (p[i + 1] - p[i - 1]);
        p.splice(i, 0, x, y);
        cross.push(vertical ? y : x);
        i += 2;
      }
    }
    const along = [vertical ? d.y0 : d.x0, ...cross.sort((a, b) => a - b), vertical ? d.y1 : d.x1];
    const pts: number[] = [];
    for (const v of along) pts.push(vertical ? c : v, vertical ? v : c);
    const kind: StreetKind = rng.chance(0.6) ? 'primary' : 'secondary';
    out.push({ kind, name: streetName(rng, kind, taken), pts });
  }
  return out;
}

/** Build the organic network and its blocks. */
export function buildVoronoi(rng: Rng, spec: VoronoiSpec, taken: Set<string>): StreetPlan {
  const reg = new VertexRegistry();
  const { seedX, seedY, rings, edges } = voronoiCells(rng, spec, reg);
  const routes = arterials(rng, spec, edges, reg);
  let missing = 0;
  for (const e of edges) {
    if (!e.kind) {
      e.kind = rng.weighted(spec.minor);
      if (rng.chance(spec.missing)) {
        e.present = false;
        missing++;
      }
    }
    const len = Math.hypot(reg.x[e.b] - reg.x[e.a], reg.y[e.b] - reg.y[e.a]);
    e.pts = edgePolyline(reg.x[e.a], reg.y[e.a], reg.x[e.b], reg.y[e.b], spec.bulge * len * rng.range(-1, 1));
  }
  const streets: DStreet[] = [];
  // spurs first: they start on the middle vertex of an edge before boulevards add vertices
  let deadEnds = 0;
  const byCell = new Map<number, number[]>();
  edges.forEach((e, i) => {
    for (const c of e.cells) {
      const l = byCell.get(c);
      if (l) l.push(i);
      else byCell.set(c, [i]);
    }
  });
  for (let c = 0; c < rings.length; c++) {
    const list = byCell.get(c)?.filter((i) => edges[i].present);
    if (!rings[c] || !list?.length || !rng.chance(spec.spur)) continue;
    const e = edges[rng.pick(list)];
    const m = (e.pts.length / 2 - 1) / 2, sx = e.pts[2 * m], sy = e.pts[2 * m + 1];
    const f = rng.range(0.3, 0.7);
    streets.push({ kind: rng.chance(0.6) ? 'service' : 'path', pts: [sx, sy, sx + (seedX[c] - sx) * 2 * f, sy + (seedY[c] - sy) * 2 * f], deadEnd: true });
    deadEnds++;
  }
  const blvd = boulevards(rng, spec, edges, taken);
  streets.push(...blvd);
  const followLines = blvd.map((b): [0 | 1, number] => (b.pts[0] === b.pts[2] ? [0, b.pts[0]] : [1, b.pts[1]]));
  const gaps = emitEdges(rng, spec, edges, routes, reg, taken, streets);
  const blocks: DBlock[] = [];
  rings.forEach((ring, c) => {
    if (ring) blocks.push({ ring, zone: spec.zoneAt(seedX[c], seedY[c]) });
  });
  return { streets, blocks, followLines, missingSegments: missing, deadEnds, gaps };
}

/** Emit arterial routes as long polylines and every other present edge as its own street. */
function emitEdges(rng: Rng, spec: VoronoiSpec, edges: Edge[], routes: Route[], reg: VertexRegistry, taken: Set<string>, out: DStreet[]): number {
  const claimed = new Uint8Array(edges.length);
  const degree = new Int32Array(reg.x.length);
  for (const e of edges) {
    if (e.present) {
      degree[e.a]++;
      degree[e.b]++;
    }
  }
  for (const r of routes) {
    const name = streetName(rng, r.kind, taken);
    let run: number[] = [];
    const flush = () => {
      if (run.length >= 4) out.push({ kind: r.kind, name, pts: run });
      run = [];
    };
    let cur = r.start;
    for (const ei of r.path) {
      const e = edges[ei];
      const forward = e.a === cur;
      cur = forward ? e.b : e.a;
      if (claimed[ei] || e.kind !== r.kind) {
        flush();
        continue;
      }
      claimed[ei] = 1;
      const p = forward ? e.pts : reversePts(e.pts);
      run.push(...(run.length === 0 ? p : p.slice(2)));
    }
    flush();
  }
  let gaps = 0;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    if (claimed[i] || !e.present) continue;
    const pts = [...e.pts];
    const minor = e.kind !== 'primary' && e.kind !== 'secondary';
    if (minor && degree[e.a] >= 3 && rng.chance(spec.gap) && shortenEnd(pts, true, rng.range(0.5, 3))) gaps++;
    if (minor && degree[e.b] >= 3 && rng.chance(spec.gap) && shortenEnd(pts, false, rng.range(0.5, 3))) gaps++;
    out.push({ kind: e.kind!, name: e.kind === 'tertiary' ? streetName(rng, e.kind, taken) : undefined, pts });
  }
  return gaps;
}

function reversePts(p: number[]): number[] {
  const out: number[] = [];
  for (let i = p.length - 2; i >= 0; i -= 2) out.push(p[i], p[i + 1]);
  return out;
}
