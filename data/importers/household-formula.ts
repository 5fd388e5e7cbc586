/**
 * Estimated households of a residential building from its footprint, when the data carry no count:
 *
 *   households = max(1, round(footprint_m2 × levels × floorEfficiency / avgDwellingM2))
 *
 * levels = the building's own level count when known (OSM building:levels), else `houseLevels` for
 * house-type buildings (house, detached, semidetached_house, terrace, bungalow, farm, cabin) and
 * `defaultLevels` for everything else (apartments, residential, dormitory, yes). Every parameter can be
 * overridden per import (CLI: --floor-efficiency, --dwelling-m2, --default-levels, --house-levels).
 */
import { WanggeError } from '../errors.ts';

export interface HouseholdFormula {
  /** share of the gross floor area that is dwelling space (0 < x ≤ 1); default 0.8 */
  floorEfficiency: number;
  /** average gross dwelling size in m²; default 90 */
  avgDwellingM2: number;
  /** levels assumed for multi-storey residential buildings without a level count; default 6 */
  defaultLevels: number;
  /** levels assumed for house-type buildings without a level count; default 2 */
  houseLevels: number;
}

export const DEFAULT_HOUSEHOLD_FORMULA: Readonly<HouseholdFormula> = Object.freeze({
  floorEfficiency: 0.8,
  avgDwellingM2: 90,
  defaultLevels: 6,
  houseLevels: 2,
});

export const HOUSE_TYPES: ReadonlySet<string> = new Set(['house', 'detached', 'semidetached_house', 'terrace', 'bungalow', 'farm', 'cabin']);

/** The defaults with `overrides` applied, each checked (WanggeError bad_request naming the parameter). */
export function householdFormula(overrides: Partial<HouseholdFormula> = {}): HouseholdFormula {
  const f = { ...DEFAULT_HOUSEHOLD_FORMULA };
  for (const [k, v] of Object.entries(overrides) as [keyof HouseholdFormula, number | undefined][]) {
    if (v === undefined) continue;
    if (!(k in f)) throw new WanggeError('bad_request', `unknown household formula parameter ${k}`, { parameter: k });
    const ok = Number.isFinite(v) && v > 0 && (k !== 'floorEfficiency' || v <= 1) && (k === 'floorEfficiency' || k === 'avgDwellingM2' || v <= 200);
    if (!ok) throw new WanggeError('bad_request', `${k} must be a positive number${k === 'floorEfficiency' ? ' up to 1' : ''}, got ${v}`, { parameter: k });
    f[k] = v;
  }
  return f;
}

/** The level count used for a building: its own when given (> 0), else the formula's default for its type. */
export function levelsFor(buildingType: string, taggedLevels: number | null, f: HouseholdFormula): number {
  if (taggedLevels !== null && taggedLevels > 0) return taggedLevels;
  return HOUSE_TYPES.has(buildingType) ? f.houseLevels : f.defaultLevels;
}

/**
 * Estimated households for a footprint of `areaM2` square metres with `levels` levels.
 * @example estimateHouseholds(600, 6, DEFAULT_HOUSEHOLD_FORMULA) // 32 = round(600 × 6 × 0.8 / 90)
 */
export function estimateHouseholds(areaM2: number, levels: number, f: HouseholdFormula): number {
  return Math.max(1, Math.round((areaM2 * levels * f.floorEfficiency) / f.avgDwellingM2));
}

/** Parse an OSM-style level count ("6", "6.5", "5;7", " 12 ") into a number, or null. */
export function parseLevels(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /\d+(?:\.\d+)?/.exec(v);
  if (!m) return null;
  const n = Number(m[0]);
  return n > 0 && n < 200 ? n : null;
}
