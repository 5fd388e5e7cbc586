/** Hazards: points coloured and sized by severity (1 minor … 5 severe); hazard areas as red polygons. */
import { LAYER_COLOURS, type MapLayerDef } from './layer-def.ts';

export const hazardsLayer: MapLayerDef = {
  id: 'hazards',
  titleKey: 'layer.hazards',
  defaultVisible: true,
  legend: [
    { key: 'legend.hazardLow', swatch: { kind: 'circle', color: '#fbc02d', outline: '#ffffff', size: 5 } },
    { key: 'legend.hazardHigh', swatch: { kind: 'circle', color: '#b71c1c', outline: '#ffffff', size: 7 } },
    { key: 'legend.hazardArea', swatch: { kind: 'fill', color: '#ef9a9a', outline: '#c62828' } },
  ],
  styleLayers: (source) => [
    {
      id: 'hazards-area', type: 'fill', source, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': LAYER_COLOURS.hazards, 'fill-opacity': 0.35 },
    },
    {
      id: 'hazards-area-outline', type: 'line', source, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'line-color': '#c62828', 'line-width': 1.5, 'line-dasharray': [2, 1] },
    },
    {
      id: 'hazards-point', type: 'circle', source, filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': ['interpolate', ['linear'], ['get', 'severity'], 1, '#fbc02d', 3, '#f57c00', 5, '#b71c1c'],
        'circle-radius': ['interpolate', ['linear'], ['get', 'severity'], 1, 5, 5, 9],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ],
};
