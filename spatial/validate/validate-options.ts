/**
 * Tolerances and bounds of validation, with their defaults. Lengths and widths are metres and areas square
 * metres, measured in the jurisdiction's UTM zone (spatial/geo/utm.ts).
 */
import { WanggeError } from '../errors.ts';

export interface ValidateOptions {
  /** fewest households per grid (default 400) */
  min?: number;
  /** most households per grid (default 600) */
  max?: number;
  /** a boundary stretch farther than this from every street line is off the streets (default 3 m, as the scorer) */
  streetTolM?: number;
  /** off-street stretches shorter than this are not reported (default 2 m) */
  minOffStreetM?: number;
  /** a gap or overlap narrower than this (mean width 2·area/perimeter) is a sliver (default 1 m) */
  sliverWidthM?: number;
  /**
   * numerical noise (default 0.01 m): gap, overlap and spill parts narrower than this (mean width), differences
   * this close to the jurisdiction outline, and edges that follow another grid's boundary this closely but
   * with other vertices (T-junctions), are not reported
   */
  noiseM?: number;
  /** gap, overlap and spill parts smaller than this are ignored (default 0.0001 m², i.e. 1 cm²) */
  minAreaM2?: number;
  /** a grid with more than this share of its area outside its main community crosses a community line (default 0.01) */
  nestTol?: number;
  /** a grid holding more than this share of a unit's area holds a piece of it (default 0.01) */
  unitTol?: number;
  /** force the coverage check: 'native' (ST_CoverageInvalidEdges) or 'portable' (edge matching); default: native where the engine has it */
  coveragePath?: 'native' | 'portable';
}

export type ResolvedValidateOptions = Required<Omit<ValidateOptions, 'coveragePath'>> & { coveragePath?: 'native' | 'portable' };

export const VALIDATE_DEFAULTS: Readonly<Required<Omit<ValidateOptions, 'coveragePath'>>> = Object.freeze({
  min: 400,
  max: 600,
  streetTolM: 3,
  minOffStreetM: 2,
  sliverWidthM: 1,
  noiseM: 0.01,
  minAreaM2: 0.0001,
  nestTol: 0.01,
  unitTol: 0.01,
});

/**
 * Options merged over the defaults and checked: a bad value throws WanggeError('bad_request') naming it.
 *
 * @example resolveValidateOptions({ max: 650 }).streetTolM // 3
 */
export function resolveValidateOptions(o: ValidateOptions = {}): ResolvedValidateOptions {
  const r: ResolvedValidateOptions = { ...VALIDATE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  for (const k of Object.keys(VALIDATE_DEFAULTS) as Array<keyof typeof VALIDATE_DEFAULTS>) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new WanggeError('bad_request', `${k} must be a non-negative number, got ${JSON.stringify(v)}`, { parameter: k });
  }
  if (!Number.isInteger(r.min) || !Number.isInteger(r.max) || r.min > r.max) {
    throw new WanggeError('bad_request', `bounds must be integers with min ≤ max, got ${r.min}–${r.max}`, { parameter: 'min' });
  }
  if (r.coveragePath !== undefined && r.coveragePath !== 'native' && r.coveragePath !== 'portable') {
    throw new WanggeError('bad_request', `coveragePath must be 'native' or 'portable', got ${JSON.stringify(r.coveragePath)}`, { parameter: 'coveragePath' });
  }
  return r;
}
