/**
 * `worldOverlays(world, seed)`: 2–4 departmental layers (多网合一's input) drawn over any test world, the way
 * departments draw them: by another hand than the engine's, on a raster of the world (cells of 8 m or more)
 * whose street cells are barriers, so the "blocks" here are the raster's street-bounded patches and never the
 * engine's blocks.
 *
 * - `security` (always): zones roughly the size of a grid, random contiguous clusters of patches of 300–700
 *   households (each zone's target drawn on its own), inside communities or not (drawn per world);
 * - `party_building` (coarse): zones of about 2–4 grids inside communities, the whole layer shifted by a small
 *   misregistration offset;
 * - `economic` (fine: zones of 100–300 households) and/or `urban_management` (misaligned: a rotated lattice of
 *   square tiles of about a grid's households, ignoring streets and communities).
 *
 * Every layer: some boundary patches cut off-street by a straight line, a few patches left in no zone (gaps),
 * some zones spilling one or two cells over a neighbour (overlaps), small leftover zones joined to a neighbour
 * or not. Every parameter is drawn per world and per layer from the seed; none is chosen to please the merge.
 * Street cells go to the nearest zone, so boundaries run along street centre lines.
 *
 * @example
 * const world = generateWorld(7);
 * const { layers } = worldOverlays(world, 7);
 * layers.map((l) => `${l.name}: ${l.features.length} zones`);
 */
import { hashSeed, Rng } from '../rng.ts';
import { personName } from '../names.ts';
import type { Position, World } from './world-types.ts';

export interface WorldOverlayFeature {
  type: 'Feature';
  properties: { code: string; name: string; person: string; phone: string; department: string };
  geometry: { type: 'MultiPolygon'; coordinates: Position[][][] };
}

export interface WorldOverlayLayer {
  name: string;
  department: string;
  /** how it was drawn: 'grid-size', 'coarse', 'fine' or 'misaligned' */
  style: 'grid-size' | 'coarse' | 'fine' | 'misaligned';
  /** the parameters drawn for this layer */
  params: Record<string, number | boolean>;
  features: WorldOverlayFeature[];
}

export interface WorldOverlays {
  /** raster cell size in metres */
  cellM: number;
  layers: WorldOverlayLayer[];
}

/** A raster of the world in local metres. */
interface Raster {
  nx: number; ny: number; s: number; x0: number; y0: number;
  /** patch (street-bounded raster block) of each cell, -1 for street cells and cells outside */
  patch: Int32Array;
  inside: Uint8Array;
  /** per patch: households, cells, centroid, majority community (-1: none) */
  ph: number[]; pc: number[]; px: number[]; py: number[]; pcomm: number[];
  padj: Set<number>[];
  toLonLat: (x: number, y: number) => Position;
}

const MAX_CELLS = 1_500_000;

/** Scan-line fill of polygons (rings in metres, even-odd) into `out` with `value`. */
function fillRings(r: Pick<Raster, 'nx' | 'ny' | 's' | 'x0' | 'y0'>, rings: number[][][], out: Int32Array | Uint8Array, value: number): void {
  for (let j = 0; j < r.ny; j++) {
    const y = r.y0 + (j + 0.5) * r.s;
    const xs: number[] = [];
    for (const ring of rings) {
      for (let k = 0; k < ring.length; k++) {
        const [ax, ay] = ring[k], [bx, by] = ring[(k + 1) % ring.length];
        if ((ay <= y) !== (by <= y)) xs.push(ax + ((y - ay) / (by - ay)) * (bx - ax));
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const i0 = Math.max(0, Math.ceil((xs[k] - r.x0) / r.s - 0.5)), i1 = Math.min(r.nx - 1, Math.floor((xs[k + 1] - r.x0) / r.s - 0.5));
      for (let i = i0; i <= i1; i++) out[j * r.nx + i] = value;
    }
  }
}

function buildRaster(world: World): Raster {
  const [lon0, lat0] = world.meta.origin;
  const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180), ky = 110_574;
  const P = ([lon, lat]: Position): [number, number] => [(lon - lon0) * kx, (lat - lat0) * ky];
  const toLonLat = (x: number, y: number): Position => [Math.round((lon0 + x / kx) * 1e7) / 1e7, Math.round((lat0 + y / ky) * 1e7) / 1e7];
  const bRings = world.boundary.features.flatMap((f) => f.geometry.coordinates.map((ring) => ring.map(P)));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const ring of bRings) for (const [x, y] of ring) { minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y); }
  const s = Math.max(8, Math.sqrt(((maxX - minX) * (maxY - minY)) / MAX_CELLS));
  const x0 = minX - s, y0 = minY - s;
  const nx = Math.ceil((maxX - minX) / s) + 3, ny = Math.ceil((maxY - minY) / s) + 3;
  const dims = { nx, ny, s, x0, y0 };
  const inside = new Uint8Array(nx * ny);
  fillRings(dims, bRings, inside, 1);
  // streets are barriers
  const street = new Uint8Array(nx * ny);
  for (const f of world.streets.features) {
    const pts = f.geometry.coordinates.map(P);
    for (let k = 0; k + 1 < pts.length; k++) {
      const [ax, ay] = pts[k], [bx, by] = pts[k + 1];
      const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / (s / 3)));
      for (let t = 0; t <= steps; t++) {
        const i = Math.floor((ax + ((bx - ax) * t) / steps - x0) / s), j = Math.floor((ay + ((by - ay) * t) / steps - y0) / s);
        if (i >= 0 && j >= 0 && i < nx && j < ny) street[j * nx + i] = 1;
      }
    }
  }
  // patches: 4-connected cells inside and off the streets
  const patch = new Int32Array(nx * ny).fill(-1);
  const pc: number[] = [], px: number[] = [], py: number[] = [];
  const queue = new Int32Array(nx * ny);
  for (let c0 = 0; c0 < nx * ny; c0++) {
    if (!inside[c0] || street[c0] || patch[c0] >= 0) continue;
    const id = pc.length;
    let qh = 0, qt = 0, n = 0, sx = 0, sy = 0;
    queue[qt++] = c0; patch[c0] = id;
    while (qh < qt) {
      const c = queue[qh++];
      const i = c % nx, j = (c - i) / nx;
      n++; sx += i; sy += j;
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const a = i + di, b = j + dj;
        if (a < 0 || b < 0 || a >= nx || b >= ny) continue;
        const d = b * nx + a;
        if (inside[d] && !street[d] && patch[d] < 0) { patch[d] = id; queue[qt++] = d; }
      }
    }
    pc.push(n); px.push(x0 + (sx / n + 0.5) * s); py.push(y0 + (sy / n + 0.5) * s);
  }
  const np = pc.length;
  // households to the patch of their cell, else of the nearest patch cell within 4 cells
  const ph = new Array<number>(np).fill(0);
  for (const f of world.households.features) {
    const [x, y] = P(f.geometry.coordinates);
    const i = Math.floor((x - x0) / s), j = Math.floor((y - y0) / s);
    let best = -1, bd = Infinity;
    for (let rad = 0; rad <= 4 && best < 0; rad++) {
      for (let b = j - rad; b <= j + rad; b++) {
        for (let a = i - rad; a <= i + rad; a++) {
          if (a < 0 || b < 0 || a >= nx || b >= ny) continue;
          const p = patch[b * nx + a];
          const d = (a - i) ** 2 + (b - j) ** 2;
          if (p >= 0 && d < bd) { bd = d; best = p; }
        }
      }
    }
    if (best >= 0) ph[best] += f.properties.households;
  }
  // majority community of each patch
  const pcomm = new Array<number>(np).fill(-1);
  if (world.communities) {
    const comm = new Int32Array(nx * ny).fill(-1);
    world.communities.features.forEach((f, k) => {
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      fillRings(dims, polys.flatMap((poly) => poly.map((ring) => ring.map(P))), comm, k);
    });
    const votes = Array.from({ length: np }, () => new Map<number, number>());
    for (let c = 0; c < nx * ny; c++) if (patch[c] >= 0 && comm[c] >= 0) votes[patch[c]].set(comm[c], (votes[patch[c]].get(comm[c]) ?? 0) + 1);
    votes.forEach((m, p) => { let bv = 0; for (const [k, v] of m) if (v > bv) { bv = v; pcomm[p] = k; } });
  }
  // adjacency: patches within two cells of each other (across a street line)
  const padj = Array.from({ length: np }, () => new Set<number>());
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const p = patch[j * nx + i];
      if (p < 0) continue;
      for (const [di, dj] of [[1, 0], [0, 1], [1, 1], [-1, 1], [2, 0], [0, 2], [2, 1], [1, 2], [-1, 2], [-2, 1], [3, 0], [0, 3]]) {
        const a = i + di, b = j + dj;
        if (a < 0 || b < 0 || a >= nx || b >= ny) continue;
        const q = patch[b * nx + a];
        if (q >= 0 && q !== p) { padj[p].add(q); padj[q].add(p); }
      }
    }
  }
  return { nx, ny, s, x0, y0, patch, inside, ph, pc, px, py, pcomm, padj, toLonLat };
}

/**
 * Random contiguous clusters of patches: seeds at random, each grown (nearest patch to the seed first) to a
 * target drawn by `target()`, inside one community when `byCommunity`; empty patches join an adjacent zone.
 * Returns the zone of each patch (-1: none).
 */
function clusterPatches(R: Raster, rng: Rng, target: () => number, byCommunity: boolean, joinBelow: number): Int32Array {
  const np = R.ph.length;
  const zone = new Int32Array(np).fill(-1);
  const group = (p: number) => (byCommunity ? R.pcomm[p] : 0);
  const order = rng.shuffle([...Array(np).keys()].filter((p) => R.ph[p] > 0));
  const zh: number[] = [];
  for (const seed of order) {
    if (zone[seed] >= 0) continue;
    const z = zh.length;
    const t = target();
    zone[seed] = z;
    let h = R.ph[seed];
    const frontier = new Set<number>();
    const push = (p: number) => { for (const q of R.padj[p]) if (zone[q] < 0 && group(q) === group(seed)) frontier.add(q); };
    push(seed);
    while (h < t && frontier.size) {
      let pick = -1, bd = Infinity;
      for (const q of frontier) {
        const d = (R.px[q] - R.px[seed]) ** 2 + (R.py[q] - R.py[seed]) ** 2;
        if (d < bd) { bd = d; pick = q; }
      }
      frontier.delete(pick);
      // a hand that stops short rather than overshoots by much
      if (h + R.ph[pick] > t * 1.25 && h >= t * 0.7) break;
      zone[pick] = z; h += R.ph[pick];
      push(pick);
    }
    zh.push(h);
  }
  // empty patches (and households no seed reached) join an adjacent zone, same group first
  for (let pass = 0; pass < 50; pass++) {
    let moved = 0;
    for (let p = 0; p < np; p++) {
      if (zone[p] >= 0) continue;
      let z = -1;
      for (const q of R.padj[p]) if (zone[q] >= 0 && (z < 0 || group(q) === group(p))) z = zone[q];
      if (z >= 0 && pass < 49) { zone[p] = z; zh[z] += R.ph[p]; moved++; }
    }
    if (!moved) break;
  }
  // small leftover zones join their smallest neighbour of the same group (a hand tidying up)
  if (joinBelow > 0) {
    const members = new Map<number, number[]>();
    for (let p = 0; p < np; p++) if (zone[p] >= 0) { const l = members.get(zone[p]); if (l) l.push(p); else members.set(zone[p], [p]); }
    for (const [z, ps] of members) {
      if (zh[z] >= joinBelow || zh[z] === 0) continue;
      let to = -1;
      for (const p of ps) for (const q of R.padj[p]) if (zone[q] >= 0 && zone[q] !== z && group(q) === group(p) && (to < 0 || zh[zone[q]] < zh[to])) to = zone[q];
      if (to < 0) continue;
      for (const p of ps) zone[p] = to;
      zh[to] += zh[z]; zh[z] = 0;
      members.get(to)!.push(...ps);
    }
  }
  return zone;
}

/** Cell labels from patch zones; street cells take the zone of the nearest labelled cell (BFS). */
function cellLabels(R: Raster, zoneOfPatch: (p: number) => number): Int32Array {
  const n = R.nx * R.ny;
  const lab = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let qt = 0;
  for (let c = 0; c < n; c++) {
    const p = R.patch[c];
    if (p >= 0) { lab[c] = zoneOfPatch(p); if (lab[c] >= 0) queue[qt++] = c; }
  }
  const fixed = new Uint8Array(n);
  for (let c = 0; c < n; c++) if (R.patch[c] >= 0) fixed[c] = 1;
  for (let qh = 0; qh < qt; qh++) {
    const c = queue[qh];
    const i = c % R.nx, j = (c - i) / R.nx;
    for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const a = i + di, b = j + dj;
      if (a < 0 || b < 0 || a >= R.nx || b >= R.ny) continue;
      const d = b * R.nx + a;
      if (!fixed[d] && lab[d] < 0 && R.inside[d]) { lab[d] = lab[c]; queue[qt++] = d; }
    }
  }
  return lab;
}

/** Off-street cuts: boundary patches split by a straight line, one side given to a neighbouring zone. */
function offStreetCuts(R: Raster, rng: Rng, lab: Int32Array, zoneOfPatch: Int32Array, p: number): number {
  let cuts = 0;
  const cellsOf = new Map<number, number[]>();
  for (let c = 0; c < lab.length; c++) {
    const q = R.patch[c];
    if (q >= 0 && zoneOfPatch[q] >= 0 && R.pc[q] >= 6) { const l = cellsOf.get(q); if (l) l.push(c); else cellsOf.set(q, [c]); }
  }
  for (const [q, cells] of cellsOf) {
    const others = [...R.padj[q]].map((x) => zoneOfPatch[x]).filter((z) => z >= 0 && z !== zoneOfPatch[q]);
    if (!others.length || !rng.chance(p)) continue;
    const to = rng.pick(others);
    const th = rng.range(0, Math.PI), off = rng.range(-0.4, 0.4) * Math.sqrt(R.pc[q]) * R.s;
    const ux = Math.cos(th), uy = Math.sin(th);
    for (const c of cells) {
      const i = c % R.nx, j = (c - i) / R.nx;
      const x = R.x0 + (i + 0.5) * R.s - R.px[q], y = R.y0 + (j + 0.5) * R.s - R.py[q];
      if (x * ux + y * uy > off) lab[c] = to;
    }
    cuts++;
  }
  return cuts;
}

/** Trace the outline of a set of cells into MultiPolygon rings (exterior counter-clockwise, holes clockwise). */
function traceCells(R: Raster, cells: number[], inZone: (c: number) => boolean): Position[][][] {
  const W = R.nx + 1;
  const out = new Map<number, number[]>();
  const edge = (a: number, b: number) => { const l = out.get(a); if (l) l.push(b); else out.set(a, [b]); };
  const v = (i: number, j: number) => j * W + i;
  const has = (i: number, j: number) => i >= 0 && j >= 0 && i < R.nx && j < R.ny && inZone(j * R.nx + i);
  for (const c of cells) {
    const i = c % R.nx, j = (c - i) / R.nx;
    if (!has(i, j - 1)) edge(v(i, j), v(i + 1, j));
    if (!has(i + 1, j)) edge(v(i + 1, j), v(i + 1, j + 1));
    if (!has(i, j + 1)) edge(v(i + 1, j + 1), v(i, j + 1));
    if (!has(i - 1, j)) edge(v(i, j + 1), v(i, j));
  }
  const rings: number[][] = [];
  for (const [start, ends] of out) {
    while (ends.length) {
      const ring = [start];
      let prev = start, cur = ends.pop()!;
      while (cur !== start) {
        ring.push(cur);
        const nexts = out.get(cur)!;
        let k = 0;
        if (nexts.length > 1) {
          // turn left at a pinch, so rings touching at a corner stay apart
          const dx = (cur % W) - (prev % W), dy = Math.floor(cur / W) - Math.floor(prev / W);
          const want = v((cur % W) - dy, Math.floor(cur / W) + dx);
          k = Math.max(0, nexts.indexOf(want));
        }
        prev = cur;
        cur = nexts.splice(k, 1)[0];
      }
      rings.push(ring);
    }
  }
  const pts = rings.map((ring) => {
    // drop collinear vertices
    const xy = ring.map((x) => [x % W, Math.floor(x / W)]);
    const keep = xy.filter((p, k) => {
      const a = xy[(k + xy.length - 1) % xy.length], b = xy[(k + 1) % xy.length];
      return (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]) !== 0;
    });
    return keep;
  }).filter((r) => r.length >= 3);
  const area = (r: number[][]) => { let t = 0; for (let k = 0; k < r.length; k++) { const a = r[k], b = r[(k + 1) % r.length]; t += a[0] * b[1] - b[0] * a[1]; } return t / 2; };
  const inside = (p: number[], r: number[][]) => {
    let inn = false;
    for (let k = 0, l = r.length - 1; k < r.length; l = k++) {
      if ((r[k][1] > p[1]) !== (r[l][1] > p[1]) && p[0] < ((r[l][0] - r[k][0]) * (p[1] - r[k][1])) / (r[l][1] - r[k][1]) + r[k][0]) inn = !inn;
    }
    return inn;
  };
  const shells = pts.filter((r) => area(r) > 0);
  const holes = pts.filter((r) => area(r) < 0);
  const polys: number[][][][] = shells.map((r) => [r]);
  for (const h of holes) {
    const probe = [h[0][0] + 0.01, h[0][1] + 0.013];
    const owner = polys.find((p) => inside(probe, p[0]) || inside(h[0], p[0]));
    if (owner) owner.push(h);
  }
  const ll = (p: number[]) => R.toLonLat(R.x0 + p[0] * R.s, R.y0 + p[1] * R.s);
  return polys.map((poly) => poly.map((r) => { const ring = r.map(ll); ring.push(ring[0]); return ring; }));
}

/** Zones of a layer from cell labels: gaps, overlaps, then outlines. */
function layerFeatures(R: Raster, rng: Rng, lab: Int32Array, name: string, department: string, overlapP: number, prefix: string): WorldOverlayFeature[] {
  const cellsOf = new Map<number, number[]>();
  for (let c = 0; c < lab.length; c++) if (lab[c] >= 0) { const l = cellsOf.get(lab[c]); if (l) l.push(c); else cellsOf.set(lab[c], [c]); }
  const extra = new Map<number, Set<number>>();
  const zonesSorted = [...cellsOf.keys()].sort((a, b) => a - b);
  for (const z of zonesSorted) {
    if (!rng.chance(overlapP)) continue;
    // spill one or two cells over one neighbouring zone
    const band = new Set<number>();
    const nbZones = new Set<number>();
    for (const c of cellsOf.get(z)!) {
      const i = c % R.nx;
      for (const d of [c + 1, c - 1, c + R.nx, c - R.nx]) if (d >= 0 && d < lab.length && Math.abs((d % R.nx) - i) <= 1 && lab[d] >= 0 && lab[d] !== z) nbZones.add(lab[d]);
    }
    if (!nbZones.size) continue;
    const nb = rng.pick([...nbZones].sort((a, b) => a - b));
    const width = rng.int(1, 2);
    let front = cellsOf.get(z)!;
    const inSet = new Set(front);
    for (let w = 0; w < width; w++) {
      const next: number[] = [];
      for (const c of front) {
        const i = c % R.nx;
        for (const d of [c + 1, c - 1, c + R.nx, c - R.nx]) {
          if (d >= 0 && d < lab.length && Math.abs((d % R.nx) - i) <= 1 && lab[d] === nb && !inSet.has(d)) { inSet.add(d); band.add(d); next.push(d); }
        }
      }
      front = next;
    }
    extra.set(z, band);
  }
  const feats: WorldOverlayFeature[] = [];
  let no = 0;
  for (const z of zonesSorted) {
    const own = cellsOf.get(z)!;
    const band = extra.get(z);
    const cells = band ? [...own, ...band] : own;
    const coords = traceCells(R, cells, (c) => lab[c] === z || (band?.has(c) ?? false));
    if (!coords.length) continue;
    no++;
    const code = `${prefix}${String(no).padStart(3, '0')}`;
    feats.push({ type: 'Feature', properties: { code, name: `${department} ${code}`, person: personName(rng, rng.chance(0.5)), phone: `199${String(rng.int(0, 99_999_999)).padStart(8, '0')}`, department },
      geometry: { type: 'MultiPolygon', coordinates: coords } });
  }
  return feats;
}

/** Leave a few patches in no zone (a hand-drawn layer's gaps). */
function gaps(R: Raster, rng: Rng, zone: Int32Array, p: number): Int32Array {
  const z = Int32Array.from(zone);
  for (let q = 0; q < z.length; q++) if (rng.chance(p)) z[q] = -1;
  return z;
}

/**
 * Departmental layers for a world, drawn from `seed` (2–4 layers; see the file comment).
 */
export function worldOverlays(world: World, seed: number): WorldOverlays {
  const rng = new Rng(hashSeed(seed, 0x0e7a));
  const R = buildRaster(world);
  const hasComm = !!world.communities;
  const count = rng.int(2, 4);
  const styles: WorldOverlayLayer['style'][] = ['grid-size', 'coarse', ...rng.shuffle(['fine', 'misaligned'] as const)];
  const chosen = count === 2 ? ['grid-size', rng.pick(['coarse', 'fine', 'misaligned'] as const)] : styles.slice(0, count);
  const layers: WorldOverlayLayer[] = [];
  for (const style of chosen as WorldOverlayLayer['style'][]) {
    const lr = new Rng(hashSeed(seed, 0x0e7b, layers.length));
    const params: Record<string, number | boolean> = {
      cutShare: +lr.range(0.03, 0.3).toFixed(3), gapShare: +lr.range(0, 0.02).toFixed(4), overlapShare: +lr.range(0, 0.25).toFixed(3),
    };
    let lab: Int32Array;
    let name: string, department: string, prefix: string;
    if (style === 'misaligned') {
      name = 'urban_management'; department = '城管'; prefix = 'U';
      const totalHh = R.ph.reduce((a, b) => a + b, 0);
      let cells = 0;
      for (let c = 0; c < R.inside.length; c++) cells += R.inside[c];
      const perTile = lr.range(350, 750);
      const L = Math.sqrt((perTile / Math.max(1, totalHh)) * cells) * R.s;
      const th = lr.range(0, Math.PI / 2), ox = lr.range(0, L), oy = lr.range(0, L);
      params.tileM = Math.round(L); params.angleDeg = Math.round((th * 180) / Math.PI); params.tileHouseholds = Math.round(perTile);
      lab = new Int32Array(R.inside.length).fill(-1);
      const ux = Math.cos(th), uy = Math.sin(th);
      const ids = new Map<string, number>();
      for (let c = 0; c < lab.length; c++) {
        if (!R.inside[c]) continue;
        const i = c % R.nx, j = (c - i) / R.nx;
        const x = R.x0 + (i + 0.5) * R.s, y = R.y0 + (j + 0.5) * R.s;
        const key = `${Math.floor((x * ux + y * uy + ox) / L)},${Math.floor((-x * uy + y * ux + oy) / L)}`;
        let id = ids.get(key);
        if (id === undefined) { id = ids.size; ids.set(key, id); }
        lab[c] = id;
      }
      // tiles holding a gap patch lose it
      const gap = gaps(R, lr, new Int32Array(R.ph.length), params.gapShare as number);
      for (let c = 0; c < lab.length; c++) if (R.patch[c] >= 0 && gap[R.patch[c]] < 0) lab[c] = -1;
    } else {
      const byCommunity = hasComm && (style !== 'grid-size' || lr.chance(0.8));
      params.byCommunity = byCommunity;
      let target: () => number;
      if (style === 'grid-size') {
        name = 'security'; department = '综治'; prefix = 'S';
        const lo = lr.range(300, 420), hi = lr.range(560, 700);
        params.targetMin = Math.round(lo); params.targetMax = Math.round(hi);
        target = () => lr.range(lo, hi);
      } else if (style === 'coarse') {
        name = 'party_building'; department = '党建'; prefix = 'P';
        const grids = [lr.range(1.8, 2.6), lr.range(3, 4.2)];
        params.gridsMin = +grids[0].toFixed(2); params.gridsMax = +grids[1].toFixed(2);
        target = () => lr.range(grids[0], grids[1]) * 500;
      } else {
        name = 'economic'; department = '经济'; prefix = 'E';
        const lo = lr.range(100, 160), hi = lr.range(220, 320);
        params.targetMin = Math.round(lo); params.targetMax = Math.round(hi);
        target = () => lr.range(lo, hi);
      }
      const joinBelow = lr.chance(0.6) ? lr.range(60, 200) : 0;
      params.joinBelow = Math.round(joinBelow);
      const zone = gaps(R, lr, clusterPatches(R, lr, target, byCommunity, joinBelow), params.gapShare as number);
      lab = cellLabels(R, (p) => zone[p]);
      params.cuts = offStreetCuts(R, lr, lab, zone, params.cutShare as number);
      if (style === 'coarse') {
        // misregistration: the whole layer shifted by up to 2.5 cells
        const dx = lr.int(-2, 2), dy = lr.int(-2, 2);
        params.offsetM = Math.round(Math.hypot(dx, dy) * R.s);
        const shifted = new Int32Array(lab.length).fill(-1);
        for (let j = 0; j < R.ny; j++) {
          for (let i = 0; i < R.nx; i++) {
            const a = i - dx, b = j - dy;
            if (a >= 0 && b >= 0 && a < R.nx && b < R.ny && R.inside[j * R.nx + i]) shifted[j * R.nx + i] = lab[b * R.nx + a];
          }
        }
        lab = shifted;
      }
    }
    const features = layerFeatures(R, lr, lab, name, department, params.overlapShare as number, prefix);
    layers.push({ name, department, style, params, features });
  }
  return { cellM: +R.s.toFixed(2), layers };
}
