/** Units (schools, enterprises, compounds): orange areas; units with a dedicated grid darker and dashed. */
import type { MapLayerDef } from './layer-def.ts';

export const unitsLayer: MapLayerDef = {
  id: 'units',
  titleKey: 'layer.units',
  defaultVisible: true,
  legend: [
    { key: 'legend.unit', swatch: { kind: 'fill', color: '#ffcc80', outline: '#ef6c00' } },
    { key: 'legend.unitDedicated', swatch: { kind: 'fill', color: '#ff8a65', outline: '#bf360c' } },
  ],
  styleLayers: (source) => [
    {
      id: 'units-fill', type: 'fill', source,
      paint: { 'fill-color': ['case', ['==', ['get', 'dedicated'], true], '#ff8a65', '#ffcc80'], 'fill-opacity': 0.75 },
    },
    {
      id: 'units-outline', type: 'line', source,
      paint: { 'line-color': ['case', ['==', ['get', 'dedicated'], true], '#bf360c', '#ef6c00'], 'line-width': 1.5 },
    },
  ],
};
