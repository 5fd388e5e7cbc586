/**
 * Point features (hazards by severity, buildings by households) as a deck.gl composite layer of circles;
 * the colour and radius of each point come from the caller's accessors, so one layer serves both domains.
 *
 * Props:
 * - `data`: points FeatureCollection
 * - `colour(f)`: RGBA; `radius(f)`: px
 * - `pickable`: default false
 */
import { CompositeLayer, type DefaultProps, type Layer } from '@deck.gl/core';
import { GeoJsonLayer } from '@deck.gl/layers';
import type { Feature, FeatureCollection } from 'geojson';
import { LAYER_COLOURS, rgbOf } from './layer-def.ts';

export interface PointsDeckLayerProps {
  data: FeatureCollection;
  colour: (f: Feature) => [number, number, number, number];
  radius: (f: Feature) => number;
  pickable?: boolean;
}

const defaultProps: DefaultProps<PointsDeckLayerProps> = {
  data: { type: 'object', value: { type: 'FeatureCollection', features: [] } },
  colour: { type: 'function', value: () => [...rgbOf(LAYER_COLOURS.buildings), 220] },
  radius: { type: 'function', value: () => 4 },
  pickable: false,
};

/** Severity 1-5 → colour from amber to deep red. */
export function severityColour(f: Feature): [number, number, number, number] {
  const s = Math.min(5, Math.max(1, Number(f.properties?.severity) || 1));
  const ramp: Array<[number, number, number, number]> = [[255, 193, 7, 255], [255, 152, 0, 255], [244, 81, 30, 255], [229, 57, 53, 255], [183, 28, 28, 255]];
  return ramp[s - 1];
}

export class PointsDeckLayer extends CompositeLayer<PointsDeckLayerProps> {
  static override layerName = 'PointsDeckLayer';
  static override defaultProps = defaultProps;

  renderLayers(): Layer[] {
    return [new GeoJsonLayer(this.getSubLayerProps({
      id: 'points',
      data: this.props.data,
      pickable: this.props.pickable,
      pointType: 'circle',
      stroked: true,
      filled: true,
      getFillColor: this.props.colour,
      getLineColor: [255, 255, 255, 255],
      getLineWidth: 1.5,
      lineWidthUnits: 'pixels',
      getPointRadius: this.props.radius,
      pointRadiusUnits: 'pixels',
    }))];
  }
}
