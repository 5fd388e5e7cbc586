import { describe, expect, it } from 'vitest';
import { cellToLatLng, getResolution } from 'h3-js';
import type { Feature, FeatureCollection } from 'geojson';
import { hazardWeight, heatColour, hexBins } from './hazard-hexes.ts';

const pt = (lon: number, lat: number, severity: number, status = 'open'): Feature => ({ type: 'Feature', properties: { severity, status }, geometry: { type: 'Point', coordinates: [lon, lat] } });

describe('hazard hexes', () => {
  it('bins open hazards into H3 cells weighted by severity, heaviest first, lon/lat not swapped', () => {
    const fc: FeatureCollection = { type: 'FeatureCollection', features: [
      pt(116.3, 39.98, 3), pt(116.30001, 39.98001, 2), pt(116.35, 39.99, 1), pt(116.3, 39.98, 5, 'closed'),
    ] };
    const bins = hexBins(fc, 9);
    expect(bins.map((b) => [b.count, b.weight])).toEqual([[2, 5], [1, 1]]);
    expect(getResolution(bins[0].hex)).toBe(9);
    const [lat, lon] = cellToLatLng(bins[0].hex);
    expect(Math.abs(lat - 39.98)).toBeLessThan(0.003);
    expect(Math.abs(lon - 116.3)).toBeLessThan(0.003);
  });

  it('weighs closed hazards nothing and colours the heaviest cell darkest', () => {
    expect(hazardWeight(pt(0, 0, 4, 'closed'))).toBe(0);
    expect(hazardWeight({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [0, 0] } })).toBe(1);
    expect(heatColour(10, 10)[0]).toBe(189);
    expect(heatColour(0, 10)).toEqual([255, 237, 160, 150]);
  });
});
