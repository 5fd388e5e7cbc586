import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import type { FeatureCollection } from 'geojson';
import { toGeoJsonText, toKml } from './export-kml.ts';

const fc: FeatureCollection = { type: 'FeatureCollection', features: [
  { type: 'Feature', id: 'G1', properties: { code: 'G1', name: '一号<网格>', households: 480 }, geometry: { type: 'Polygon', coordinates: [[[116.3, 39.98], [116.31, 39.98], [116.31, 39.99], [116.3, 39.98]]] } },
  { type: 'Feature', id: 'G2', properties: { code: 'G2', households: 0 }, geometry: { type: 'MultiPolygon', coordinates: [[[[1, 2], [3, 2], [3, 4], [1, 2]]], [[[5, 6], [7, 6], [7, 8], [5, 6]]]] } },
  { type: 'Feature', id: 'P', properties: {}, geometry: { type: 'Point', coordinates: [0, 0] } },
] };

describe('plan export', () => {
  it('writes KML placemarks with escaped names, lon,lat order and multi-geometries', () => {
    const kml = toKml(fc, '方案 & 1');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(kml);
    const marks = doc.kml.Document.Placemark;
    expect(doc.kml.Document.name).toBe('方案 & 1');
    expect(marks).toHaveLength(2);
    expect(marks[0].name).toBe('一号<网格>');
    expect(marks[0].Polygon.outerBoundaryIs.LinearRing.coordinates).toBe('116.3,39.98 116.31,39.98 116.31,39.99 116.3,39.98');
    expect(marks[1].MultiGeometry.Polygon).toHaveLength(2);
  });

  it('writes GeoJSON that reads back the same', () => {
    expect(JSON.parse(toGeoJsonText(fc)).features.map((f: { id: string }) => f.id)).toEqual(['G1', 'G2', 'P']);
  });
});
