import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import { latLngToCell } from 'h3-js';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { gridData, hexToRgba } from './grid-features.ts';
import { hexBins } from './hazard-hexes.ts';
import { gridFeatures, hexFeatures, rgbaCss, trackFeatures, WALL_SOURCES, wallStyleLayers } from './wall-map-layers.ts';

const sq = (code: string, x: number, households: number): Feature => ({ type: 'Feature', properties: { code, households },
  geometry: { type: 'Polygon', coordinates: [[[x, 39.98], [x + 0.002, 39.98], [x + 0.002, 39.982], [x, 39.982], [x, 39.98]]] } });
const grids: FeatureCollection = { type: 'FeatureCollection', features: [sq('A', 116.3, 400), sq('B', 116.302, 600)] };

describe('wall map layers', () => {
  it('writes colours as CSS rgba()', () => {
    expect(rgbaCss([255, 128, 0, 255])).toBe('rgba(255,128,0,1)');
    expect(rgbaCss(hexToRgba('#000000', 185))).toBe('rgba(0,0,0,0.725)');
  });

  it('gives each grid its polygon with its fill and one label point inside it', () => {
    const data = gridData(grids, { colourBy: 'households', alpha: 100, label: (d) => `${d.households} 户` });
    const { polygons, labels } = gridFeatures(data);
    expect(polygons.features.map((f) => [f.id, f.properties!.fill])).toEqual([['A', rgbaCss(data[0].fill)], ['B', rgbaCss(data[1].fill)]]);
    expect(polygons.features[0].properties!.fill).not.toBe(polygons.features[1].properties!.fill);
    expect(labels.features.map((f) => f.properties!.label)).toEqual(['400 户', '600 户']);
    labels.features.forEach((l, i) => expect(booleanPointInPolygon(l.geometry.coordinates, polygons.features[i] as Feature<Polygon>)).toBe(true));
  });

  it('draws H3 cells as closed [lng, lat] rings holding their hazards, heaviest cell in the strongest colour', () => {
    const pt = (x: number, y: number, severity: number): Feature => ({ type: 'Feature', properties: { severity, status: 'open' }, geometry: { type: 'Point', coordinates: [x, y] } });
    const bins = hexBins({ type: 'FeatureCollection', features: [pt(116.3, 39.98, 5), pt(116.3, 39.98, 4), pt(116.31, 39.99, 1)] }, 9);
    const fc = hexFeatures(bins);
    expect(fc.features).toHaveLength(2);
    for (const f of fc.features) {
      const ring = f.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(ring.every(([x, y]) => x > 116 && x < 117 && y > 39 && y < 40)).toBe(true); // lng first
    }
    expect(latLngToCell(39.98, 116.3, 9)).toBe(fc.features[0].properties!.hex);
    expect(booleanPointInPolygon([116.3, 39.98], fc.features[0])).toBe(true);
    expect(fc.features[0].properties!.fill).not.toBe(fc.features[1].properties!.fill);
  });

  it('draws trips as lines', () => {
    const fc = trackFeatures([{ id: 3, worker: null, path: [[116.3, 39.98], [116.31, 39.98]], timestamps: [0, 10] }]);
    expect(fc.features[0]).toMatchObject({ geometry: { type: 'LineString', coordinates: [[116.3, 39.98], [116.31, 39.98]] }, properties: { id: 3 } });
  });

  it('lists style layers reading only the wall sources, the labels on top with a local font stack', () => {
    const layers = wallStyleLayers({ labelSize: 40 });
    const sources = new Set(Object.values(WALL_SOURCES));
    expect(layers.every((l) => 'source' in l && sources.has(l.source as never))).toBe(true);
    expect(new Set(layers.map((l) => (l as { source: string }).source))).toEqual(sources);
    const labels = layers[layers.length - 1];
    expect(labels.type).toBe('symbol');
    expect((labels.layout as Record<string, unknown>)['text-font']).toContain('Noto Sans CJK SC');
    expect(JSON.stringify(labels.layout)).toContain('40');
    expect(new Set(layers.map((l) => l.id)).size).toBe(layers.length);
  });
});
