/**
 * One recipe per synthetic world kind: the drawn parameters of its street pattern, land use and density, and
 * the size of the town that follows from the household total (area = households / expected density).
 *
 * - grid-city: lattice, mean block size 60-250 m (gaps log-normal, clamped to 40-400 m), arterial every 4-9
 *   lines, tertiary every 2-4, node jitter 2-10%, 3-20% of minor segments missing, 5-30% degraded to
 *   service/path, spurs in 5-35% of blocks; block types tower / walk-up / villa / address / mixed mixed by
 *   drawn weights; 3-18% empty blocks; mild warp; a river (35%), a railway (25%), a motorway (15%).
 * - organic: Voronoi blocks of 70-260 m, curved (bulge 3-10%, warp slope 0.06-0.22), 0-2 boulevards,
 *   3-15% missing, arterials by shortest paths; river 45%.
 * - village: rural lattice of 500-1,500 m, 25-50% missing, bulged roads, hamlets at 50-400 households per
 *   km², always a river (a second one 20%).
 * - old-town: lanes 15-60 m apart (mean 18-45 m), mostly paths, address points of 1-8 households at
 *   12,000-32,000 per km², canal 30%.
 * - mixed: a core (radius 30-55% of the town, blocks 40-150 m), a suburban ring (100-300 m blocks), fields
 *   around (rural roads 350-900 m apart, hamlets).
 */
import type { Rng } from '../rng.ts';
import { drawMix, logUniform } from './geometry.ts';
import { BLOCK_TYPES, DENSITY_RANGE, type BlockType } from './households.ts';
import { buildLattice, type LatticeSpec } from './street-lattice.ts';
import { drawGap, lineKinds, linePositions, type Hierarchy, type SpecialLines } from './street-lines.ts';
import { buildVoronoi } from './street-voronoi.ts';
import type { Rect, StreetKind, StreetPlan, WorldKind, Zone } from './world-types.ts';

export interface Recipe {
  a: number;
  b: number;
  margin: number;
  slope: [number, number];
  zoneMixes: Partial<Record<Zone, Record<string, number>>>;
  densities: Record<Exclude<BlockType, 'empty'>, number>;
  /** households per km² of field land (hamlets) */
  fieldDensity: number;
  pEmpty: number;
  /** size of the districts that share a dominant block type */
  district: number;
  /** multiplier of the street clearances */
  clearance: number;
  specials: SpecialLines;
  /** chance a street line gets a frame line 1-30 m beside it (a community outline may follow it) */
  follow: number;
  bigTowers: boolean;
  zoneAt: (x: number, y: number) => Zone;
  streets: (rng: Rng, domain: Rect, taken: Set<string>) => StreetPlan;
  params: Record<string, number | string | boolean>;
}

const LAND_SHARE = 0.78;
const r2 = (v: number) => Math.round(v * 100) / 100;

function drawDensities(rng: Rng): Recipe['densities'] {
  const d = {} as Recipe['densities'];
  for (const t of BLOCK_TYPES) d[t as Exclude<BlockType, 'empty'>] = Math.round(rng.range(...DENSITY_RANGE[t as Exclude<BlockType, 'empty'>]));
  return d;
}

/** Expected households per m² of a zone mix. */
function zoneDensity(mix: Record<string, number>, dens: Recipe['densities'], pEmpty: number): number {
  let s = 0;
  for (const [t, w] of Object.entries(mix)) s += w * (dens[t as Exclude<BlockType, 'empty'>] ?? 0);
  return (s * (1 - pEmpty) * LAND_SHARE) / 1e6;
}

/** Half sizes of a town of `area` m² with a drawn aspect ratio. */
function halfSizes(rng: Rng, area: number): [number, number] {
  const aspect = rng.range(0.6, 1.7);
  return [Math.max(60, Math.sqrt(area * aspect) / 2), Math.max(60, Math.sqrt(area / aspect) / 2)];
}

const MINOR_CITY: ReadonlyArray<readonly [StreetKind, number]> = [['residential', 0.7], ['service', 0.2], ['path', 0.1]];

function latticeLines(rng: Rng, lo: number, hi: number, mean: (p: number) => number, sigma: number, min: number, max: number): number[] {
  return linePositions(lo, hi, (p) => drawGap(rng, mean(p), sigma, min, max));
}

function gridCity(rng: Rng, H: number): Recipe {
  const S = logUniform(rng, 60, 250), Sy = Math.min(400, Math.max(40, S * rng.range(0.7, 1.4))), sigma = rng.range(0.15, 0.45);
  const mix = drawMix(rng, ['tower', 'walkup', 'villa', 'address', 'mixed'], 0.05);
  const dens = drawDensities(rng), pEmpty = rng.range(0.03, 0.18);
  const [a, b] = halfSizes(rng, H / zoneDensity(mix, dens, pEmpty));
  const h: Hierarchy = { arterialEvery: rng.int(4, 9), tertiaryEvery: rng.int(2, 4), minor: MINOR_CITY };
  const spec = { jitter: rng.range(0.02, 0.1), bulge: rng.chance(0.3) ? rng.range(0, 0.03) : 0, degrade: rng.range(0.05, 0.3), missing: rng.range(0.03, 0.2), spur: rng.range(0.05, 0.35), gap: rng.range(0.02, 0.15) };
  return {
    a, b, margin: Math.max(1.5 * S, 100), slope: [0, 0.05], zoneMixes: { core: mix }, densities: dens, fieldDensity: 0, pEmpty,
    district: rng.range(250, 700), clearance: 1, follow: rng.range(0.15, 0.5), bigTowers: true,
    specials: { rivers: rng.chance(0.35) ? 1 : 0, rail: rng.chance(0.25), motorway: rng.chance(0.15) },
    zoneAt: () => 'core',
    streets: (r, d, taken) => {
      const xs = latticeLines(r, d.x0, d.x1, () => S, sigma, 40, 400), ys = latticeLines(r, d.y0, d.y1, () => Sy, sigma, 40, 400);
      const full: LatticeSpec = { ...spec, xs, ys, kindX: lineKinds(r, xs.length, h), kindY: lineKinds(r, ys.length, h), zoneAt: () => 'core' };
      return buildLattice(r, full, taken);
    },
    params: { blockX: Math.round(S), blockY: Math.round(Sy), gapSigma: r2(sigma), ...roundAll(spec), arterialEvery: h.arterialEvery, tertiaryEvery: h.tertiaryEvery },
  };
}

function roundAll(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
}

function organic(rng: Rng, H: number): Recipe {
  const S = logUniform(rng, 70, 260);
  const mix = drawMix(rng, ['tower', 'walkup', 'villa', 'address', 'mixed'], 0.05);
  const dens = drawDensities(rng), pEmpty = rng.range(0.03, 0.15);
  const [a, b] = halfSizes(rng, H / zoneDensity(mix, dens, pEmpty));
  const minorMix = drawMix(rng, ['residential', 'service', 'path'], 0.3);
  const spec = { jitter: rng.range(0.25, 0.4), bulge: rng.range(0.03, 0.1), missing: rng.range(0.03, 0.15), spur: rng.range(0.05, 0.3), gap: rng.range(0.02, 0.12) };
  const boulevards = rng.int(0, 2);
  return {
    a, b, margin: Math.max(1.5 * S, 100), slope: [0.06, 0.22], zoneMixes: { core: mix }, densities: dens, fieldDensity: 0, pEmpty,
    district: rng.range(250, 700), clearance: 1, follow: rng.range(0.3, 0.8), bigTowers: true,
    specials: { rivers: rng.chance(0.45) ? 1 : 0, rail: rng.chance(0.2), motorway: rng.chance(0.1) },
    zoneAt: () => 'core',
    streets: (r, d, taken) => buildVoronoi(r, {
      ...spec, domain: d, spacing: S, boulevards, zoneAt: () => 'core',
      minor: Object.entries(minorMix).map(([k, w]) => [k as StreetKind, w] as const),
    }, taken),
    params: { blockSize: Math.round(S), boulevards, ...roundAll(spec) },
  };
}

function village(rng: Rng, H: number): Recipe {
  const S = logUniform(rng, 500, 1500), sigma = rng.range(0.2, 0.4), fieldDensity = logUniform(rng, 50, 400);
  const [a, b] = halfSizes(rng, (H / fieldDensity) * 1e6);
  const h: Hierarchy = { arterialEvery: rng.int(4, 8), tertiaryEvery: rng.int(2, 3), minor: [['residential', 0.35], ['service', 0.3], ['path', 0.35]] };
  const spec = { jitter: rng.range(0.05, 0.15), bulge: rng.range(0.03, 0.09), degrade: 0.2, missing: rng.range(0.25, 0.5), spur: 0, gap: rng.range(0, 0.1) };
  return {
    a, b, margin: Math.max(0.4 * S, 200), slope: [0.03, 0.12], zoneMixes: {}, densities: drawDensities(rng), fieldDensity, pEmpty: 0,
    district: 1000, clearance: 1, follow: rng.range(0.1, 0.4), bigTowers: false,
    specials: { rivers: rng.chance(0.2) ? 2 : 1, rail: rng.chance(0.15), motorway: rng.chance(0.2) },
    zoneAt: () => 'field',
    streets: (r, d, taken) => {
      const xs = latticeLines(r, d.x0, d.x1, () => S, sigma, 250, 3000), ys = latticeLines(r, d.y0, d.y1, () => S, sigma, 250, 3000);
      return buildLattice(r, { ...spec, xs, ys, kindX: lineKinds(r, xs.length, h), kindY: lineKinds(r, ys.length, h), zoneAt: () => 'field' }, taken);
    },
    params: { roadSpacing: Math.round(S), fieldDensity: Math.round(fieldDensity), ...roundAll(spec) },
  };
}

function oldTown(rng: Rng, H: number): Recipe {
  const S = rng.range(18, 45), sigma = rng.range(0.15, 0.35);
  const rest = drawMix(rng, ['walkup', 'mixed', 'address'], 0.2), oldShare = rng.range(0.6, 0.95);
  const mix: Record<string, number> = { old: r2(oldShare) };
  for (const [k, w] of Object.entries(rest)) mix[k] = Math.round(w * (1 - oldShare) * 1e4) / 1e4;
  const dens = drawDensities(rng), pEmpty = rng.range(0.02, 0.1);
  const [a, b] = halfSizes(rng, H / zoneDensity(mix, dens, pEmpty));
  const h: Hierarchy = { arterialEvery: rng.int(8, 20), tertiaryEvery: rng.int(4, 8), minor: [['path', 0.55], ['service', 0.25], ['residential', 0.2]] };
  const spec = { jitter: rng.range(0.03, 0.12), bulge: rng.range(0, 0.06), degrade: rng.range(0.05, 0.2), missing: rng.range(0.05, 0.2), spur: rng.range(0.03, 0.15), gap: rng.range(0.02, 0.12) };
  return {
    a, b, margin: 80, slope: [0.01, 0.08], zoneMixes: { core: mix }, densities: dens, fieldDensity: 0, pEmpty,
    district: rng.range(120, 400), clearance: 0.55, follow: rng.range(0.05, 0.2), bigTowers: false,
    specials: { rivers: rng.chance(0.3) ? 1 : 0, rail: false, motorway: false },
    zoneAt: () => 'core',
    streets: (r, d, taken) => {
      const xs = latticeLines(r, d.x0, d.x1, () => S, sigma, 15, 60), ys = latticeLines(r, d.y0, d.y1, () => S, sigma, 15, 60);
      return buildLattice(r, { ...spec, xs, ys, kindX: lineKinds(r, xs.length, h), kindY: lineKinds(r, ys.length, h), zoneAt: () => 'core' }, taken);
    },
    params: { laneSpacing: r2(S), gapSigma: r2(sigma), oldShare: r2(oldShare), ...roundAll(spec) },
  };
}

/** Pick rural lines about `spacing` apart among `lines`. */
function ruralLines(rng: Rng, lines: number[], spacing: number): boolean[] {
  let last = -Infinity, want = spacing * rng.range(0.7, 1.3);
  return lines.map((p) => {
    if (p - last < want) return false;
    last = p;
    want = spacing * rng.range(0.7, 1.3);
    return true;
  });
}

function mixed(rng: Rng, H: number): Recipe {
  const Sc = logUniform(rng, 40, 150), Ss = logUniform(rng, 100, 300), Sf = logUniform(rng, 350, 900), sigma = rng.range(0.15, 0.35);
  const rc = rng.range(0.3, 0.55), rs = Math.min(0.95, rc + rng.range(0.2, 0.35));
  const core = drawMix(rng, ['tower', 'walkup', 'old', 'address', 'mixed'], 0.05), suburb = drawMix(rng, ['walkup', 'villa', 'address', 'mixed'], 0.1);
  const dens = drawDensities(rng), pEmpty = rng.range(0.03, 0.15), fieldDensity = logUniform(rng, 50, 400);
  const fc = (Math.PI * rc * rc) / 4, fs = (Math.PI * (rs * rs - rc * rc)) / 4, ff = Math.max(0.05, 1 - fc - fs);
  const rho = fc * zoneDensity(core, dens, pEmpty) + fs * zoneDensity(suburb, dens, pEmpty) + (ff * fieldDensity) / 1e6;
  const [a, b] = halfSizes(rng, H / rho);
  const wob = rng.range(0, 0.15), ph = rng.range(0, 2 * Math.PI);
  const zoneAt = (x: number, y: number): Zone => {
    const rho2 = Math.hypot(x / a, y / b) / (1 + wob * Math.sin(3 * Math.atan2(y / b, x / a) + ph));
    return rho2 < rc ? 'core' : rho2 < rs ? 'suburb' : 'field';
  };
  const h: Hierarchy = { arterialEvery: rng.int(4, 9), tertiaryEvery: rng.int(2, 4), minor: MINOR_CITY };
  const spec = { jitter: rng.range(0.02, 0.1), bulge: rng.range(0, 0.04), degrade: rng.range(0.05, 0.3), missing: rng.range(0.03, 0.15), spur: rng.range(0.05, 0.3), gap: rng.range(0.02, 0.12) };
  const meanAt = (half: number) => (p: number) => (Math.abs(p) / half < rc ? Sc : Math.abs(p) / half < rs ? Ss : Sf);
  return {
    a, b, margin: Math.max(0.5 * Sf, 150), slope: [0.02, 0.1], zoneMixes: { core, suburb }, densities: dens, fieldDensity, pEmpty,
    district: rng.range(250, 700), clearance: 1, follow: rng.range(0.15, 0.5), bigTowers: true,
    specials: { rivers: rng.chance(0.5) ? 1 : 0, rail: rng.chance(0.3), motorway: rng.chance(0.25) },
    zoneAt,
    streets: (r, d, taken) => {
      const xs = latticeLines(r, d.x0, d.x1, meanAt(a), sigma, 35, 1500), ys = latticeLines(r, d.y0, d.y1, meanAt(b), sigma, 35, 1500);
      const ruralKind = (q: Rng) => q.weighted([['tertiary', 0.3], ['residential', 0.3], ['service', 0.2], ['path', 0.2]] as const);
      return buildLattice(r, {
        ...spec, xs, ys, kindX: lineKinds(r, xs.length, h), kindY: lineKinds(r, ys.length, h), zoneAt,
        ruralX: ruralLines(r, xs, Sf), ruralY: ruralLines(r, ys, Sf), ruralKind,
      }, taken);
    },
    params: { coreBlock: Math.round(Sc), suburbBlock: Math.round(Ss), ruralSpacing: Math.round(Sf), coreRadius: r2(rc), suburbRadius: r2(rs), fieldDensity: Math.round(fieldDensity), ...roundAll(spec) },
  };
}

/** The recipe of a synthetic kind for a town of `households` households. */
export function drawRecipe(kind: WorldKind, rng: Rng, households: number): Recipe {
  switch (kind) {
    case 'grid-city': return gridCity(rng, households);
    case 'organic': return organic(rng, households);
    case 'village': return village(rng, households);
    case 'old-town': return oldTown(rng, households);
    case 'mixed': return mixed(rng, households);
    default: throw new Error(`no synthetic recipe for world kind ${kind}`);
  }
}
