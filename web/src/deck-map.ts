/**
 * The map of the four views: MapLibre GL over our own basemap tiles (/tiles/basemap: water, streets,
 * buildings, boundaries; line and circle layers only, so no glyphs or sprites are needed) with deck.gl on
 * top (MapboxOverlay). Created once per view; `destroy()` removes the overlays, the map, its listeners and
 * their WebGL contexts. The map never fetches data by itself except its basemap tiles.
 *
 * With the `still` option a second deck.gl canvas lies between the map and the main one, for layers that do
 * not move: deck redraws a canvas only when the camera or its own layers change, so a view can animate the
 * main canvas every frame without redrawing the still layers (the wall screen). With the `live` option a third
 * one lies between those two, for layers whose data change now and then (live events): a change redraws only
 * that canvas, never the still layers nor more than the animation already does.
 */
import * as maplibregl from 'maplibre-gl';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { Layer, PickingInfo } from '@deck.gl/core';

maplibregl.setWorkerUrl(workerUrl);

export interface DeckMapOptions {
  bounds: [number, number, number, number];
  dark?: boolean;
  /** fit padding in px */
  padding?: number | { top: number; bottom: number; left: number; right: number };
  /** draw the basemap tiles (default true) */
  basemap?: boolean;
  interactive?: boolean;
  onClick?: (info: PickingInfo) => void;
  /** called after each redraw of the deck.gl layers */
  onAfterRender?: () => void;
  /** pixel ratio of the deck.gl canvas (deck's useDevicePixels; default the screen's) */
  deckPixelRatio?: number;
  /**
   * A still deck.gl canvas under the main one (layers set by `setStillLayers`), redrawn only when the camera
   * or its layers change: its pixel ratio (default the screen's) and a callback after each of its redraws.
   */
  still?: { pixelRatio?: number; onAfterRender?: () => void };
  /** A canvas between the still one and the main one for layers set by `setLiveLayers` (same options). */
  live?: { pixelRatio?: number; onAfterRender?: () => void };
}

export interface DeckMap {
  map: maplibregl.Map;
  setLayers(layers: Layer[]): void;
  /** the layers of the still canvas (throws without the `still` option) */
  setStillLayers(layers: Layer[]): void;
  /** the layers of the live canvas (throws without the `live` option) */
  setLiveLayers(layers: Layer[]): void;
  fit(bounds: [number, number, number, number], animate?: boolean): void;
  /** resolves when the map has drawn its first complete frame */
  firstIdle: Promise<void>;
  destroy(): void;
}

/** The basemap style from our own tiles; light or dark. */
export function basemapStyle(origin: string, dark: boolean, withTiles = true): StyleSpecification {
  const c = dark
    ? { bg: '#0b1220', water: '#1e4e79', road: '#2c3e57', major: '#3d5a80', building: '#24344d', boundary: '#8fa8c8' }
    : { bg: '#eef1f3', water: '#4a90d9', road: '#ffffff', major: '#f6bd4f', building: '#9fa8da', boundary: '#455a64' };
  const layers: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': c.bg } }];
  const style: StyleSpecification = { version: 8, name: dark ? 'wangge-dark' : 'wangge-light', sources: {}, layers };
  if (!withTiles) return style;
  style.sources.basemap = { type: 'vector', tiles: [`${origin}/tiles/basemap/{z}/{x}/{y}.mvt`], minzoom: 8, maxzoom: 16 };
  layers.push(
    { id: 'water', type: 'line', source: 'basemap', 'source-layer': 'water', paint: { 'line-color': c.water, 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 2, 17, 10] } },
    { id: 'streets-casing', type: 'line', source: 'basemap', 'source-layer': 'streets', filter: ['in', ['get', 'kind'], ['literal', ['motorway', 'primary', 'secondary', 'tertiary', 'residential']]],
      layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': dark ? '#050a14' : '#b0bec5', 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.5, 17, 9] } },
    { id: 'streets', type: 'line', source: 'basemap', 'source-layer': 'streets', layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': ['match', ['get', 'kind'], ['motorway', 'primary'], c.major, 'river', c.water, c.road], 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.8, 17, 6] } },
    { id: 'buildings', type: 'circle', source: 'basemap', 'source-layer': 'buildings', minzoom: 14,
      paint: { 'circle-color': c.building, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1.5, 18, 5], 'circle-opacity': 0.7 } },
    { id: 'boundaries', type: 'line', source: 'basemap', 'source-layer': 'boundaries', filter: ['!=', ['get', 'level'], 'community'],
      paint: { 'line-color': c.boundary, 'line-width': 2.5, 'line-dasharray': [4, 2] } },
  );
  return style;
}

/** A deck.gl canvas of its own over the map (not interleaved), following the map's camera. */
function deckOverlay(o: { pixelRatio?: number; onAfterRender?: () => void; onClick?: (info: PickingInfo) => void }): MapboxOverlay {
  return new MapboxOverlay({
    interleaved: false, layers: [], onClick: o.onClick ? (info) => { o.onClick!(info); } : undefined, useDevicePixels: o.pixelRatio ?? true,
    // deck calls onAfterRender unconditionally: pass it only when there is one
    ...(o.onAfterRender ? { onAfterRender: o.onAfterRender } : {}),
  });
}

export function createDeckMap(container: HTMLElement, o: DeckMapOptions): DeckMap {
  const map = new maplibregl.Map({
    container,
    style: basemapStyle(location.origin, o.dark ?? false, o.basemap ?? true),
    bounds: o.bounds,
    fitBoundsOptions: { padding: o.padding ?? 30 },
    attributionControl: false,
    maxZoom: 19,
    dragRotate: false,
    pitchWithRotate: false,
    interactive: o.interactive ?? true,
    fadeDuration: 0,
    // a 7680×2160 wall: the map is wider than MapLibre's default 4096 px limit, which would blur it
    maxCanvasSize: [8192, 8192],
  });
  map.touchZoomRotate.disableRotation();
  if (o.interactive ?? true) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  }
  // controls at one corner stack in the order added: the still canvas first, so the main one lies on top
  const still = o.still ? deckOverlay(o.still) : null;
  if (still) map.addControl(still);
  const live = o.live ? deckOverlay(o.live) : null;
  if (live) map.addControl(live);
  const overlay = deckOverlay({ pixelRatio: o.deckPixelRatio, onAfterRender: o.onAfterRender, onClick: o.onClick });
  map.addControl(overlay);
  const firstIdle = new Promise<void>((resolve) => map.once('idle', () => resolve()));
  return {
    map,
    setLayers(layers) { overlay.setProps({ layers }); },
    setStillLayers(layers) {
      if (!still) throw new Error('createDeckMap: setStillLayers needs the still option');
      still.setProps({ layers });
    },
    setLiveLayers(layers) {
      if (!live) throw new Error('createDeckMap: setLiveLayers needs the live option');
      live.setProps({ layers });
    },
    fit(b, animate = true) { map.fitBounds(b, { padding: o.padding ?? 30, animate, duration: animate ? 1500 : 0 }); },
    firstIdle,
    destroy() {
      overlay.finalize();
      live?.finalize();
      still?.finalize();
      map.remove();
    },
  };
}
