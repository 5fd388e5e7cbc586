/** The jurisdiction's outer boundary: a dark solid line. */
import type { MapLayerDef } from './layer-def.ts';

export const boundaryLayer: MapLayerDef = {
  id: 'boundary',
  titleKey: 'layer.boundary',
  defaultVisible: true,
  legend: [{ key: 'legend.boundary', swatch: { kind: 'line', color: '#263238', size: 4 } }],
  styleLayers: (source) => [
    {
      id: 'boundary-line', type: 'line', source,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#263238', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 2, 17, 5] },
    },
  ],
};
