/**
 * The one place where the map is created and removed. The style is built in code from our own GeoJSON
 * only: a plain background, no tiles, no glyphs, no sprites, so nothing is fetched from outside. The
 * MapLibre worker is served from our bundle (setWorkerUrl). `destroy()` removes the map and its listeners.
 */
import * as maplibregl from 'maplibre-gl';
import type { LayerSpecification, LngLatBoundsLike, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { FeatureCollection } from 'geojson';
import type { MapLayerDef } from '../layers/layer-def.ts';
import { t, formatCount } from './i18n.ts';

maplibregl.setWorkerUrl(workerUrl);

export const BACKGROUND = '#eef1f3';

/** Overlay layers (grid boundaries) go right above this layer's: over the streets, under lines and points. */
const OVERLAYS_AFTER = 'streets';

export interface LoadedLayer {
  def: MapLayerDef;
  data: FeatureCollection;
}

export interface MapView {
  map: maplibregl.Map;
  setVisible(layerId: string, visible: boolean): void;
  destroy(): void;
}

export const sourceId = (def: MapLayerDef): string => `src-${def.id}`;

/** The whole style: background, one GeoJSON source per layer (data prepared), their style layers in order. */
export function buildStyle(layers: LoadedLayer[], visible: (id: string) => boolean): StyleSpecification {
  const style: StyleSpecification = {
    version: 8,
    name: 'wangge',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } }],
  };
  const add = (def: MapLayerDef, l: LayerSpecification) =>
    style.layers.push({ ...l, layout: { ...(l.layout ?? {}), visibility: visible(def.id) ? 'visible' : 'none' } } as LayerSpecification);
  const overlays = () => {
    for (const { def } of layers) for (const l of def.overlayLayers?.(sourceId(def)) ?? []) add(def, l);
  };
  let overlaid = false;
  for (const { def, data } of layers) {
    const src = sourceId(def);
    style.sources[src] = { type: 'geojson', data: def.prepare ? def.prepare(data) : data };
    for (const l of def.styleLayers(src)) add(def, l);
    if (def.id === OVERLAYS_AFTER) {
      overlays();
      overlaid = true;
    }
  }
  if (!overlaid) overlays();
  return style;
}

function popupText(layerId: string, props: Record<string, unknown>): string | null {
  if (layerId === 'grids-fill') return `${t('grid')} ${String(props.code)}: ${formatCount(Number(props.households))} ${t('households')}`;
  if (layerId === 'address-points-circle') return `${props.name ? `${String(props.name)}: ` : ''}${formatCount(Number(props.households))} ${t('households')}`;
  return null;
}

/** Padding that keeps the fitted jurisdiction clear of a panel covering the left `panelRight` pixels. */
export function fitPadding(width: number, panelRight: number): { top: number; bottom: number; left: number; right: number } {
  const side = 40;
  // on a narrow screen the panel floats over the map instead
  const left = panelRight > 0 && width - panelRight > 400 ? panelRight + 24 : side;
  return { top: side, bottom: side, left, right: side };
}

export function createMapView(container: HTMLElement, layers: LoadedLayer[], bounds: [number, number, number, number],
  visible: (id: string) => boolean, panelRight = 0): MapView {
  const map = new maplibregl.Map({
    container,
    style: buildStyle(layers, visible),
    bounds: bounds as LngLatBoundsLike,
    fitBoundsOptions: { padding: fitPadding(container.clientWidth, panelRight) },
    attributionControl: false,
    maxZoom: 20,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

  const styleIdsOf = new Map(layers.map(({ def }) => [def.id as string,
    [...def.styleLayers(sourceId(def)), ...(def.overlayLayers?.(sourceId(def)) ?? [])].map((l) => l.id)]));
  const allIds = new Set([...styleIdsOf.values()].flat());

  // a click on a building or a grid tells its households; the topmost hit wins (buildings are above grids)
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: true, maxWidth: '280px' });
  const clickable = ['address-points-circle', 'grids-fill'].filter((id) => allIds.has(id));
  map.on('click', (e) => {
    const f = map.queryRenderedFeatures(e.point, { layers: clickable })[0];
    const text = f ? popupText(f.layer.id, f.properties ?? {}) : null;
    if (text) popup.setLngLat(e.lngLat).setText(text).addTo(map);
  });
  for (const id of clickable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }

  return {
    map,
    setVisible(layerId, on) {
      for (const id of styleIdsOf.get(layerId) ?? []) {
        if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
      }
    },
    destroy() {
      popup.remove();
      map.remove(); // removes every listener registered on the map and frees the WebGL context
    },
  };
}
