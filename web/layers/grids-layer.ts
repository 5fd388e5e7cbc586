/** Grids of the published plan: filled with distinct colours (neighbours differ), outlined above the streets. */
import type { MapLayerDef } from './layer-def.ts';
import { withGridColours } from './grid-colours.ts';

export const gridsLayer: MapLayerDef = {
  id: 'grids',
  titleKey: 'layer.grids',
  defaultVisible: true,
  legend: [{ key: 'legend.grid', swatch: { kind: 'fill', color: '#8dd3c7', outline: '#4e5d6c' } }],
  prepare: withGridColours,
  styleLayers: (source) => [
    { id: 'grids-fill', type: 'fill', source, paint: { 'fill-color': ['coalesce', ['get', 'colour'], '#cccccc'], 'fill-opacity': 0.6 } },
  ],
  // boundaries above the streets, so that a street inside one grid reads differently from one between grids
  overlayLayers: (source) => [
    {
      id: 'grids-outline', type: 'line', source,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#37474f', 'line-opacity': 0.85, 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.8, 17, 2.2] },
    },
  ],
};
