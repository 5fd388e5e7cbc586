/** Community (社区/村) boundaries: dashed purple outlines. */
import type { MapLayerDef } from './layer-def.ts';

export const communitiesLayer: MapLayerDef = {
  id: 'communities',
  titleKey: 'layer.communities',
  defaultVisible: true,
  legend: [{ key: 'legend.community', swatch: { kind: 'line', color: '#7b1fa2', size: 3, dashed: true } }],
  styleLayers: (source) => [
    {
      id: 'communities-line', type: 'line', source,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#7b1fa2', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.5, 17, 4], 'line-dasharray': [3, 2] },
    },
  ],
};
