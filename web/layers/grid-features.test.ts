import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection } from 'geojson';
import { boundsOf, COMPLIANCE_RAMP, gridData, hexToRgba, MEASURE_RAMP, measureRange, pointsPerGrid, quantileRange, rampColour } from './grid-features.ts';

const S = 0.002;
// an L-shaped grid (its centroid falls outside it) and a square
const L: Feature = { type: 'Feature', properties: { code: 'L', households: 380 }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [3 * S, 0], [3 * S, S], [S, S], [S, 3 * S], [0, 3 * S], [0, 0]]] } };
const Q: Feature = { type: 'Feature', properties: { code: 'Q', households: 500 }, geometry: { type: 'Polygon', coordinates: [[[3 * S, 0], [4 * S, 0], [4 * S, S], [3 * S, S], [3 * S, 0]]] } };
const fc: FeatureCollection = { type: 'FeatureCollection', features: [L, Q] };

describe('grid features', () => {
  it('labels each grid inside itself with its households, flags the out of range, colours neighbours apart', () => {
    const d = gridData(fc, { min: 400, max: 600 });
    expect(d.map((g) => [g.code, g.label, g.outOfRange])).toEqual([['L', '380', true], ['Q', '500', false]]);
    expect(booleanPointInPolygon(d[0].anchor, L as Feature<never>)).toBe(true);
    expect(d[0].fill).not.toEqual(d[1].fill);
  });

  it('colours by a measure on a ramp from the lowest to the highest', () => {
    const d = gridData(fc, { colourBy: 'hazards', measures: { L: { hazards: 0 }, Q: { hazards: 7 } }, alpha: 10 });
    expect(d[0].fill).toEqual(hexToRgba(MEASURE_RAMP[0], 10));
    expect(d[1].fill).toEqual(hexToRgba(MEASURE_RAMP[MEASURE_RAMP.length - 1], 10));
    expect(rampColour(5, 5, 5)).toEqual(hexToRgba(MEASURE_RAMP[0], 200));
    expect(hexToRgba('#ff8000')).toEqual([255, 128, 0, 255]);
  });

  it('counts points per grid, skipping the rejected and the outside ones', () => {
    const pt = (x: number, y: number, status = 'open'): Feature => ({ type: 'Feature', properties: { status }, geometry: { type: 'Point', coordinates: [x, y] } });
    const pts: FeatureCollection = { type: 'FeatureCollection', features: [pt(S / 2, S / 2), pt(2 * S, 2 * S), pt(3.5 * S, S / 2), pt(S / 2, 2 * S, 'closed')] };
    expect(pointsPerGrid(fc, pts, (f) => f.properties!.status !== 'closed')).toEqual({ L: 1, Q: 1 });
    expect(boundsOf(fc)).toEqual([0, 0, 4 * S, 3 * S]);
  });

  it('colours by a measure on a given ramp and domain (patrol compliance: red none, green full)', () => {
    const d = gridData(fc, { colourBy: 'compliance', measures: { L: { compliance: 0.5 }, Q: { compliance: 1 } }, ramp: COMPLIANCE_RAMP, domain: [0, 1], alpha: 200 });
    expect(d[0].fill).toEqual(hexToRgba(COMPLIANCE_RAMP[2], 200));
    expect(d[1].fill).toEqual(hexToRgba(COMPLIANCE_RAMP[COMPLIANCE_RAMP.length - 1], 200));
    const none = gridData(fc, { colourBy: 'compliance', measures: { L: { compliance: 0 }, Q: { compliance: 0 } }, ramp: COMPLIANCE_RAMP, domain: [0, 1] });
    expect(none.map((g) => g.fill.slice(0, 3))).toEqual([hexToRgba(COMPLIANCE_RAMP[0]).slice(0, 3), hexToRgba(COMPLIANCE_RAMP[0]).slice(0, 3)]);
  });

  it('gives the range and the quantile range of values', () => {
    expect(measureRange([])).toEqual([0, 0]);
    expect(measureRange([5, -1, 3])).toEqual([-1, 5]);
    const values = [0, ...Array.from({ length: 98 }, (_, i) => 400 + 2 * i), 5000];
    expect(quantileRange(values, 0.05)).toEqual([408, 586]); // ranks 5 and 94 of 0..99: the 0 and the 5000 are left out
    expect(quantileRange([7], 0.05)).toEqual([7, 7]);
    expect(quantileRange([], 0.05)).toEqual([0, 0]);
  });
});
