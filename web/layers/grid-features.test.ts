import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection as FC } from 'geojson';
import {
  boundsOf, COMPLIANCE_RAMP, gridData, hexToRgba, labelWidth, MEASURE_RAMP, measureRange, mercatorPixel, pointsPerGrid, quantileRange, rampColour, sizeAtZoom, thinLabels,
} from './grid-features.ts';

const S = 0.002;
// an L-shaped grid (its centroid falls outside it) and a square
const L: Feature = { type: 'Feature', properties: { code: 'L', households: 380 }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [3 * S, 0], [3 * S, S], [S, S], [S, 3 * S], [0, 3 * S], [0, 0]]] } };
const Q: Feature = { type: 'Feature', properties: { code: 'Q', households: 500 }, geometry: { type: 'Polygon', coordinates: [[[3 * S, 0], [4 * S, 0], [4 * S, S], [3 * S, S], [3 * S, 0]]] } };
const grids: FC = { type: 'FeatureCollection', features: [L, Q] };

describe('grid features', () => {
  it('labels each grid inside itself with its households, flags the out of range, colours neighbours apart', () => {
    const d = gridData(grids, { min: 400, max: 600 });
    expect(d.map((g) => [g.code, g.label, g.outOfRange])).toEqual([['L', '380', true], ['Q', '500', false]]);
    expect(booleanPointInPolygon(d[0].anchor, L as Feature<never>)).toBe(true);
    expect(d[0].fill).not.toEqual(d[1].fill);
  });

  it('colours by a measure on a ramp from the lowest to the highest', () => {
    const d = gridData(grids, { colourBy: 'hazards', measures: { L: { hazards: 0 }, Q: { hazards: 7 } }, alpha: 10 });
    expect(d[0].fill).toEqual(hexToRgba(MEASURE_RAMP[0], 10));
    expect(d[1].fill).toEqual(hexToRgba(MEASURE_RAMP[MEASURE_RAMP.length - 1], 10));
    expect(rampColour(5, 5, 5)).toEqual(hexToRgba(MEASURE_RAMP[0], 200));
    expect(hexToRgba('#ff8000')).toEqual([255, 128, 0, 255]);
  });

  it('counts points per grid, skipping the rejected and the outside ones', () => {
    const pt = (x: number, y: number, status = 'open'): Feature => ({ type: 'Feature', properties: { status }, geometry: { type: 'Point', coordinates: [x, y] } });
    const pts: FC = { type: 'FeatureCollection', features: [pt(S / 2, S / 2), pt(2 * S, 2 * S), pt(3.5 * S, S / 2), pt(S / 2, 2 * S, 'closed')] };
    expect(pointsPerGrid(grids, pts, (f) => f.properties!.status !== 'closed')).toEqual({ L: 1, Q: 1 });
    expect(boundsOf(grids)).toEqual([0, 0, 4 * S, 3 * S]);
  });

  it('colours by a measure on a given ramp and domain (patrol compliance: red none, green full)', () => {
    const d = gridData(grids, { colourBy: 'compliance', measures: { L: { compliance: 0.5 }, Q: { compliance: 1 } }, ramp: COMPLIANCE_RAMP, domain: [0, 1], alpha: 200 });
    expect(d[0].fill).toEqual(hexToRgba(COMPLIANCE_RAMP[2], 200));
    expect(d[1].fill).toEqual(hexToRgba(COMPLIANCE_RAMP[COMPLIANCE_RAMP.length - 1], 200));
    const none = gridData(grids, { colourBy: 'compliance', measures: { L: { compliance: 0 }, Q: { compliance: 0 } }, ramp: COMPLIANCE_RAMP, domain: [0, 1] });
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

  it('places points in the Mercator world of 512-px tiles', () => {
    expect(mercatorPixel([0, 0], 0)).toEqual([256, 256]);
    expect(mercatorPixel([180, 0], 1)).toEqual([1024, 512]);
    const [, north] = mercatorPixel([0, 85.05], 0);
    expect(north).toBeCloseTo(0, 0);
    expect(labelWidth('512', 36)).toBeCloseTo(64.8);
    expect(labelWidth('示范', 20)).toBe(40);
  });

  it('sizes by zoom between stops, held beyond the ends', () => {
    const stops: Array<[number, number]> = [[14, 36], [16, 54]];
    expect([12, 14, 15, 15.5, 16, 19].map((z) => sizeAtZoom(z, stops))).toEqual([36, 36, 45, 49.5, 54, 54]);
    expect(sizeAtZoom(3, [[10, 7]])).toBe(7);
    expect(sizeAtZoom(3, [])).toBe(0);
  });

  it('thins labels so that none overlaps another, the first of two colliding ones staying', () => {
    // labels along the equator, 0.001° apart: 0.001 / 360 × 512 × 2^zoom px
    const row = Array.from({ length: 5 }, (_, i) => ({ anchor: [i * 0.001, 0], label: '512' }));
    const zoomAt = (px: number) => Math.log2((px * 360) / (0.001 * 512));
    // '512' at 36 px: a box 64.8 + 2 × 4.5 px wide, so anchors 50 px apart collide and 80 px apart do not
    expect(thinLabels(row, zoomAt(50), { size: 36 })).toEqual([0, 2, 4]);
    expect(thinLabels(row, zoomAt(80), { size: 36 })).toEqual([0, 1, 2, 3, 4]);
    expect(thinLabels(row, zoomAt(80), { size: 36, gap: 10 })).toEqual([0, 2, 4]);
    expect(thinLabels([{ anchor: [1, 1], label: 'a' }, { anchor: [1, 1], label: 'b' }], 10, { size: 20 })).toEqual([0]);
    expect(thinLabels([], 10, { size: 20 })).toEqual([]);
  });

  it('keeps labels apart at the zoom and any higher one, and drops only labels that meet a kept one', () => {
    const label = fc.record({ anchor: fc.tuple(fc.double({ min: 116.8, max: 116.9, noNaN: true }), fc.double({ min: 36.5, max: 36.6, noNaN: true })), label: fc.string({ minLength: 1, maxLength: 5 }) });
    fc.assert(fc.property(fc.array(label, { maxLength: 80 }), fc.double({ min: 11, max: 16, noNaN: true }), (items, zoom) => {
      const size = 30;
      const box = (i: number, z: number) => {
        const [x, y] = mercatorPixel(items[i].anchor, z);
        return { x, y, hw: labelWidth(items[i].label, size) / 2 + size / 8, hh: size / 2 + size / 8 };
      };
      const meet = (i: number, j: number, z: number) => {
        const [a, b] = [box(i, z), box(j, z)];
        return Math.abs(a.x - b.x) < a.hw + b.hw && Math.abs(a.y - b.y) < a.hh + b.hh;
      };
      const kept = thinLabels(items, zoom, { size });
      const set = new Set(kept);
      for (const z of [zoom, zoom + 0.5, zoom + 3]) {
        for (const i of kept) for (const j of kept) if (i < j) expect(meet(i, j, z)).toBe(false);
      }
      items.forEach((_, i) => { if (!set.has(i)) expect(kept.some((k) => k < i && meet(i, k, zoom))).toBe(true); });
    }), { numRuns: 200 });
  });
});
