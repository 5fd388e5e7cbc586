/**
 * A map layer of the app: one API layer (/api/layers/{id}.geojson) drawn by one or more MapLibre style
 * layers, with a toggle and legend entries. `prepare` (pure) turns the fetched collection into the data
 * the style layers read (colours, derived geometry); it never fetches.
 */
import type { FeatureCollection } from 'geojson';
import type { LayerSpecification } from 'maplibre-gl';
import type { I18nKey } from '../src/i18n.ts';

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
