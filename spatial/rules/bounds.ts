/**
 * The grid rules about size, in one place (GerryChain's `constraints` are the model): the household bounds
 * (规模适度, 400–600 by default), which totals admit grids all in range, how many grids a total should make,
 * the nesting tolerance and the smallest grid that is not a sliver. Partition, certificates, validation and
 * merge ask here instead of writing the comparison again.
 */

export interface HouseholdBounds { min: number; max: number }

export const DEFAULT_BOUNDS: Readonly<HouseholdBounds> = Object.freeze({ min: 400, max: 600 });

/** A grid of `h` households is within the bounds. */
export function inRange(h: number, b: HouseholdBounds): boolean {
  return h >= b.min && h <= b.max;
}

/** Households outside the bounds (0 within them). */
export function violation(h: number, b: HouseholdBounds): number {
  return h < b.min ? b.min - h : h > b.max ? h - b.max : 0;
}

/**
 * Whether H households admit some k ≥ 1 grids all in range (k·min ≤ H ≤ k·max). The 'arithmetic' certificate
 * of an out-of-range grid is that its community part's total does not.
 */
export function admissible(H: number, b: HouseholdBounds): boolean {
  if (H <= 0) return false;
  return Math.ceil(H / b.max) * b.min <= H;
}

/** The number of grids for H households: one up to max, else the admissible count nearest H / mid. */
export function gridCountFor(H: number, b: HouseholdBounds): number {
  if (H <= b.max) return 1;
  const lo = Math.ceil(H / b.max), hi = Math.floor(H / b.min);
  const ideal = Math.round(H / ((b.min + b.max) / 2));
  if (lo <= hi) return Math.min(hi, Math.max(lo, ideal));
  return lo; // no k puts every grid in range: more, smaller grids keep the most in range
}

/** Nesting: the share of a grid's area that may lie outside its community (the scorer's 1%). */
export const NESTING_TOLERANCE = 0.01;

/** A grid smaller than this (m²) is a sliver, allowed only where the land itself is that small. */
export const SLIVER_GRID_AREA = 1000;
