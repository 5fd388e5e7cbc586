/**
 * /grid/:code — one map per grid (网格一张图): the grid's boundary with its buildings (by households),
 * hazards (by severity), CCTV with view sectors and the patrol tracks of a chosen day, each a toggled layer
 * with a legend, and the grid's figures, household tags and staff beside the map. Tracks come from the
 * grid bundle of the day; the day list comes from the tracks tiles over the grid.
 */
import type { FeatureCollection } from 'geojson';
import { fetchBundle, fetchLayer, type GridBundle } from '../api-client.ts';
import { createDeckMap, type DeckMap } from '../deck-map.ts';
import { el, todayIso } from '../dom.ts';
import { t } from '../i18n.ts';
import { boundsOf } from '../../layers/grid-features.ts';
import { LAYER_COLOURS, type LayerToggle } from '../../layers/layer-def.ts';
import { header, loadFailed, pickJurisdiction } from './common.ts';
import { figuresList, gridLayers, staffList, tagsList, type GridLayerId } from './grid-parts.ts';
import { tracksFromTiles } from './tracks-source.ts';
import type { Unmount, ViewContext } from './view.ts';

const LAYERS: Array<LayerToggle<GridLayerId>> = [
  { id: 'buildings', key: 'layer.buildings', swatch: LAYER_COLOURS.buildings },
  { id: 'hazards', key: 'layer.hazardPts', swatch: LAYER_COLOURS.hazards },
  { id: 'cameras', key: 'layer.cctv', swatch: LAYER_COLOURS.cameraView },
  { id: 'tracks', key: 'layer.tracks', swatch: LAYER_COLOURS.tracks },
];

export function mountGridView(ctx: ViewContext): Unmount {
  ctx.root.className = 'view view-grid';
  const mapEl = el('div', 'view-map');
  const panel = el('aside', 'side-panel grid-panel');
  ctx.root.replaceChildren(mapEl, panel);
  const code = ctx.params.code;
  const visible = new Map<GridLayerId, boolean>(LAYERS.map((l) => [l.id, true]));
  let bundle: GridBundle | null = null;
  let buildings: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let days: string[] = [];
  let view: DeckMap | null = null;
  let alive = true;
  let jcode = '';

  const draw = () => { if (view && bundle) view.setLayers(gridLayers(bundle, buildings, (id) => visible.get(id) ?? true)); };

  function render(): void {
    panel.replaceChildren(header(ctx, `${t('view.grid')} · ${code}`));
    if (!bundle) return;
    const list = el('ul', 'layer-list');
    for (const l of LAYERS) {
      const li = el('li', 'layer-item');
      li.dataset.layer = l.id;
      const label = el('label');
      const box = el('input');
      box.type = 'checkbox';
      box.checked = visible.get(l.id) ?? true;
      box.addEventListener('change', () => { visible.set(l.id, box.checked); draw(); });
      const sw = el('span', 'swatch-dot legend-dot');
      sw.style.background = l.swatch;
      label.append(box, sw, el('span', 'layer-name', t(l.key)));
      li.append(label);
      list.append(li);
    }
    panel.append(el('h2', undefined, t('layers')), list);
    const dayRow = el('label', 'day-row', `${t('grid.day')} `);
    const sel = el('select');
    sel.className = 'day-select';
    for (const d of days.length ? days : [bundle.day]) sel.append(new Option(d, d, false, d === bundle.day));
    sel.addEventListener('change', () => void load(sel.value));
    dayRow.append(sel);
    panel.append(dayRow, el('h2', undefined, t('grid.figures')), figuresList(bundle), el('h2', undefined, t('me.tags')), tagsList(bundle),
      el('h2', undefined, t('me.staff')), staffList(bundle.staff));
  }

  async function load(day?: string): Promise<void> {
    bundle = await fetchBundle(jcode, code, day);
    render();
    draw();
  }

  void (async () => {
    ctx.setState('loading');
    render();
    try {
      const j = await pickJurisdiction(ctx.query);
      if (!j) { ctx.setState('empty'); return; }
      jcode = j.jcode;
      const first = await fetchBundle(jcode, code);
      const b = boundsOf(first.grid);
      const [tr, bl] = await Promise.all([tracksFromTiles(b, todayIso(), 14).catch(() => null), fetchLayer('address_points', jcode).catch(() => null)]);
      days = tr?.days ?? [];
      if (bl) buildings = { type: 'FeatureCollection', features: bl.features.filter((f) => { const c = (f.geometry as { coordinates?: number[] })?.coordinates; return !!c && c[0] >= b[0] && c[0] <= b[2] && c[1] >= b[1] && c[1] <= b[3]; }) };
      bundle = tr?.day && tr.day !== first.day ? await fetchBundle(jcode, code, tr.day) : first;
      if (!alive) return;
      view = createDeckMap(mapEl, { bounds: b, padding: { top: 40, bottom: 40, left: 40, right: 380 } });
      render();
      draw();
      await view.firstIdle;
      ctx.setState('ready');
    } catch (e) {
      loadFailed(ctx, panel, e);
    }
  })();

  return () => { alive = false; view?.destroy(); };
}
