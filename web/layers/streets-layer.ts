/**
 * Streets by kind: roads with a grey casing and a width and colour per class, rivers blue, railways dashed,
 * footpaths dotted. Widths grow with zoom.
 */
import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';
import type { MapLayerDef, LegendEntry } from './layer-def.ts';

/** Colour and base width (px at zoom 15) of each street kind. */
export const STREET_STYLE = {
  motorway: { color: '#f08c3a', width: 6 },
  primary: { color: '#f6bd4f', width: 5 },
  secondary: { color: '#fbe08a', width: 4 },
  tertiary: { color: '#ffffff', width: 3.5 },
  residential: { color: '#ffffff', width: 2.5 },
  service: { color: '#ffffff', width: 1.5 },
  path: { color: '#8d6e63', width: 1.2 },
  river: { color: '#4a90d9', width: 6 },
  rail: { color: '#546e7a', width: 1.8 },
} as const;

export type StreetKindName = keyof typeof STREET_STYLE;
const ROADS: StreetKindName[] = ['motorway', 'primary', 'secondary', 'tertiary', 'residential', 'service'];

function byKind(prop: 'color' | 'width', kinds: StreetKindName[], scale = 1, add = 0): ExpressionSpecification {
  const m: unknown[] = ['match', ['get', 'kind']];
  for (const k of kinds) m.push(k, prop === 'color' ? STREET_STYLE[k].color : STREET_STYLE[k].width * scale + add);
  m.push(prop === 'color' ? '#ffffff' : 1);
  return m as ExpressionSpecification;
}

/** Width that doubles every zoom level around z15, as map widths do. */
function zoomed(base: number | ExpressionSpecification): ExpressionSpecification {
  return ['interpolate', ['exponential', 2], ['zoom'], 12, ['*', base, 0.25], 15, base, 18, ['*', base, 4]] as ExpressionSpecification;
}

const isKind = (kinds: StreetKindName[]): ExpressionSpecification => ['in', ['get', 'kind'], ['literal', kinds]] as ExpressionSpecification;

export const streetsLayer: MapLayerDef = {
  id: 'streets',
  titleKey: 'layer.streets',
  defaultVisible: true,
  legend: [
    ...ROADS.filter((k) => k !== 'service').map((k): LegendEntry => ({
      key: `legend.${k}` as LegendEntry['key'],
      swatch: { kind: 'line', color: STREET_STYLE[k].color, outline: '#8a949c', size: Math.min(STREET_STYLE[k].width, 5) },
    })),
    { key: 'legend.path', swatch: { kind: 'line', color: STREET_STYLE.path.color, size: 2, dashed: true } },
    { key: 'legend.river', swatch: { kind: 'line', color: STREET_STYLE.river.color, size: 5 } },
    { key: 'legend.rail', swatch: { kind: 'line', color: STREET_STYLE.rail.color, size: 2, dashed: true } },
  ],
  styleLayers: (source): LayerSpecification[] => [
    {
      id: 'streets-river', type: 'line', source, filter: ['==', ['get', 'kind'], 'river'],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': STREET_STYLE.river.color, 'line-width': zoomed(STREET_STYLE.river.width) },
    },
    {
      id: 'streets-casing', type: 'line', source, filter: isKind(ROADS),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#8a949c', 'line-width': zoomed(byKind('width', ROADS, 1, 1.5)) },
    },
    {
      id: 'streets-road', type: 'line', source, filter: isKind(ROADS),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': byKind('color', ROADS), 'line-width': zoomed(byKind('width', ROADS)) },
    },
    {
      id: 'streets-path', type: 'line', source, filter: ['==', ['get', 'kind'], 'path'],
      paint: { 'line-color': STREET_STYLE.path.color, 'line-width': 1.5, 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'streets-rail', type: 'line', source, filter: ['==', ['get', 'kind'], 'rail'],
      paint: { 'line-color': STREET_STYLE.rail.color, 'line-width': 2.5, 'line-dasharray': [3, 2] },
    },
  ],
};
