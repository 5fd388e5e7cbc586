/**
 * Street-line helpers shared by the street patterns: lattice line positions from a drawn spacing, a street
 * hierarchy per line, names, bulged (curved) edges, meandering rivers / rails / motorways that cross the whole
 * town, and the clearance (half width plus setback) households keep from each kind of line.
 */
import { placeName, STREET_SUFFIX } from '../names.ts';
import type { Rng } from '../rng.ts';
import type { DStreet, StreetKind } from './world-types.ts';

/** Half width plus setback, metres, of each line kind (scaled per world). */
export const CLEARANCE: Record<StreetKind, number> = {
  motorway: 24, primary: 14, secondary: 11, tertiary: 8, residential: 5, service: 3.5, path: 2, river: 16, rail: 14,
};

export const MAJOR: ReadonlySet<StreetKind> = new Set(['motorway', 'primary', 'secondary', 'river', 'rail']);

/**
 * Line positions from lo to hi (both included): gaps drawn by `gapAt(position)` (already randomised by the
 * caller), the last gap stretched or merged so the lines end exactly on hi.
 */
export function linePositions(lo: number, hi: number, gapAt: (p: number) => number): number[] {
  const out = [lo];
  for (;;) {
    const last = out[out.length - 1];
    const g = gapAt(last);
    if (last + g >= hi - 0.4 * g) break;
    out.push(last + g);
  }
  out.push(hi);
  return out;
}

/** Draw a gap around `mean` (log-normal, σ in log units), clamped to [min, max]. */
export function drawGap(rng: Rng, mean: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, mean * Math.exp(sigma * rng.normal())));
}

export interface Hierarchy {
  /** every n-th line an arterial (primary or secondary), drawn per world */
  arterialEvery: number;
  tertiaryEvery: number;
  /** weights of the kind of an ordinary line */
  minor: ReadonlyArray<readonly [StreetKind, number]>;
}

/** A kind for each of `n` lines following the hierarchy (random phase). */
export function lineKinds(rng: Rng, n: number, h: Hierarchy): StreetKind[] {
  const pa = rng.int(0, h.arterialEvery - 1), pt = rng.int(0, h.tertiaryEvery - 1);
  return Array.from({ length: n }, (_, i) => {
    if ((i - pa) % h.arterialEvery === 0) return rng.chance(0.45) ? 'primary' : 'secondary';
    if ((i - pt) % h.tertiaryEvery === 0) return 'tertiary';
    return rng.weighted(h.minor);
  });
}

/** A street name for a kind (undefined for most service roads and paths). */
export function streetName(rng: Rng, kind: StreetKind, taken: Set<string>): string | undefined {
  if ((kind === 'service' || kind === 'path') && !rng.chance(0.15)) return undefined;
  if (kind === 'residential' && rng.chance(0.4)) return undefined;
  return placeName(rng, taken) + rng.pick(STREET_SUFFIX[kind] ?? ['路']);
}

/**
 * The polyline of an edge from a to b with an exact middle vertex: 2 pieces when straight, otherwise an
 * even number of pieces bulged sideways by `amp` (metres, signed) along a half sine.
 */
export function edgePolyline(ax: number, ay: number, bx: number, by: number, amp: number): number[] {
  const len = Math.hypot(bx - ax, by - ay);
  if (amp === 0 || len < 30) return [ax, ay, (ax + bx) / 2, (ay + by) / 2, bx, by];
  const n = 2 * Math.max(1, Math.ceil(len / 40));
  const nx = -(by - ay) / len, ny = (bx - ax) / len;
  const out: number[] = [];
  for (let k = 0; k <= n; k++) {
    const t = k / n, o = amp * Math.sin(Math.PI * t);
    out.push(k === 0 ? ax : k === n ? bx : ax + t * (bx - ax) + o * nx, k === 0 ? ay : k === n ? by : ay + t * (by - ay) + o * ny);
  }
  return out;
}

/**
 * A line crossing the whole design domain [-A, A] × [-B, B] from one side to the other (west-east when
 * `horizontal`), meandering with `amp` metres over `waves` half-periods, one vertex every `step` metres.
 */
export function crossingLine(rng: Rng, A: number, B: number, horizontal: boolean, amp: number, waves: number, step: number): number[] {
  const [L, W] = horizontal ? [A, B] : [B, A];
  const y0 = rng.range(-0.6, 0.6) * W, y1 = rng.range(-0.6, 0.6) * W;
  const harm = Array.from({ length: 3 }, (_, m) => ({ f: (waves * (m + 1)) / 2, a: (amp * rng.range(0.3, 1)) / (m + 1), ph: rng.range(0, 2 * Math.PI) }));
  const n = Math.max(2, Math.ceil((2 * L) / step));
  const pts: number[] = [];
  for (let k = 0; k <= n; k++) {
    const t = k / n;
    let y = y0 + (y1 - y0) * t;
    for (const h of harm) y += h.a * Math.sin(2 * Math.PI * h.f * t + h.ph);
    y = Math.max(-0.92 * W, Math.min(0.92 * W, y));
    const x = -L + 2 * L * t;
    if (horizontal) pts.push(x, y);
    else pts.push(y, x);
  }
  return pts;
}

export interface SpecialLines {
  rivers: number;
  rail: boolean;
  motorway: boolean;
}

/** Rivers, a railway and a motorway crossing the domain, as drawn for the world. */
export function specialLines(rng: Rng, A: number, B: number, s: SpecialLines, taken: Set<string>): DStreet[] {
  const out: DStreet[] = [];
  const step = Math.min(60, Math.max(10, Math.max(A, B) / 150));
  for (let r = 0; r < s.rivers; r++) {
    const pts = crossingLine(rng, A, B, rng.chance(0.5), rng.range(0.04, 0.18) * Math.min(A, B), rng.range(1, 4), step);
    out.push({ kind: 'river', name: `${placeName(rng, taken)}河`, pts });
  }
  if (s.rail) out.push({ kind: 'rail', name: `${placeName(rng, taken)}铁路`, pts: crossingLine(rng, A, B, rng.chance(0.5), 0.03 * Math.min(A, B), 1, step) });
  if (s.motorway) out.push({ kind: 'motorway', name: `${placeName(rng, taken)}高速`, pts: crossingLine(rng, A, B, rng.chance(0.5), 0.05 * Math.min(A, B), 1, step) });
  return out;
}

/** Move the end of a polyline (`atStart` or the last vertex) back along it by `d` metres. */
export function shortenEnd(pts: number[], atStart: boolean, d: number): boolean {
  const n = pts.length;
  const [i, j] = atStart ? [0, 2] : [n - 2, n - 4];
  const dx = pts[j] - pts[i], dy = pts[j + 1] - pts[i + 1];
  const len = Math.hypot(dx, dy);
  if (len < d + 1) return false;
  pts[i] += (dx / len) * d;
  pts[i + 1] += (dy / len) * d;
  return true;
}
