/**
 * Options of repair, with their defaults (metres and square metres in the jurisdiction's UTM zone).
 */
import { WanggeError } from '../errors.ts';

export interface RepairOptions {
  /** a gap or overlap narrower than this (mean width 2·area/perimeter) is a sliver (default 1 m, as validate) */
  sliverWidthM?: number;
  /** a gap at least this large (default 10,000 m²) ... */
  newGridMinAreaM2?: number;
  /** ... and holding at least this many households (default 1) becomes a grid of its own */
  newGridMinHouseholds?: number;
  /** a detached part of a grid smaller than this share of the grid goes to the neighbour with the longest shared border (default 0.1) */
  fragmentShare?: number;
}

export const REPAIR_DEFAULTS: Readonly<Required<RepairOptions>> = Object.freeze({
  sliverWidthM: 1,
  newGridMinAreaM2: 10_000,
  newGridMinHouseholds: 1,
  fragmentShare: 0.1,
});

/**
 * Options merged over the defaults and checked: a bad value throws WanggeError('bad_request') naming it.
 *
 * @example resolveRepairOptions({ newGridMinAreaM2: 5000 }).sliverWidthM // 1
 */
export function resolveRepairOptions(o: RepairOptions = {}): Required<RepairOptions> {
  const r = { ...REPAIR_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Required<RepairOptions>;
  for (const k of Object.keys(REPAIR_DEFAULTS) as Array<keyof RepairOptions>) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new WanggeError('bad_request', `${k} must be a non-negative number, got ${JSON.stringify(v)}`, { parameter: k });
  }
  return r;
}
