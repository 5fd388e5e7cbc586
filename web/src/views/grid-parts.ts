/** Pieces of the grid views (/grid/:code and /me): the grid's figures, staff with tel: links, tags; its deck layers. */
import type { Layer } from '@deck.gl/core';
import type { Feature, FeatureCollection } from 'geojson';
import type { GridBundle, StaffContact } from '../api-client.ts';
import { el } from '../dom.ts';
import { formatCount, t, tx } from '../i18n.ts';
import { GridsDeckLayer } from '../../layers/grids-deck-layer.ts';
import { CamerasDeckLayer } from '../../layers/cameras-deck-layer.ts';
import { PatrolTripsLayer } from '../../layers/patrol-trips-layer.ts';
import { PointsDeckLayer, severityColour } from '../../layers/points-deck-layer.ts';
import { gridData } from '../../layers/grid-features.ts';
import { LAYER_COLOURS, rgbOf } from '../../layers/layer-def.ts';
import { tripsFrom, tripWindow } from '../../layers/patrol-trips.ts';

export type GridLayerId = 'buildings' | 'hazards' | 'cameras' | 'tracks';

export function staffList(staff: StaffContact[]): HTMLElement {
  const ul = el('ul', 'staff-list');
  if (staff.length === 0) ul.append(el('li', 'hint', t('me.noStaff')));
  for (const s of staff) {
    const li = el('li');
    li.append(el('span', 'staff-role', tx(`role.${s.role}`)), el('span', 'staff-name', s.name));
    if (s.phone) {
      const a = el('a', 'tel', s.phone);
      a.href = `tel:${s.phone.replace(/[^0-9+]/g, '')}`;
      li.append(a);
    }
    ul.append(li);
  }
  return ul;
}

export function figuresList(b: GridBundle): HTMLElement {
  const dl = el('dl', 'grid-figures');
  const area = Number(b.grid.properties?.areaM2) / 10_000;
  const add = (k: string, v: string) => { dl.append(el('dt', undefined, k), el('dd', undefined, v)); };
  add(t('households'), formatCount(b.households.total));
  add(t('grid.addressPoints'), formatCount(b.households.addressPoints));
  if (Number.isFinite(area)) add(t('grid.area'), area.toFixed(1));
  add(t('me.hazards'), formatCount(b.hazards.features.length));
  add(t('me.cameras'), formatCount(b.cameras.features.length));
  add(t('layer.tracks'), `${b.patrols.features.length} · ${b.day}`);
  return dl;
}

export function tagsList(b: GridBundle): HTMLElement {
  const ul = el('ul', 'tag-list');
  for (const [tag, n] of Object.entries(b.households.byTag).sort((a, c) => c[1] - a[1])) {
    const li = el('li');
    li.dataset.tag = tag;
    li.append(el('span', undefined, tx(`tag.${tag}`)), el('b', undefined, formatCount(n)));
    ul.append(li);
  }
  return ul;
}

/** The deck layers of one grid: its outline, buildings, hazards, cameras and the day's tracks (shown whole). */
export function gridLayers(b: GridBundle, buildings: FeatureCollection, on: (id: GridLayerId) => boolean, time?: number): Layer[] {
  const gridFc: FeatureCollection = { type: 'FeatureCollection', features: [b.grid] };
  const data = gridData(gridFc, { alpha: 40, label: () => '' });
  const trips = tripsFrom(b.patrols);
  const [, end] = tripWindow(trips);
  const layers: Layer[] = [new GridsDeckLayer({ id: 'grid', data, showLabels: false, pickable: false, selected: b.code })];
  if (on('buildings')) {
    layers.push(new PointsDeckLayer({ id: 'buildings', data: buildings, colour: () => [...rgbOf(LAYER_COLOURS.buildings), 200],
      radius: (f: Feature) => 3 + Math.min(12, Math.sqrt(Number(f.properties?.households) || 1)) }));
  }
  if (on('tracks')) layers.push(new PatrolTripsLayer({ id: 'tracks', data: trips, currentTime: time ?? end + 1, trailLength: time === undefined ? 1e6 : 1200, width: 4, colour: rgbOf(LAYER_COLOURS.tracks) }));
  if (on('cameras')) layers.push(new CamerasDeckLayer({ id: 'cctv', data: b.cameras }));
  if (on('hazards')) layers.push(new PointsDeckLayer({ id: 'hazards', data: b.hazards, colour: severityColour, radius: (f: Feature) => 4 + (Number(f.properties?.severity) || 1) * 1.5 }));
  return layers;
}
