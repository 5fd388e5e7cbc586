import { describe, expect, it } from 'vitest';
import GeoJSONVT from 'geojson-vt';
import vtpbf from 'vt-pbf';
import type { Feature, LineString } from 'geojson';
import { decodeTileLayer, joinPieces, tilesCovering } from './tile-features.ts';

describe('tile features', () => {
  it('lists the tiles covering a box, centre first', () => {
    const t = tilesCovering([116.29, 39.97, 116.31, 39.99], 14);
    expect(t.length).toBeGreaterThanOrEqual(1);
    expect(t.every((x) => x.z === 14)).toBe(true);
    expect(new Set(t.map((x) => `${x.x}/${x.y}`)).size).toBe(t.length);
    expect(tilesCovering([-180, -85, 180, 85], 3, 5)).toHaveLength(5);
  });

  it('decodes a layer of an MVT tile back to longitude and latitude', () => {
    const line: Feature<LineString> = { type: 'Feature', id: 3, properties: { day: '2026-10-30' }, geometry: { type: 'LineString', coordinates: [[116.3, 39.98], [116.302, 39.981]] } };
    const z = 14;
    const [{ x, y }] = tilesCovering([116.3, 39.98, 116.3, 39.98], z);
    const index = new GeoJSONVT({ type: 'FeatureCollection', features: [line] } as never, { maxZoom: z, indexMaxZoom: z, extent: 4096, buffer: 64 });
    const bytes = vtpbf.fromGeojsonVt({ tracks: index.getTile(z, x, y)! } as never, { version: 2, extent: 4096 });
    const out = decodeTileLayer(bytes, { z, x, y }, 'tracks');
    expect(out).toHaveLength(1);
    expect(out[0].properties).toEqual({ day: '2026-10-30' });
    const c = (out[0].geometry as LineString).coordinates;
    expect(c[0][0]).toBeCloseTo(116.3, 4);
    expect(c[0][1]).toBeCloseTo(39.98, 4);
    expect(decodeTileLayer(bytes, { z, x, y }, 'nope')).toEqual([]);
  });

  it('joins pieces of one line cut by tile edges', () => {
    const piece = (c: number[][]): Feature => ({ type: 'Feature', id: 1, properties: {}, geometry: { type: 'LineString', coordinates: c } });
    const out = joinPieces([piece([[0, 0], [1, 1]]), piece([[1, 1], [2, 2]])]);
    expect(out).toHaveLength(1);
    expect(out[0].geometry.type).toBe('MultiLineString');
  });
});
