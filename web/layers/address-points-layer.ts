/** Buildings / address points: circles whose size grows with the households they hold. */
import { LAYER_COLOURS, type MapLayerDef } from './layer-def.ts';

export const AP_COLOR = LAYER_COLOURS.buildings;

export const addressPointsLayer: MapLayerDef = {
  id: 'address_points',
  titleKey: 'layer.address_points',
  defaultVisible: true,
  legend: [
    { key: 'legend.apSmall', swatch: { kind: 'circle', color: AP_COLOR, outline: '#ffffff', size: 3 } },
    { key: 'legend.apLarge', swatch: { kind: 'circle', color: AP_COLOR, outline: '#ffffff', size: 7 } },
  ],
  styleLayers: (source) => [
    {
      id: 'address-points-circle', type: 'circle', source,
      paint: {
        'circle-color': AP_COLOR,
        'circle-opacity': 0.85,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
        // radius by households, scaled with zoom
        'circle-radius': ['interpolate', ['linear'], ['zoom'],
          12, ['interpolate', ['linear'], ['get', 'households'], 1, 1.5, 50, 2.5, 200, 4, 1000, 7],
          16, ['interpolate', ['linear'], ['get', 'households'], 1, 3, 50, 5, 200, 8, 1000, 14],
          19, ['interpolate', ['linear'], ['get', 'households'], 1, 6, 50, 10, 200, 16, 1000, 26]],
      },
    },
  ],
};
