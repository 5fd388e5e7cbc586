/** Cameras: a point each with its view sector (bearing, field of view, range) drawn as a light wedge. */
import { LAYER_COLOURS, type MapLayerDef } from './layer-def.ts';
import { withCameraSectors } from './camera-sectors.ts';

export const cameraColor = LAYER_COLOURS.cameras;

export const camerasLayer: MapLayerDef = {
  id: 'cameras',
  titleKey: 'layer.cameras',
  defaultVisible: true,
  legend: [
    { key: 'legend.camera', swatch: { kind: 'circle', color: cameraColor, outline: '#ffffff', size: 5 } },
    { key: 'legend.cameraView', swatch: { kind: 'fill', color: '#80cbc4', outline: cameraColor } },
  ],
  prepare: withCameraSectors,
  styleLayers: (source) => [
    {
      id: 'cameras-sector', type: 'fill', source, filter: ['==', ['get', 'part'], 'sector'],
      paint: { 'fill-color': LAYER_COLOURS.cameraView, 'fill-opacity': 0.25, 'fill-outline-color': cameraColor },
    },
    {
      id: 'cameras-point', type: 'circle', source, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': cameraColor, 'circle-radius': 5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
  ],
};
