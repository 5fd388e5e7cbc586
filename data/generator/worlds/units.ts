/**
 * Units (units.geojson): schools, hospitals, enterprises and gated compounds as rectangles on the design plane
 * (densified when written, so they bend with the frame). Drawn per world: about one unit per 2,000-9,000
 * households; kind mix school 30% / enterprise 25% / compound 35% / hospital 10%; schools and hospitals hold
 * no households, enterprises 45% of the time a dormitory (20-300 households per point); compounds hold
 * 150-2,500 households (log-uniform, so about half exceed 600; never dedicated); schools are dedicated with
 * probability 0.6, hospitals 0.7, enterprises 0.5. About 15% of units are placed across a minor street (the
 * polygon crosses the street line). Units never overlap, keep 5 m inside the outline and (unless straddling)
 * clear of every street; where no block is big enough (old towns) a unit spans up to six minor lanes instead.
 */
import { UNIT_KINDS, placeName } from '../names.ts';
import type { Rng } from '../rng.ts';
import { RectIndex, type SegIndex, logUniform } from './geometry.ts';
import { MAJOR } from './street-lines.ts';
import { PointBuf, drawHouseholds, type PointKind } from './households.ts';
import type { Rect, StreetKind, UnitKind } from './world-types.ts';

export interface UnitPlan {
  rect: Rect;
  kind: UnitKind;
  dedicated: boolean;
  /** households meant to live inside (0 for schools) */
  target: number;
  straddles: boolean;
  name: string;
}

const SIZE: Record<UnitKind, [number, number]> = { school: [70, 250], enterprise: [50, 380], compound: [70, 380], hospital: [60, 200] };

/** A rectangle of about w × h centred on (cx, cy), shrunk until it meets no street (or gives up). */
function fitRect(index: SegIndex, inner: Rect, taken: RectIndex, cx: number, cy: number, w: number, h: number): Rect | null {
  for (let s = 1; s > 0.15; s *= 0.8) {
    const r = { x0: cx - (w * s) / 2, y0: cy - (h * s) / 2, x1: cx + (w * s) / 2, y1: cy + (h * s) / 2 };
    if (r.x1 - r.x0 < 20 || r.y1 - r.y0 < 20) return null;
    if (r.x0 < inner.x0 + 3 || r.y0 < inner.y0 + 3 || r.x1 > inner.x1 - 3 || r.y1 > inner.y1 - 3) continue;
    if (taken.overlaps(r, 5)) continue;
    if (index.hitting(r).length === 0) return r;
  }
  return null;
}

/** A rectangle centred on a minor street segment, crossed only by minor streets of at most `maxLines` lines. */
function straddleRect(rng: Rng, index: SegIndex, kinds: StreetKind[], inner: Rect, taken: RectIndex, w: number, h: number, maxLines = 2): Rect | null {
  const n = index.ax.length;
  if (n === 0) return null;
  for (let t = 0; t < 20; t++) {
    const k = rng.int(0, n - 1);
    const kind = kinds[index.line[k]];
    if (MAJOR.has(kind) || Math.hypot(index.bx[k] - index.ax[k], index.by[k] - index.ay[k]) < 8) continue;
    const cx = (index.ax[k] + index.bx[k]) / 2, cy = (index.ay[k] + index.by[k]) / 2;
    const r = { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
    if (r.x0 < inner.x0 + 3 || r.y0 < inner.y0 + 3 || r.x1 > inner.x1 - 3 || r.y1 > inner.y1 - 3 || taken.overlaps(r, 5)) continue;
    const hit = index.hitting({ x0: r.x0 + 1, y0: r.y0 + 1, x1: r.x1 - 1, y1: r.y1 - 1 });
    const lines = new Set(hit.map((s) => index.line[s]));
    if (lines.size <= maxLines && [...lines].every((l) => !MAJOR.has(kinds[l]))) return r;
  }
  return null;
}

function drawUnit(rng: Rng, budget: number): { kind: UnitKind; dedicated: boolean; target: number } {
  let kind = rng.weighted([['school', 0.3], ['enterprise', 0.25], ['compound', 0.35], ['hospital', 0.1]] as const);
  let target = 0;
  if (kind === 'compound') {
    target = Math.round(logUniform(rng, 150, 2500));
    if (target > budget) {
      kind = 'enterprise';
      target = 0;
    }
  } else if ((kind === 'enterprise' && rng.chance(0.45)) || (kind === 'hospital' && rng.chance(0.2))) {
    target = Math.min(budget, Math.round(logUniform(rng, 20, 450)));
  }
  const dedicated = kind === 'compound' ? false : rng.chance(kind === 'school' ? 0.6 : kind === 'hospital' ? 0.7 : 0.5);
  return { kind, dedicated, target };
}

/**
 * Plan the units of a world of `households` households: rectangles around spots drawn by `spot` (inside
 * blocks), and the households they hold (at most 35% of the world's). `lineKinds` gives the kind of each
 * line number filed in the street index.
 */
export function planUnits(rng: Rng, households: number, index: SegIndex, lineKinds: StreetKind[], inner: Rect, spot: () => [number, number]): { units: UnitPlan[]; rects: RectIndex } {
  const rects = new RectIndex(200);
  const units: UnitPlan[] = [];
  const count = Math.min(3000, Math.round(households / rng.range(2000, 9000)) + rng.int(0, 2));
  let budget = Math.floor(households * 0.35);
  const names = new Set<string>();
  for (let u = 0; u < count; u++) {
    const d = drawUnit(rng, budget);
    const [lo, hi] = SIZE[d.kind];
    const w = rng.range(lo, hi), h = w * rng.range(0.5, 1.5);
    const straddles = rng.chance(0.15);
    let rect: Rect | null = null;
    if (straddles) rect = straddleRect(rng, index, lineKinds, inner, rects, w, h);
    for (let t = 0; t < 25 && !rect; t++) {
      const [cx, cy] = spot();
      rect = fitRect(index, inner, rects, cx, cy, w, h);
    }
    // where blocks are too small for it (old towns), a unit spans a lane or two
    for (let k = 0.8; !rect && k > 0.2; k *= 0.7) rect = straddleRect(rng, index, lineKinds, inner, rects, Math.max(20, w * k), Math.max(20, h * k), 6);
    if (!rect) continue;
    rects.add(rect);
    budget -= d.target;
    const suffix = rng.pick(UNIT_KINDS[d.kind]);
    units.push({ rect, ...d, straddles: index.hitting(rect).length > 0, name: placeName(rng, names) + suffix });
  }
  return { units, rects };
}

/** Put each unit's households inside its rectangle (3 m inset, clear of streets); returns what did not fit. */
export function fillUnits(rng: Rng, units: UnitPlan[], index: SegIndex, pts: PointBuf): number {
  let left = 0;
  for (const u of units) {
    let rest = u.target;
    const kind: PointKind = u.kind !== 'compound' ? 'dorm' : u.target >= 500 ? 'tower' : 'walkup';
    const r = u.rect;
    for (let fails = 0; rest > 0 && fails < 40; ) {
      const x = rng.range(r.x0 + 3, r.x1 - 3), y = rng.range(r.y0 + 3, r.y1 - 3);
      if (index.blocked(x, y)) {
        fails++;
        continue;
      }
      const hh = Math.min(rest, drawHouseholds(rng, kind));
      pts.push(x, y, hh);
      rest -= hh;
    }
    left += rest;
  }
  return left;
}
