/**
 * CCTV cameras as a deck.gl composite layer: each camera's view sector (camera-sectors.ts) as a light
 * wedge and the camera as a point with a white ring.
 *
 * Props:
 * - `data`: camera points FeatureCollection (properties bearing, fov, rangeM)
 * - `radius`: point radius px (default 5); `dark`: brighter wedges for a dark background
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { GeoJsonLayer } from '@deck.gl/layers';
import type { Feature, FeatureCollection } from 'geojson';
import { withCameraSectors } from './camera-sectors.ts';
import { LAYER_COLOURS, rgbOf } from './layer-def.ts';

export interface CamerasDeckLayerProps {
  data: FeatureCollection;
  radius?: number;
  dark?: boolean;
}

const defaultProps: DefaultProps<CamerasDeckLayerProps> = {
  data: { type: 'object', value: { type: 'FeatureCollection', features: [] } },
  radius: 5,
  dark: false,
};

export const CAMERA_RGB = rgbOf(LAYER_COLOURS.cameras);

export class CamerasDeckLayer extends CompositeLayer<CamerasDeckLayerProps> {
  static override layerName = 'CamerasDeckLayer';
  static override defaultProps = defaultProps;
  declare state: { withSectors: FeatureCollection };

  override updateState({ props, oldProps }: UpdateParameters<this>): void {
    if (props.data !== oldProps.data) this.setState({ withSectors: withCameraSectors(props.data) });
  }

  renderLayers(): Layer[] {
    const fill = this.props.dark ? [100, 255, 218] : rgbOf(LAYER_COLOURS.cameraView);
    return [new GeoJsonLayer(this.getSubLayerProps({
      id: 'cameras',
      data: this.state.withSectors,
      pickable: false,
      stroked: true,
      filled: true,
      pointType: 'circle',
      getFillColor: (f: Feature) => (f.properties?.part === 'sector' ? [...fill, 70] : [...CAMERA_RGB, 255]),
      getLineColor: (f: Feature) => (f.properties?.part === 'sector' ? [...CAMERA_RGB, 160] : [255, 255, 255, 255]),
      getLineWidth: (f: Feature) => (f.properties?.part === 'sector' ? 1 : 2),
      lineWidthUnits: 'pixels',
      getPointRadius: this.props.radius,
      pointRadiusUnits: 'pixels',
      updateTriggers: { getFillColor: [this.props.dark] },
    }))];
  }
}
