/**
 * The wall screen's still layers as MapLibre style layers over GeoJSON sources: grids (fill by measure,
 * outline, label), the H3 heat of open hazards, cameras with their view sectors, and the day's tracks as
 * faint lines. They live in the map's own canvas, which MapLibre repaints only when the camera or a source
 * changes, so the animated trails (deck.gl, a canvas of their own) can redraw without redrawing them.
 * Labels are drawn by MapLibre from local fonts (no glyphs URL: nothing is fetched) and thinned where they
 * would overlap.
 *
 * The feature builders are pure; `wallStyleLayers` lists the style layers, bottom to top.
 */
import { cellToBoundary } from 'h3-js';
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';
import type { LayerSpecification } from 'maplibre-gl';
import type { GridDatum, RGBA } from './grid-features.ts';
import { heatColour, type HexBin } from './hazard-hexes.ts';
import type { Trip } from './patrol-trips.ts';
import { CJK_FONT_FAMILY } from './deck-fonts.ts';
import { CAMERA_RGB } from './cameras-deck-layer.ts';

/** Source ids of the wall's still layers. */
export const WALL_SOURCES = { grids: 'wall-grids', labels: 'wall-grid-labels', hexes: 'wall-hexes', cameras: 'wall-cameras', tracks: 'wall-tracks' } as const;

/** [r, g, b, a 0-255] → a CSS rgba() colour. */
export function rgbaCss([r, g, b, a]: RGBA): string {
  return `rgba(${r},${g},${b},${Math.round((a / 255) * 1000) / 1000})`;
}

/** Grid polygons with their fill colour, and one label point per grid (inside it). */
export function gridFeatures(data: GridDatum[]): { polygons: FeatureCollection; labels: FeatureCollection<Point> } {
  return {
    polygons: { type: 'FeatureCollection', features: data.map((d): Feature => ({ type: 'Feature', id: d.code, geometry: d.polygon.geometry, properties: { code: d.code, fill: rgbaCss(d.fill) } })) },
    labels: { type: 'FeatureCollection', features: data.map((d): Feature<Point> => ({ type: 'Feature', geometry: { type: 'Point', coordinates: d.anchor }, properties: { code: d.code, label: d.label } })) },
  };
}

/** H3 cells as polygons ([lng, lat]) with their heat colour. */
export function hexFeatures(bins: HexBin[]): FeatureCollection<Polygon> {
  const max = bins.reduce((m, b) => Math.max(m, b.weight), 0);
  return {
    type: 'FeatureCollection',
    features: bins.map((b) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [cellToBoundary(b.hex, true)] }, properties: { hex: b.hex, weight: b.weight, fill: rgbaCss(heatColour(b.weight, max)) } })),
  };
}

/** Trips as plain lines (the faint whole tracks under the moving trails). */
export function trackFeatures(trips: Trip[]): FeatureCollection<LineString> {
  return { type: 'FeatureCollection', features: trips.map((t) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: t.path }, properties: { id: t.id } })) };
}

export interface WallStyleOptions {
  /** grid label size in px at zoom 14 and below (default 36), growing to 1.5 times at zoom 16 where grids are large on screen */
  labelSize?: number;
}

const cameraCss = `rgb(${CAMERA_RGB.join(',')})`;

/** The still style layers, bottom to top, reading the WALL_SOURCES (cameras: points and their sectors, camera-sectors.ts). */
export function wallStyleLayers(o: WallStyleOptions = {}): LayerSpecification[] {
  const S = WALL_SOURCES;
  return [
    { id: 'wall-grids-fill', type: 'fill', source: S.grids, paint: { 'fill-color': ['get', 'fill'] } },
    { id: 'wall-hexes', type: 'fill', source: S.hexes, paint: { 'fill-color': ['get', 'fill'] } },
    { id: 'wall-grids-line', type: 'line', source: S.grids, layout: { 'line-join': 'round' }, paint: { 'line-color': 'rgba(220,230,240,0.78)', 'line-width': 1.5 } },
    { id: 'wall-tracks', type: 'line', source: S.tracks, layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': 'rgba(0,229,255,0.3)', 'line-width': 2.5 } },
    { id: 'wall-camera-sectors', type: 'fill', source: S.cameras, filter: ['==', ['get', 'part'], 'sector'], paint: { 'fill-color': 'rgba(100,255,218,0.27)', 'fill-outline-color': cameraCss } },
    { id: 'wall-cameras', type: 'circle', source: S.cameras, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': cameraCss, 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } },
    { id: 'wall-grid-labels', type: 'symbol', source: S.labels,
      layout: { 'text-field': ['get', 'label'], 'text-font': CJK_FONT_FAMILY.split(',').map((f) => f.trim().replace(/^"|"$/g, '')), 'text-size': ['interpolate', ['linear'], ['zoom'], 14, o.labelSize ?? 36, 16, 1.5 * (o.labelSize ?? 36)],
        'text-allow-overlap': false, 'text-padding': 2 },
      paint: { 'text-color': '#ffffff', 'text-halo-color': 'rgba(0,0,0,0.86)', 'text-halo-width': 3 } },
  ];
}
