/**
 * The layer definitions both map stacks share (docs/ARCHITECTURE.md, "One map, two renderers"):
 * - `LAYER_COLOURS`: the colour of each kind of thing on every map, read by the overview's MapLibre style
 *   layers and by the deck.gl composite layers of the other views alike, so a building or a camera looks
 *   the same in every view;
 * - `LayerToggle`: an entry of a view's layer list (id, title, swatch);
 * - `MapLayerDef`: a layer of the overview map: one API layer (/api/layers/{id}.geojson) drawn by one or
 *   more MapLibre style layers, with a toggle and legend entries. `prepare` (pure) turns the fetched
 *   collection into the data the style layers read (colours, derived geometry); it never fetches.
 */
import type { FeatureCollection } from 'geojson';
import type { LayerSpecification } from 'maplibre-gl';
import type { I18nKey } from '../src/i18n.ts';

/** '#rrggbb' colours by kind of thing, for every map. */
export const LAYER_COLOURS = {
  /** address points / buildings */
  buildings: '#3949ab',
  cameras: '#00897b',
  /** a camera's view sector */
  cameraView: '#26a69a',
  hazards: '#e53935',
  /** patrol tracks on a grid's map */
  tracks: '#0091ea',
  /** events by light (三灯): on time, less than its yellow share of time left, overdue */
  eventGreen: '#1a9641',
  eventYellow: '#f0b400',
  eventRed: '#d7191c',
  /** places of repeated events (≥ 3 of a type within 30 days and 50 m) */
  eventHotspot: '#8e24aa',
} as const;

/** '#rrggbb' → [r, g, b] (deck.gl colours). */
export function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** An entry of a view's layer list: which layer, its title and the colour of its swatch. */
export interface LayerToggle<Id extends string = string> {
  id: Id;
  key: I18nKey;
  swatch: string;
}

export type ApiLayerName = 'boundary' | 'communities' | 'streets' | 'address_points' | 'units' | 'hazards' | 'cameras' | 'grids';

export interface Swatch {
  kind: 'fill' | 'line' | 'circle';
  color: string;
  /** outline colour (fill, circle) */
  outline?: string;
  /** line width or circle radius, px */
  size?: number;
  dashed?: boolean;
}

export interface LegendEntry {
  key: I18nKey;
  swatch: Swatch;
}

export interface MapLayerDef {
  id: ApiLayerName;
  titleKey: I18nKey;
  defaultVisible: boolean;
  legend: LegendEntry[];
  /** MapLibre style layers reading the GeoJSON source named `sourceId` */
  styleLayers(sourceId: string): LayerSpecification[];
  /** style layers drawn right above the streets, whatever this layer's place (grid boundaries) */
  overlayLayers?(sourceId: string): LayerSpecification[];
  prepare?(fc: FeatureCollection): FeatureCollection;
}
