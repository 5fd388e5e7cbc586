/**
 * A perturbed street lattice (grid-city, old-town, mixed, village): column and row lines at drawn positions,
 * every node jittered, edges optionally bulged into curves; segments left out (blocks merge), minor segments
 * degraded to service roads or paths, dead-end spurs into blocks, run ends stopping 0.5-3 m short of the
 * crossing street. Blocks are the lattice cells (convex quads of the jittered nodes).
 */
import type { Rng } from '../rng.ts';
import { MAJOR, edgePolyline, shortenEnd, streetName } from './street-lines.ts';
import type { DBlock, DStreet, StreetKind, StreetPlan, Zone } from './world-types.ts';

export interface LatticeSpec {
  /** line positions; the first and last are the domain edges and carry no street */
  xs: number[];
  ys: number[];
  kindX: StreetKind[];
  kindY: StreetKind[];
  /** node jitter σ as a share of the smaller neighbouring gap */
  jitter: number;
  /** bulge amplitude as a share of an edge's length (0 = straight edges) */
  bulge: number;
  /** chance a minor segment is degraded to service / path */
  degrade: number;
  /** chance a minor segment is left out */
  missing: number;
  /** chance a block receives a dead-end spur */
  spur: number;
  /** chance a run end at a T-junction stops short */
  gap: number;
  zoneAt: (x: number, y: number) => Zone;
  /** lines kept in the field zone (rural roads); others stop at the field edge */
  ruralX?: boolean[];
  ruralY?: boolean[];
  /** kind of a rural line's segments in the field zone */
  ruralKind?: (rng: Rng) => StreetKind;
}

interface Seg {
  present: boolean;
  kind: StreetKind;
  pts: number[];
}

class LatticeBuilder {
  readonly nx: number;
  readonly ny: number;
  readonly px: Float64Array;
  readonly py: Float64Array;
  /** vertical segments (i, j)-(i, j+1) at [j * nx + i]; horizontal (i, j)-(i+1, j) likewise */
  readonly vert: Seg[] = [];
  readonly horz: Seg[] = [];
  missing = 0;

  constructor(private readonly rng: Rng, private readonly spec: LatticeSpec) {
    this.nx = spec.xs.length;
    this.ny = spec.ys.length;
    this.px = new Float64Array(this.nx * this.ny);
    this.py = new Float64Array(this.nx * this.ny);
  }

  private gapAround(lines: number[], i: number): number {
    const a = i > 0 ? lines[i] - lines[i - 1] : Infinity, b = i + 1 < lines.length ? lines[i + 1] - lines[i] : Infinity;
    return Math.min(a, b);
  }

  jitterNodes(): void {
    const { xs, ys, jitter } = this.spec;
    for (let j = 0; j < this.ny; j++) {
      for (let i = 0; i < this.nx; i++) {
        // the smaller gap bounds both shifts, or a long edge crossing short ones would turn diagonal
        const g = Math.min(this.gapAround(xs, i), this.gapAround(ys, j));
        const edgeX = i === 0 || i === this.nx - 1, edgeY = j === 0 || j === this.ny - 1;
        const dx = edgeX ? 0 : Math.max(-0.25, Math.min(0.25, jitter * this.rng.normal())) * g;
        const dy = edgeY ? 0 : Math.max(-0.25, Math.min(0.25, jitter * this.rng.normal())) * g;
        this.px[j * this.nx + i] = xs[i] + dx;
        this.py[j * this.nx + i] = ys[j] + dy;
      }
    }
  }

  private segState(lineKind: StreetKind, onEdge: boolean, midX: number, midY: number, rural: boolean): { present: boolean; kind: StreetKind } {
    const { rng, spec } = this;
    if (onEdge) return { present: false, kind: lineKind };
    let kind = lineKind;
    if (spec.zoneAt(midX, midY) === 'field') {
      if (!rural) return { present: false, kind };
      if (!MAJOR.has(kind)) kind = spec.ruralKind ? spec.ruralKind(rng) : kind;
    }
    if (MAJOR.has(kind)) return { present: true, kind };
    if (rng.chance(spec.missing)) {
      this.missing++;
      return { present: false, kind };
    }
    if (rng.chance(spec.degrade)) kind = rng.chance(0.6) ? 'service' : 'path';
    return { present: true, kind };
  }

  private makeSeg(a: number, b: number, lineKind: StreetKind, onEdge: boolean, rural: boolean): Seg {
    const { px, py, rng, spec } = this;
    const st = this.segState(lineKind, onEdge, (px[a] + px[b]) / 2, (py[a] + py[b]) / 2, rural);
    const len = Math.hypot(px[b] - px[a], py[b] - py[a]);
    const amp = spec.bulge > 0 && !MAJOR.has(st.kind) ? spec.bulge * len * rng.range(-1, 1) : spec.bulge * len * rng.range(-0.3, 0.3);
    return { ...st, pts: edgePolyline(px[a], py[a], px[b], py[b], amp) };
  }

  buildSegments(): void {
    const { nx, ny, spec } = this;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const k = j * nx + i;
        this.vert.push(j + 1 < ny
          ? this.makeSeg(k, k + nx, spec.kindX[i], i === 0 || i === nx - 1, spec.ruralX?.[i] ?? true)
          : { present: false, kind: 'path', pts: [] });
        this.horz.push(i + 1 < nx
          ? this.makeSeg(k, k + 1, spec.kindY[j], j === 0 || j === ny - 1, spec.ruralY?.[j] ?? true)
          : { present: false, kind: 'path', pts: [] });
      }
    }
  }

  /** Is any segment of the crossing line present at node k? (then a run ending there is a T-junction) */
  crossedAt(k: number, vertical: boolean): boolean {
    const { nx } = this;
    if (vertical) return (this.horz[k]?.present ?? false) || (k % nx > 0 && this.horz[k - 1].present);
    return (this.vert[k]?.present ?? false) || (k >= nx && this.vert[k - nx].present);
  }
}

/** Turn the present segments of one line into runs of equal kind (the streets). */
function lineRuns(b: LatticeBuilder, segs: Seg[], nodes: number[], vertical: boolean, name: string | undefined, gap: number, rng: Rng, out: DStreet[]): number {
  let gaps = 0;
  let s = 0;
  while (s < segs.length) {
    if (!segs[s].present) {
      s++;
      continue;
    }
    let e = s;
    while (e + 1 < segs.length && segs[e + 1].present && segs[e + 1].kind === segs[s].kind) e++;
    const pts = [...segs[s].pts];
    for (let k = s + 1; k <= e; k++) pts.push(...segs[k].pts.slice(2));
    const startOpen = s === 0 || !segs[s - 1].present, endOpen = e === segs.length - 1 || !segs[e + 1].present;
    if (startOpen && s > 0 && b.crossedAt(nodes[s], vertical) && rng.chance(gap) && shortenEnd(pts, true, rng.range(0.5, 3))) gaps++;
    if (endOpen && e < segs.length - 1 && b.crossedAt(nodes[e + 1], vertical) && rng.chance(gap) && shortenEnd(pts, false, rng.range(0.5, 3))) gaps++;
    const kind = segs[s].kind;
    out.push({ kind, name: MAJOR.has(kind) || kind === 'tertiary' || kind === 'residential' ? name : undefined, pts });
    s = e + 1;
  }
  return gaps;
}

/** Dead-end spurs: from the middle vertex of a present block side toward (and past) the block centre. */
function spurs(b: LatticeBuilder, spec: LatticeSpec, rng: Rng, out: DStreet[]): number {
  let n = 0;
  const { nx, ny, px, py } = b;
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      if (!rng.chance(spec.spur)) continue;
      const k = j * nx + i;
      const cx = (px[k] + px[k + 1] + px[k + nx] + px[k + nx + 1]) / 4, cy = (py[k] + py[k + 1] + py[k + nx] + py[k + nx + 1]) / 4;
      if (spec.zoneAt(cx, cy) === 'field') continue;
      const sides = [b.horz[k], b.horz[k + nx], b.vert[k], b.vert[k + 1]].filter((s) => s.present && !MAJOR.has(s.kind) || (s.present && rng.chance(0.3)));
      if (sides.length === 0) continue;
      const side = rng.pick(sides);
      const m = (side.pts.length / 2 - 1) / 2;
      const sx = side.pts[2 * m], sy = side.pts[2 * m + 1];
      const f = rng.range(0.6, 1.4);
      out.push({ kind: rng.chance(0.6) ? 'service' : 'path', pts: [sx, sy, sx + (cx - sx) * f, sy + (cy - sy) * f], deadEnd: true });
      n++;
    }
  }
  return n;
}

/** Build streets and blocks of a lattice. */
export function buildLattice(rng: Rng, spec: LatticeSpec, taken: Set<string>): StreetPlan {
  const b = new LatticeBuilder(rng, spec);
  b.jitterNodes();
  b.buildSegments();
  const streets: DStreet[] = [];
  const { nx, ny } = b;
  const deadEnds = spurs(b, spec, rng, streets);
  let gaps = 0;
  for (let i = 1; i + 1 < nx; i++) {
    const segs = Array.from({ length: ny - 1 }, (_, j) => b.vert[j * nx + i]);
    const nodes = Array.from({ length: ny }, (_, j) => j * nx + i);
    gaps += lineRuns(b, segs, nodes, true, streetName(rng, spec.kindX[i], taken), spec.gap, rng, streets);
  }
  for (let j = 1; j + 1 < ny; j++) {
    const segs = Array.from({ length: nx - 1 }, (_, i) => b.horz[j * nx + i]);
    const nodes = Array.from({ length: nx }, (_, i) => j * nx + i);
    gaps += lineRuns(b, segs, nodes, false, streetName(rng, spec.kindY[j], taken), spec.gap, rng, streets);
  }
  const blocks: DBlock[] = [];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const k = j * nx + i;
      const ring = [b.px[k], b.py[k], b.px[k + 1], b.py[k + 1], b.px[k + nx + 1], b.py[k + nx + 1], b.px[k + nx], b.py[k + nx]];
      blocks.push({ ring, zone: spec.zoneAt((ring[0] + ring[2] + ring[4] + ring[6]) / 4, (ring[1] + ring[3] + ring[5] + ring[7]) / 4) });
    }
  }
  const followLines: [0 | 1, number][] = [
    ...spec.xs.slice(1, -1).map((x): [0 | 1, number] => [0, x]),
    ...spec.ys.slice(1, -1).map((y): [0 | 1, number] => [1, y]),
  ];
  return { streets, blocks, followLines, missingSegments: b.missing, deadEnds, gaps };
}
