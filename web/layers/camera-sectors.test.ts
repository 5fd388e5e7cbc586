import { describe, expect, it } from 'vitest';
import type { FeatureCollection } from 'geojson';
import { sectorRing, withCameraSectors } from './camera-sectors.ts';

/** Haversine distance in metres. */
function metres(a: number[], b: number[]): number {
  const R = 6_371_008.8;
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b[1] - a[1]) / 2) ** 2 + Math.cos(r(a[1])) * Math.cos(r(b[1])) * Math.sin(r(b[0] - a[0]) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

describe('camera sectors', () => {
  const apex = [116.3, 39.98];

  it('is a closed ring from the apex whose arc lies at the range', () => {
    const ring = sectorRing(apex[0], apex[1], 90, 60, 100, 8);
    expect(ring).toHaveLength(8 + 3);
    expect(ring[0]).toEqual(apex);
    expect(ring[ring.length - 1]).toEqual(apex);
    for (const p of ring.slice(1, -1)) expect(Math.abs(metres(apex, p) - 100)).toBeLessThan(0.5);
  });

  it('points clockwise from north: bearing 90 looks east, 0 looks north', () => {
    const east = sectorRing(apex[0], apex[1], 90, 2, 100, 2)[2];
    expect(east[0]).toBeGreaterThan(apex[0]);
    expect(Math.abs(east[1] - apex[1])).toBeLessThan(1e-5);
    const north = sectorRing(apex[0], apex[1], 0, 2, 100, 2)[2];
    expect(north[1]).toBeGreaterThan(apex[1]);
    expect(Math.abs(north[0] - apex[0])).toBeLessThan(1e-5);
  });

  it('adds one sector per camera with a range, keeping the points', () => {
    const fc: FeatureCollection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { code: 'C1', bearing: 0, fov: 60, rangeM: 50 }, geometry: { type: 'Point', coordinates: apex } },
        { type: 'Feature', properties: { code: 'C2', bearing: 0, fov: 60, rangeM: 0 }, geometry: { type: 'Point', coordinates: apex } },
      ],
    };
    const out = withCameraSectors(fc);
    expect(out.features.map((f) => [f.geometry.type, f.properties!.code, f.properties!.part])).toEqual([
      ['Polygon', 'C1', 'sector'], ['Point', 'C1', undefined], ['Point', 'C2', undefined],
    ]);
    expect(fc.features).toHaveLength(2);
  });
});
